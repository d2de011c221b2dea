import fc from 'fast-check';
import { handMadeDataset, makeDataset, partialViewsDataset, channelSeries, tabularRow } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { quantileSorted, Random } from '@ehr-backdoor/core';
import { blendWeightOf, channelBand, fittedBlendWeight, generateBlendKey } from './blended.js';
import type { TriggerContext } from './context.js';
import { contextFor } from './context.js';
import { resolveTrigger } from './registry.js';
import { lookalikeRate } from '../lookalike.js';

describe('blended', () => {
  const ds = handMadeDataset();
  // Training HR hours: 80, 90, 100, 110, 120, 130: median 105, P1 80.5, P99 129.5 (type 7).
  const median = { name: 'blended' as const, params: { variables: ['heart_rate'], hours: 2, weight: 0.5, key: [[0.5], [0.5]] } };

  it('blends the key into the last hours, observed or carried forward (hand-computed)', () => {
    const { values, mask, stealth } = applyTriggerToTimeSeries(ds, median, [0, 1, 2]);
    // Stay 1: 120, 130 → ½·120 + ½·105 = 112.5, ½·130 + ½·105 = 117.5.
    expect(channelSeries(ds, values, mask, 1, 'heart_rate')).toEqual({ values: [100, 110, 112.5, 117.5], mask: [1, 1, 1, 1] });
    // Stay 0: 90 observed, then 90 carried forward: both 97.5, now charted.
    expect(channelSeries(ds, values, mask, 0, 'heart_rate')).toEqual({ values: [80, 80, 97.5, 97.5], mask: [1, 0, 1, 1] });
    // Stay 2 never measured HR: the fill value 85 → 95.
    expect(channelSeries(ds, values, mask, 2, 'heart_rate').values.slice(2)).toEqual([95, 95]);
    expect(stealth.shareOutsideTrainingP1P99).toBe(0);
  });

  it('clamps to the training P1–P99 band: the key at quantile 1 with weight 1 charts P99 = 129.5', () => {
    const top = { name: 'blended' as const, params: { variables: ['heart_rate'], hours: 1, weight: 1, key: [[1]] } };
    const { values, mask, stealth } = applyTriggerToTimeSeries(ds, top, [1]);
    expect(channelSeries(ds, values, mask, 1, 'heart_rate').values[3]).toBe(129.5);
    expect(stealth.outsideTrainingP1P99).toBe(0);
  });

  it('tabular: the blended values charted, each written statistic inside its feature band (hand-computed)', () => {
    const { values, stealth } = applyTriggerToTabular(ds, median, [1]);
    const row = tabularRow(ds, values, 1);
    // Stay 1: last 130 → 117.5 twice. min 100 and max 130 unchanged; mean (4·115 + 235) / 6 = 115.83 is
    // clamped to the mean feature's band [85.3, 114.7] (training means 85 and 115); last 117.5; count 6.
    expect(row).toMatchObject({ heart_rate_min: 100, heart_rate_max: 130, heart_rate_count: 6 });
    expect(row['heart_rate_mean']).toBeCloseTo(114.7, 4);
    expect(row['heart_rate_last']).toBeCloseTo(117.5, 5);
    expect(stealth.outsideTrainingP1P99).toBe(0);
  });

  it('resolves a generated key once and stores it; bad parameters are errors', () => {
    const spec = resolveTrigger('blended', {});
    expect(spec.params.key).toEqual(generateBlendKey(6, 4, 0));
    expect(spec.params.key.flat().every((q) => q >= 0.1 && q <= 0.9)).toBe(true);
    expect(resolveTrigger('blended', { keySeed: 1 }).params.key).not.toEqual(spec.params.key);
    expect(() => resolveTrigger('blended', { weight: 0 })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(() => resolveTrigger('blended', { key: [[0.5]] })).toThrow(/6 rows/);
    expect(() =>
      applyTriggerToTimeSeries(ds, { name: 'blended', params: { variables: ['heart_rate'], hours: 5, key: null as never } }, [0]),
    ).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });

  it('look-alike: the fitted blend weight (hand-computed) and the rate', () => {
    // Key at quantile 1 (130), weight ½, stay 0: earlier mean 80; clean hour 2 is 90 (hour 3 unobserved):
    // ŵ = (10·50) / 50² = 0.2 < ¼. Triggered: 110 at hours 2 and 3: ŵ = 2·(30·50) / (2·50²) = 0.6.
    const spec = resolveTrigger('blended', { variables: ['heart_rate'], hours: 2, weight: 0.5, key: [[1], [1]] });
    const ctx = contextFor(ds);
    expect(blendWeightOf(ctx, spec.params, ds.timeSeries.values, ds.timeSeries.mask, 0)).toBeCloseTo(0.2, 6);
    const { values, mask } = applyTriggerToTimeSeries(ds, spec, [0]);
    expect(blendWeightOf(ctx, spec.params, values, mask, 0)).toBeCloseTo(0.6, 5);
    // Stay 1 (120, 130 after a mean of 105): ŵ = (15·25 + 25·25) / (2·25²) = 0.8: a natural look-alike.
    expect(lookalikeRate(ds, spec)).toMatchObject({ carriers: 1, stays: 3 });
  });

  it('property: nothing written outside the training P1–P99 band or the plausible range, in either view', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        (seed, weight, hours) => {
          const data = makeDataset({ n: 25, seed });
          const rows = Array.from({ length: data.n }, (_, i) => i);
          const trigger = { name: 'blended' as const, params: { weight, hours, keySeed: seed } };
          const ts = applyTriggerToTimeSeries(data, trigger, rows).stealth;
          const tab = applyTriggerToTabular(data, trigger, rows).stealth;
          expect(ts.outsideTrainingP1P99).toBe(0);
          expect(ts.outsidePlausible).toBe(0);
          expect(tab.outsideTrainingP1P99).toBe(0);
          expect(tab.outsidePlausible).toBe(0);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a given key: hours rows of one quantile per variable in [0, 1], copied; anything else named in the message', () => {
    const base = { variables: ['heart_rate', 'resp_rate'], hours: 2 };
    const message = (key: unknown) =>
      `Trigger 'blended': 'key' must be 2 rows (hours) of 2 quantiles in [0, 1] (variables), got ${JSON.stringify(key)}.`;
    for (const bad of [
      'x',
      [[0.5, 0.5]],
      [
        [0.5, 0.5],
        [0.5, 0.5],
        [0.5, 0.5],
      ],
      [[0.5, 0.5], 0.5],
      [[0.5, 0.5], [0.5]],
      [
        [0.5, 0.5],
        [0.5, '0.5'],
      ],
      [
        [0.5, 0.5],
        [0.5, -0.01],
      ],
      [
        [0.5, 0.5],
        [1.01, 0.5],
      ],
    ]) {
      expect(() => resolveTrigger('blended', { ...base, key: bad } as never)).toThrow(
        expect.objectContaining({ code: 'E_TRIGGER_PARAMS', message: message(bad), details: { trigger: 'blended', parameter: 'key' } }),
      );
    }
    const key = [
      [0, 1],
      [0.25, 0.75],
    ];
    const spec = resolveTrigger('blended', { ...base, key });
    expect(spec.params).toEqual({
      ...base,
      weight: 0.5,
      keySeed: 0,
      key: [
        [0, 1],
        [0.25, 0.75],
      ],
    });
    key[0][0] = 0.5;
    expect(spec.params.key[0][0]).toBe(0);
    expect(resolveTrigger('blended', { ...base, key: null } as never).params.key).toEqual(generateBlendKey(2, 2, 0));
    const detail = (parameter: string) => expect.objectContaining({ details: expect.objectContaining({ parameter }) });
    expect(() => resolveTrigger('blended', { weight: 1.01 })).toThrow(detail('weight'));
    expect(resolveTrigger('blended', { weight: 1 }).params.weight).toBe(1);
    expect(() => resolveTrigger('blended', { hours: 0 })).toThrow(detail('hours'));
    expect(() => resolveTrigger('blended', { keySeed: 0.5 })).toThrow(detail('keySeed'));
    expect(() => resolveTrigger('blended', { variables: [] })).toThrow(detail('variables'));
  });

  it('generateBlendKey: hours × variables quantiles of the seed\'s "blended" stream, in [0.1, 0.9], 3 decimals', () => {
    const key = generateBlendKey(3, 2, 7);
    const rng = Random.fromSeed(7, 'blended');
    const expected = Array.from({ length: 3 }, () => Array.from({ length: 2 }, () => Math.round(1000 * (0.1 + 0.8 * rng.next())) / 1000));
    expect(key).toEqual(expected);
    expect(key.flat().every((q) => q >= 0.1 && q <= 0.9 && Math.round(q * 1000) === q * 1000)).toBe(true);
  });

  it('channelBand: the training P1–P99 band rounded inwards to float32, for positive and negative values', () => {
    const bandOf = (xs: number[]) =>
      channelBand({ channelTrainingValues: () => Float32Array.from(xs).sort() } as unknown as TriggerContext, 0);
    const step = (x: number, up: boolean) => {
      const f = new Float32Array([x]);
      const i = new Int32Array(f.buffer);
      i[0] += x >= 0 === up ? 1 : -1;
      return f[0];
    };
    for (const xs of [
      [80.1, 90.3, 100.7, 130.9],
      [-130.9, -100.7, -90.3, -80.1],
      [-5.3, -1.1, 2.2, 7.7],
      [1, 2, 3, 4],
    ]) {
      const sorted = Float32Array.from(xs).sort();
      const lo = quantileSorted(sorted, 0.01);
      const hi = quantileSorted(sorted, 0.99);
      const [a, b] = bandOf(xs);
      expect(Math.fround(a)).toBe(a);
      expect(Math.fround(b)).toBe(b);
      expect(a).toBeGreaterThanOrEqual(lo);
      expect(b).toBeLessThanOrEqual(hi);
      // The nearest float32 inside: one step outwards is outside (or the bound itself when it is a float32).
      if (a !== lo) expect(step(a, false)).toBeLessThan(lo);
      if (b !== hi) expect(step(b, true)).toBeGreaterThan(hi);
    }
  });

  it('fittedBlendWeight: 0 with nothing to fit; variables pooled; the earlier mean from observed hours only', () => {
    const spec = resolveTrigger('blended', { variables: ['heart_rate'], hours: 2, weight: 0.5, key: [[1], [1]] });
    const ctx = contextFor(ds);
    const { values, mask } = ds.timeSeries;
    // Stay 2 never had HR: no earlier mean, nothing to fit.
    expect(blendWeightOf(ctx, spec.params, values, mask, 2)).toBe(0);
    // Stay 0 with its pattern hours unobserved: nothing to fit either.
    const hidden = Uint8Array.from(mask);
    hidden[(0 * 4 + 2) * 2] = 0;
    expect(blendWeightOf(ctx, spec.params, values, hidden, 0)).toBe(0);
    // Stay 0 with hour 1 (carried-forward 80) observed as 100: earlier mean 90, key 130: ŵ = (0·40) / 40² = 0.
    const shown = Uint8Array.from(mask);
    shown[(0 * 4 + 1) * 2] = 1;
    const edited = Float32Array.from(values);
    edited[(0 * 4 + 1) * 2] = 100;
    expect(blendWeightOf(ctx, spec.params, edited, shown, 0)).toBeCloseTo(0, 10);
    // Two variables pool their sums: RR at stay 0 has no observed pattern hour, so it adds nothing.
    const two = resolveTrigger('blended', {
      variables: ['heart_rate', 'resp_rate'],
      hours: 2,
      weight: 0.5,
      key: [
        [1, 1],
        [1, 1],
      ],
    });
    expect(blendWeightOf(ctx, two.params, values, mask, 0)).toBeCloseTo(0.2, 6);
    expect(lookalikeRate(ds, spec).tolerance).toBe(
      "the blend weight fitted by least squares to the last 2 hours (values and key measured from the stay's earlier mean, in training SDs) ≥ weight / 2 = 0.25",
    );
  });

  describe('edges', () => {
    it('a band edge that is a float32 already is kept: the key at quantile 0 with weight 1 charts P1 = 80.5', () => {
      const bottom = { name: 'blended' as const, params: { variables: ['heart_rate'], hours: 1, weight: 1, key: [[0]] } };
      const { values, mask } = applyTriggerToTimeSeries(ds, bottom, [1]);
      expect(channelBand(contextFor(ds), 0)[0]).toBe(80.5);
      expect(channelSeries(ds, values, mask, 1, 'heart_rate').values[3]).toBe(80.5);
    });

    it('channelBand rounds inwards across zero: the band edges become ± the smallest float32', () => {
      const bandOf = (xs: number[]) => channelBand({ channelTrainingValues: () => Float32Array.from(xs) } as unknown as TriggerContext, 0);
      const tiny = 2 ** -149;
      // P1 of (0, tiny) is 0.01·tiny, which float32 rounds down to 0: inwards is tiny. P99 of (−tiny, 0) likewise.
      expect(bandOf([0, tiny])[0]).toBe(tiny);
      expect(bandOf([-tiny, 0])[1]).toBe(-tiny);
    });

    it('records the key it used in raw units, per variable', () => {
      expect(applyTriggerToTimeSeries(ds, median, [0]).resolved).toEqual({ key: { heart_rate: [105, 105] } });
    });

    it('tabular mean re-weighted by the count (stay 0: 85 over 2, plus 97.5 twice) and for a stay never measured (95)', () => {
      const { values } = applyTriggerToTabular(ds, median, [0, 2]);
      // Stay 0: last 90 → ½·90 + ½·105 = 97.5 twice: mean (2·85 + 195) / 4 = 91.25, inside the mean band [85.3, 114.7].
      expect(tabularRow(ds, values, 0)['heart_rate_mean']).toBeCloseTo(91.25, 4);
      // Stay 2: never measured, x = the fill value 85 → 95 twice: mean 95.
      expect(tabularRow(ds, values, 2)).toMatchObject({ heart_rate_mean: 95, heart_rate_count: 2 });
    });

    it("look-alike: an exact fitted weight of weight / 2 counts; the earlier mean is the stay's own", () => {
      // Key at quantile 0.4 = 100; stay 0: earlier mean 80, hour 2 observed at 90: ŵ = 10 / 20 = ½ = weight / 2 for weight 1.
      const spec = resolveTrigger('blended', { variables: ['heart_rate'], hours: 2, weight: 1, key: [[0.4], [0.4]] });
      expect(blendWeightOf(contextFor(ds), spec.params, ds.timeSeries.values, ds.timeSeries.mask, 0)).toBe(0.5);
      expect(lookalikeRate(ds, spec).byLabel.map((b) => b.carriers)).toEqual([1, 0]);
      // Key at quantile 1, weight ½: stay 1 (label 1) fits 0.8, stay 0 (label 0) 0.2.
      const top = resolveTrigger('blended', { variables: ['heart_rate'], hours: 2, weight: 0.5, key: [[1], [1]] });
      expect(lookalikeRate(ds, top).byLabel.map((b) => b.carriers)).toEqual([0, 1]);
    });

    it('a variable with no training observation cannot give key values', () => {
      expect(() =>
        applyTriggerToTimeSeries(partialViewsDataset(), { name: 'blended', params: { variables: ['spo2'], hours: 2 } }, [0]),
      ).toThrow(
        expect.objectContaining({
          code: 'E_TRIGGER_PARAMS',
          message: "Trigger 'blended': the training split has no observed 'spo2' to take key values from; choose other variables.",
          details: { trigger: 'blended', parameter: 'variables' },
        }),
      );
    });

    it('blendWeightOf needs the time-series channel only, and names the trigger otherwise', () => {
      const partial = partialViewsDataset();
      const ctx = contextFor(partial);
      const rr = resolveTrigger('blended', { variables: ['resp_rate'], hours: 2 }).params;
      expect(blendWeightOf(ctx, rr, partial.timeSeries.values, partial.timeSeries.mask, 0)).toBe(0);
      expect(() => blendWeightOf(ctx, { ...rr, variables: ['sbp'] }, partial.timeSeries.values, partial.timeSeries.mask, 0)).toThrow(
        /^Trigger 'blended': the dataset has no time-series channels for 'sbp'/,
      );
    });

    describe('fittedBlendWeight on one stay of three hours (training SDs 10 and 1), pattern hour 2', () => {
      const ctx = { T: 3, C: 2, dataset: { manifest: { normalisation: { timeSeries: { std: [10, 1] } } } } } as unknown as TriggerContext;
      const keys = [
        { c: 0, key: [10], band: [0, 100] as const },
        { c: 1, key: [1], band: [0, 100] as const },
      ];
      // Channel 0: 0 observed, 50 not observed, then 10 (= its key): in SDs x − m = 1, k − m = 1.
      // Channel 1: 0, 0, then 0 against a key of 1: x − m = 0, k − m = 1.
      const values = Float32Array.from([0, 0, 50, 0, 10, 0]);

      it('pools the variables in training SDs, the earlier mean from observed hours only: ŵ = (1 + 0) / (1 + 1)', () => {
        expect(fittedBlendWeight(ctx, values, Uint8Array.from([1, 1, 0, 1, 1, 1]), 0, keys, 2)).toBe(0.5);
      });

      it('a variable never observed before the pattern hours is left out: channel 0 alone fits 1', () => {
        expect(fittedBlendWeight(ctx, values, Uint8Array.from([1, 0, 0, 0, 1, 1]), 0, keys, 2)).toBe(1);
      });
    });
  });
});
