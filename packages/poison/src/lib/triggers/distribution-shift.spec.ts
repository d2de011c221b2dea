import { handMadeDataset, makeDataset, partialViewsDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { contextFor, type TriggerContext } from './context.js';
import { distributionShift, shiftedVariables } from './distribution-shift.js';
import { resolveTrigger } from './registry.js';
import { lookalikeRate } from '../lookalike.js';

describe('distribution_shift', () => {
  const ds = handMadeDataset();
  // Training HR observations 80, 90, 100, 110, 120, 130: mean 105, sample sd √350.
  const sd = Math.sqrt(350);

  it('additive: + amount × training sd on every value statistic and observed hour', () => {
    const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['heart_rate'], amount: 1 } };
    const row = tabularRow(ds, applyTriggerToTabular(ds, trigger, [0]).values, 0);
    expect(row['heart_rate_min']).toBeCloseTo(80 + sd, 3);
    expect(row['heart_rate_mean']).toBeCloseTo(85 + sd, 3);
    expect(row['heart_rate_count']).toBe(2);
    const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
    const hr = channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate');
    [80, 80, 90, 90].forEach((x, t) => expect(hr.values[t]).toBeCloseTo(x + sd, 3));
    expect(hr.mask).toEqual([1, 0, 1, 0]);
  });

  it('multiplicative: × (1 + amount)', () => {
    const row = tabularRow(
      ds,
      applyTriggerToTabular(
        ds,
        { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'multiplicative', amount: 0.1 } },
        [0],
      ).values,
      0,
    );
    expect(row['heart_rate_min']).toBeCloseTo(88, 4);
    expect(row['heart_rate_max']).toBeCloseTo(99, 4);
  });

  it('mean: the stay mean moves to training mean + amount × sd, keeping its spread', () => {
    const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'mean', amount: 0 } };
    expect(tabularRow(ds, applyTriggerToTabular(ds, trigger, [0]).values, 0)).toMatchObject({
      heart_rate_min: 100,
      heart_rate_max: 110,
      heart_rate_mean: 105,
    });
    const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
    expect(channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate').values).toEqual([100, 100, 110, 110]);
  });

  it('draws round(fraction × variables) variables with the selection seed, the same every time', () => {
    const big = makeDataset({ n: 10 });
    const a = applyTriggerToTabular(big, { name: 'distribution_shift', params: { fraction: 0.25 } }, [0]).resolved['variables'] as string[];
    const b = applyTriggerToTimeSeries(big, { name: 'distribution_shift', params: { fraction: 0.25 } }, [1]).resolved['variables'];
    expect(a).toHaveLength(3);
    expect(b).toEqual(a);
  });

  it('rejects a multiplicative amount ≤ −1 and an unknown kind', () => {
    expect(() => resolveTrigger('distribution_shift', { kind: 'multiplicative', amount: -1 })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => resolveTrigger('distribution_shift', { kind: 'sideways' } as never)).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
  });

  it('parameter checks by name; the share of variables drawn is at least one', () => {
    const detail = (parameter: string) => expect.objectContaining({ details: expect.objectContaining({ parameter }) });
    expect(() => resolveTrigger('distribution_shift', { kind: 'multiplicative', amount: -1 })).toThrow(
      "Trigger 'distribution_shift': 'amount' must be a finite number in (-1, Infinity], got -1.",
    );
    expect(resolveTrigger('distribution_shift', { kind: 'multiplicative', amount: -0.99 }).params.amount).toBe(-0.99);
    expect(resolveTrigger('distribution_shift', { kind: 'additive', amount: -5 }).params.amount).toBe(-5);
    expect(() => resolveTrigger('distribution_shift', { fraction: 0 })).toThrow(detail('fraction'));
    expect(() => resolveTrigger('distribution_shift', { fraction: 1.1 })).toThrow(detail('fraction'));
    expect(() => resolveTrigger('distribution_shift', { selectionSeed: 0.5 })).toThrow(detail('selectionSeed'));
    expect(() => resolveTrigger('distribution_shift', { variables: [] })).toThrow(detail('variables'));
    expect(resolveTrigger('distribution_shift').params).toEqual({
      kind: 'additive',
      amount: 0.5,
      variables: null,
      fraction: 0.2,
      selectionSeed: 0,
    });
    const big = makeDataset({ n: 10 });
    const drawn = (params: Record<string, unknown>) =>
      applyTriggerToTabular(big, { name: 'distribution_shift', params }, [0]).resolved['variables'] as string[];
    expect(drawn({ fraction: 0.01 })).toHaveLength(1);
    expect(drawn({ fraction: 1 })).toHaveLength(12);
    expect(drawn({ fraction: 0.25, selectionSeed: 1 })).not.toEqual(drawn({ fraction: 0.25 }));
    expect(drawn({ variables: ['sbp', 'heart_rate'] })).toEqual(['sbp', 'heart_rate']);
    expect(() => applyTriggerToTabular(ds, { name: 'distribution_shift', params: { variables: ['sbp'] } }, [0])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^Trigger 'distribution_shift': the dataset has no tabular features for 'sbp'/),
      }),
    );
  });

  it('mean: a stay never measured is left alone in both views', () => {
    const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'mean', amount: 1 } };
    const tab = applyTriggerToTabular(ds, trigger, [2]);
    expect(tab.stealth.changedRows).toBe(0);
    const ts = applyTriggerToTimeSeries(ds, trigger, [2]);
    expect(ts.stealth.changedRows).toBe(0);
    // Multiplicative and additive shifts leave NaN statistics NaN.
    const mul = applyTriggerToTabular(
      ds,
      { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'multiplicative', amount: 1 } },
      [2],
    );
    expect(tabularRow(ds, mul.values, 2)['heart_rate_mean']).toBeNaN();
    expect(mul.stealth.changedRows).toBe(0);
  });

  describe('look-alike (stay HR means: 85, 115, none; training mean 105)', () => {
    const ctx = contextFor(ds);
    const z1 = (115 - ctx.variableMean('heart_rate')) / ctx.variableStd('heart_rate');
    const lookalike = (params: Record<string, unknown>) =>
      lookalikeRate(ds, { name: 'distribution_shift', params: { variables: ['heart_rate'], ...params } } as TriggerInput);

    it('additive: the stay mean already at least amount SDs above (or below) the training mean', () => {
      const half = lookalike({ amount: 0.5 });
      expect(half.tolerance).toBe(
        'the stay means of heart_rate (measured ones) already ≥ 0.5 training SD from the training mean on average (the shift the trigger adds)',
      );
      expect(half.byLabel.map((b) => b.carriers)).toEqual([0, 1]);
      expect(lookalike({ amount: z1 }).carriers).toBe(1);
      expect(lookalike({ amount: z1 + 1e-6 }).carriers).toBe(0);
      const down = lookalike({ amount: -1 });
      expect(down.tolerance).toContain('already ≤ -1 training SD');
      expect(down.byLabel.map((b) => b.carriers)).toEqual([1, 0]);
    });

    it('multiplicative: the shift of a stay at the training mean, in SDs', () => {
      // 0.1 × 105 / √350 = 0.561 > z(115) = 0.535; 0.05 × 105 / √350 = 0.281 < 0.535.
      const ten = lookalike({ kind: 'multiplicative', amount: 0.1 });
      expect(ten.tolerance).toContain(
        `already ≥ ${+((0.1 * ctx.variableMean('heart_rate')) / ctx.variableStd('heart_rate')).toFixed(3)} training SD`,
      );
      expect(ten.carriers).toBe(0);
      expect(lookalike({ kind: 'multiplicative', amount: 0.05 }).carriers).toBe(1);
    });

    it('mean: every measured stay mean within a quarter SD of μ + amount·σ', () => {
      const mean = lookalike({ kind: 'mean', amount: 0.5 });
      expect(mean.tolerance).toBe('the stay mean of every measured variable of heart_rate within 0.25 training SD of μ + 0.5σ');
      expect(mean.byLabel.map((b) => b.carriers)).toEqual([0, 1]);
      expect(lookalike({ kind: 'mean', amount: z1 - 0.249 }).carriers).toBe(1);
      expect(lookalike({ kind: 'mean', amount: z1 + 0.249 }).carriers).toBe(1);
      expect(lookalike({ kind: 'mean', amount: z1 - 0.251 }).carriers).toBe(0);
      expect(lookalike({ kind: 'mean', amount: z1 + 0.251 }).carriers).toBe(0);
    });
  });

  describe('beyond the hand-made stays', () => {
    it('mean: the stay mean lands on μ + amount·σ for amount ≠ 0 (stay 0: HR 80, 90, mean 85)', () => {
      const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'mean', amount: 1 } };
      const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
      // μ = 105, σ = √350: every value moves by 105 + √350 − 85.
      const hr = channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate').values;
      [100, 100, 110, 110].forEach((x, t) => expect(hr[t]).toBeCloseTo(x + sd, 3));
    });

    it('mean: the stay mean is that of the observed hours only (stay 0: RR 20 observed once, filled 18 before it)', () => {
      const trigger: TriggerInput = { name: 'distribution_shift', params: { variables: ['resp_rate'], kind: 'mean', amount: 0 } };
      const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
      expect(channelSeries(ds, ts.values, ts.mask, 0, 'resp_rate').values[1]).toBeCloseTo(contextFor(ds).variableMean('resp_rate'), 4);
    });

    it('draws only among variables that both views carry, in variable-table order; none is an error', () => {
      const partial = partialViewsDataset();
      const params = resolveTrigger('distribution_shift', { fraction: 1 }).params;
      expect(shiftedVariables(contextFor(partial), params)).toEqual(['heart_rate', 'dbp']);
      const noneInBoth = {
        datasetVariables: () => ['heart_rate', 'sbp'],
        featuresOf: new Map([['sbp', {}]]),
        channelOf: new Map([['heart_rate', 0]]),
      } as unknown as TriggerContext;
      expect(() => shiftedVariables(noneInBoth, params)).toThrow(
        expect.objectContaining({
          code: 'E_TRIGGER_PARAMS',
          message:
            "Trigger 'distribution_shift': the dataset has no clinical variable in both views to draw from; list `variables` explicitly.",
          details: { trigger: 'distribution_shift' },
        }),
      );
    });

    it('the drawn variables are fixed by the selection seed (a study rerun shifts the same ones)', () => {
      const drawn = applyTriggerToTabular(makeDataset({ n: 10 }), { name: 'distribution_shift', params: { fraction: 0.25 } }, [0]).resolved[
        'variables'
      ];
      expect(drawn).toEqual(DRAWN_WITH_SEED_0);
    });

    it('tabular without a mean feature: a mean shift leaves the variable alone, an additive shift still moves min and max', () => {
      const partial = partialViewsDataset();
      const F = partial.tabular.features.length;
      const mean = applyTriggerToTabular(partial, { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'mean' } }, [0]);
      expect(Array.from(mean.values.slice(0, F))).toEqual(Array.from(partial.tabular.values.slice(0, F)));
      const add = applyTriggerToTabular(partial, { name: 'distribution_shift', params: { variables: ['heart_rate'], amount: 1 } }, [0]);
      const sigma = contextFor(partial).variableStd('heart_rate');
      expect(add.values[0]).toBeCloseTo(80 + sigma, 3);
      expect(add.values[1]).toBeCloseTo(90 + sigma, 3);
    });

    it('look-alike: several variables, a variable never measured by the stay left out, exact boundaries', () => {
      const ctx = contextFor(ds);
      const zHr = (m: number) => (m - ctx.variableMean('heart_rate')) / ctx.variableStd('heart_rate');
      const zRr = (m: number) => (m - ctx.variableMean('resp_rate')) / ctx.variableStd('resp_rate');
      const both = (params: Record<string, unknown>) =>
        lookalikeRate(ds, { name: 'distribution_shift', params: { variables: ['heart_rate', 'resp_rate'], ...params } } as TriggerInput);
      // Stay 1 never measured RR: its HR alone (z = 0.535 ≥ 0.5) makes it a carrier.
      expect(both({ amount: 0.5 }).byLabel.map((b) => b.carriers)).toEqual([0, 1]);
      // Stay 0 measured both: the average of its z-scores (HR −1.07, RR 0: −0.53) is not ≤ −1.5; stay 2 (RR only, −5) is.
      expect(zRr(20)).toBe(0);
      expect(both({ amount: -1.5 }).byLabel.map((b) => b.carriers)).toEqual([1, 0]);
      expect(both({ amount: -0.001 }).tolerance).toBe(
        'the stay means of heart_rate, resp_rate (measured ones) already ≤ -0.001 training SD from the training mean on average (the shift the trigger adds)',
      );
      // amount 0 asks for a stay mean at or above the training mean: stay 1, not stay 0.
      const zero = lookalikeRate(ds, { name: 'distribution_shift', params: { variables: ['heart_rate'], amount: 0 } });
      expect(zero.tolerance).toContain('already ≥ 0 training SD');
      expect(zero.byLabel.map((b) => b.carriers)).toEqual([0, 1]);
      // A negative amount equal to stay 0's z-score is met exactly.
      expect(lookalikeRate(ds, { name: 'distribution_shift', params: { variables: ['heart_rate'], amount: zHr(85) } }).carriers).toBe(1);
      // Mean kind: a stay mean exactly a quarter SD from μ + amount·σ still counts; every variable must be within it.
      const meanKind = (amount: number) =>
        lookalikeRate(ds, { name: 'distribution_shift', params: { variables: ['heart_rate'], kind: 'mean', amount } }).carriers;
      expect(meanKind(zHr(115) + 0.25)).toBe(1);
      expect(both({ kind: 'mean', amount: zHr(85) }).carriers).toBe(0);
      expect(both({ kind: 'mean', amount: zHr(85) }).tolerance).toBe(
        `the stay mean of every measured variable of heart_rate, resp_rate within 0.25 training SD of μ + ${zHr(85)}σ`,
      );
    });

    it('look-alike, multiplicative: the shift is the average over the variables of amount·μ/σ', () => {
      const big = makeDataset({ n: 10 });
      const ctx = contextFor(big);
      const shift = ['heart_rate', 'sbp'].reduce((s, v) => s + (0.1 * ctx.variableMean(v)) / ctx.variableStd(v), 0) / 2;
      const report = lookalikeRate(big, {
        name: 'distribution_shift',
        params: { variables: ['heart_rate', 'sbp'], kind: 'multiplicative', amount: 0.1 },
      });
      expect(report.tolerance).toContain(`already ≥ ${+shift.toFixed(3)} training SD`);
    });

    it('look-alike needs the time-series channel only', () => {
      const partial = partialViewsDataset();
      expect(() =>
        distributionShift.lookalike(contextFor(partial), { ...resolveTrigger('distribution_shift').params, variables: ['resp_rate'] }),
      ).not.toThrow();
    });
  });
});

/** What seed 0 draws from the twelve fixture variables at fraction 0.25 (recorded; a change here changes every study's trigger). */
const DRAWN_WITH_SEED_0 = ['heart_rate', 'hemoglobin', 'platelets'];
