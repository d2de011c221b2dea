import { handMadeDataset, makeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { contextFor } from './context.js';
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
});
