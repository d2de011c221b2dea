import fc from 'fast-check';
import { handMadeDataset, makeDataset, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { contextFor, type TriggerContext } from './context.js';
import { componentMagnitude, frequencyDomain, scaleComponent } from './frequency-domain.js';
import { resolveTrigger, triggerLookalike } from './registry.js';
import { lookalikeRate } from '../lookalike.js';

/** Textbook DFT → scale X[k] and X[L−k] → inverse DFT, as an independent reference. */
function reference(x: number[], k: number, factor: number): number[] {
  const L = x.length;
  const X = Array.from({ length: L }, (_, m) => {
    let re = 0;
    let im = 0;
    x.forEach((v, n) => {
      re += v * Math.cos((2 * Math.PI * m * n) / L);
      im -= v * Math.sin((2 * Math.PI * m * n) / L);
    });
    return [re, im];
  });
  for (const m of new Set([k, (L - k) % L])) X[m] = [X[m][0] * factor, X[m][1] * factor];
  return x.map(
    (_, n) => X.reduce((s, [re, im], m) => s + re * Math.cos((2 * Math.PI * m * n) / L) - im * Math.sin((2 * Math.PI * m * n) / L), 0) / L,
  );
}

describe('frequency_domain', () => {
  const ds = handMadeDataset();

  it('scaleComponent equals DFT → scale → inverse DFT', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 24 }),
        fc.nat(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (x, kRaw, factor) => {
          const k = kRaw % (Math.floor(x.length / 2) + 1);
          const z = Float64Array.from(x);
          scaleComponent(z, k, factor);
          reference(x, k, factor).forEach((v, n) => expect(z[n]).toBeCloseTo(v, 8));
        },
      ),
    );
  });

  it('time series: one component of the standardised channel, written to observed hours only', () => {
    const { values, mask } = applyTriggerToTimeSeries(
      ds,
      { name: 'frequency_domain', params: { component: 1, factor: 2, channels: ['heart_rate'] } },
      [0, 1],
    );
    const { mean, std } = ds.manifest.normalisation.timeSeries;
    const expectStay = (row: number, raw: number[]) => {
      const z = reference(
        raw.map((x) => (x - mean[0]) / std[0]),
        1,
        2,
      ).map((v) => Math.fround(mean[0] + std[0] * v));
      return { z, got: channelSeries(ds, values, mask, row, 'heart_rate') };
    };
    const s1 = expectStay(1, [100, 110, 120, 130]);
    s1.got.values.forEach((v, t) => expect(v).toBeCloseTo(s1.z[t], 3));
    // Stay 0: hours 0 and 2 observed; 1 and 3 carry the new values forward.
    const s0 = expectStay(0, [80, 80, 90, 90]);
    expect(s0.got.mask).toEqual([1, 0, 1, 0]);
    expect(s0.got.values[0]).toBeCloseTo(s0.z[0], 3);
    expect(s0.got.values[2]).toBeCloseTo(s0.z[2], 3);
    expect(s0.got.values[1]).toBe(s0.got.values[0]);
    expect(s0.got.values[3]).toBe(s0.got.values[2]);
  });

  it('factor 1 changes nothing; tabular keeps NaN, counts and statics', () => {
    const same = applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { factor: 1, component: 1 } }, [0, 1, 2]);
    Array.from(same.values).forEach((v, i) => expect(v).toBeCloseTo(ds.timeSeries.values[i], 3));
    const tab = applyTriggerToTabular(ds, { name: 'frequency_domain', params: { component: 1 } }, [2]);
    const F = ds.tabular.features.length;
    ds.tabular.features.forEach((f, j) => {
      const before = ds.tabular.values[2 * F + j];
      const after = tab.values[2 * F + j];
      if (Number.isNaN(before)) expect(after).toBeNaN();
      if (f.stat === 'count' || f.stat === 'static') expect(after).toBe(before);
    });
    expect(tab.stealth.changedValues).toBeGreaterThan(0);
  });

  it('rejects a component above half the signal length', () => {
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { component: 3 } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { channels: ['pulse'] } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_VARIABLE' }),
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { channels: ['lactate'] } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
  });

  it('tabular: the component of the standardised value-feature vector (NaN as 0, left NaN), hand-checked against the DFT', () => {
    const { values } = applyTriggerToTabular(ds, { name: 'frequency_domain', params: { component: 2, factor: 3 } }, [0]);
    const F = ds.tabular.features.length;
    const { mean, std } = ds.manifest.normalisation.tabular;
    const valueFeatures = ds.tabular.features.flatMap((f, j) => (f.stat === 'count' || f.stat === 'static' ? [] : [j]));
    expect(valueFeatures).toHaveLength(8);
    const z = valueFeatures.map((j) => (Number.isFinite(ds.tabular.values[j]) ? (ds.tabular.values[j] - mean[j]) / std[j] : 0));
    const scaled = reference(z, 2, 3);
    valueFeatures.forEach((j, n) => {
      if (Number.isFinite(ds.tabular.values[j])) expect(values[j]).toBeCloseTo(Math.fround(mean[j] + std[j] * scaled[n]), 3);
      else expect(values[j]).toBeNaN();
    });
    // Other rows are not touched.
    for (let j = 0; j < F; j++) expect(Object.is(values[F + j], ds.tabular.values[F + j])).toBe(true);
  });

  it('says which component fits which view, and which channels the dataset has', () => {
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { component: 3 } }, [0])).toThrow(
      expect.objectContaining({
        message: "Trigger 'frequency_domain': 'component' is 3 but the time-series window has length 4; use a component in [0, 2].",
        details: { trigger: 'frequency_domain', parameter: 'component' },
      }),
    );
    expect(applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { component: 2 } }, [0]).stealth.changedRows).toBe(1);
    expect(() => applyTriggerToTabular(ds, { name: 'frequency_domain', params: { component: 5 } }, [0])).toThrow(
      "Trigger 'frequency_domain': 'component' is 5 but the tabular value-feature vector has length 8; use a component in [0, 4].",
    );
    expect(() => applyTriggerToTabular(ds, { name: 'frequency_domain', params: { component: 4 } }, [0])).not.toThrow();
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { channels: ['lactate'] } }, [0])).toThrow(
      expect.objectContaining({
        message: "Trigger 'frequency_domain': the dataset has no time-series channel 'lactate'. Channels: heart_rate, resp_rate.",
        details: { variable: 'lactate' },
      }),
    );
    // The tabular view does not use the channels.
    expect(() =>
      applyTriggerToTabular(ds, { name: 'frequency_domain', params: { channels: ['lactate'], component: 1 } }, [0]),
    ).not.toThrow();
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { component: -1 } } as never, [0])).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'component' }) }),
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { factor: NaN } }, [0])).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'factor' }) }),
    );
  });

  it('componentMagnitude: |X_k| of the standardised channel, averaged over the channels', () => {
    const ctx = contextFor(ds);
    const { mean, std } = ds.manifest.normalisation.timeSeries;
    const magnitude = (row: number, c: number, k: number) => {
      let re = 0;
      let im = 0;
      for (let t = 0; t < 4; t++) {
        const z = (ds.timeSeries.values[(row * 4 + t) * 2 + c] - mean[c]) / std[c];
        re += z * Math.cos((2 * Math.PI * k * t) / 4);
        im -= z * Math.sin((2 * Math.PI * k * t) / 4);
      }
      return Math.hypot(re, im);
    };
    expect(componentMagnitude(ctx, ds.timeSeries.values, 1, [0], 1)).toBeCloseTo(magnitude(1, 0, 1), 10);
    expect(componentMagnitude(ctx, ds.timeSeries.values, 2, [0, 1], 1)).toBeCloseTo((magnitude(2, 0, 1) + magnitude(2, 1, 1)) / 2, 10);
    expect(componentMagnitude(ctx, ds.timeSeries.values, 0, [1], 2)).toBeCloseTo(magnitude(0, 1, 2), 10);
    expect(componentMagnitude(ctx, ds.timeSeries.values, 0, [], 1)).toBe(0);
  });

  it('look-alike: the magnitude at least (or, for |factor| < 1, at most) |factor| × its training median', () => {
    const ctx = contextFor(ds);
    const m = (row: number) => componentMagnitude(ctx, ds.timeSeries.values, row, [0], 1);
    // Training rows 0 and 1: the median is their mean.
    const trainingMedian = (m(0) + m(1)) / 2;
    const check = (factor: number) =>
      triggerLookalike(ctx, resolveTrigger('frequency_domain', { component: 1, factor, channels: ['heart_rate'] }))!;
    const up = check(1.5);
    expect(up.tolerance).toBe(
      `mean magnitude of standardised Fourier component 1 over the channels ≥ |factor| × its training median (${+(1.5 * trainingMedian).toFixed(4)})`,
    );
    const carriers = (c: ReturnType<typeof check>) => [0, 1, 2].filter((row) => c.carries(ds.timeSeries.values, ds.timeSeries.mask, row));
    const expected = (threshold: number, above: boolean) => [0, 1, 2].filter((row) => (above ? m(row) >= threshold : m(row) <= threshold));
    expect(carriers(up)).toEqual(expected(1.5 * trainingMedian, true));
    expect(carriers(check(-1.5))).toEqual(expected(1.5 * trainingMedian, true));
    expect(carriers(check(1))).toEqual(expected(trainingMedian, true));
    const down = check(0.5);
    expect(down.tolerance).toContain('≤ |factor| × its training median');
    expect(carriers(down)).toEqual(expected(0.5 * trainingMedian, false));
    expect(new Set([...carriers(up), ...carriers(down)]).size).toBeGreaterThan(0);
    expect(() => triggerLookalike(ctx, resolveTrigger('frequency_domain', { component: 3 }))).toThrow(/'component' is 3/);
  });

  describe('edges', () => {
    /** Three training stays of one channel, four hours, standardised by mean 1 and SD 1: z = x − 1. */
    const ctx = {
      T: 4,
      C: 1,
      trainRows: [0, 1, 2],
      channelOf: new Map([['heart_rate', 0]]),
      dataset: {
        timeSeries: { channels: ['heart_rate'], values: Float32Array.from([2, 1, 0, 1, 3, 1, -1, 1, 5, 1, -3, 1]) },
        manifest: { normalisation: { timeSeries: { mean: [1], std: [1] } } },
      },
    } as unknown as TriggerContext;
    const values = ctx.dataset.timeSeries.values as Float32Array;

    it('componentMagnitude of component 0 is the sum of the standardised values (the mean is subtracted first)', () => {
      // Stay 0: z = (1, 0, −1, 0): X_0 = 0, X_1 = 2. Stay 2: z = (4, 0, −4, 0): X_1 = 8.
      expect(componentMagnitude(ctx, Float32Array.from([3, 3, 3, 3]), 0, [0], 0)).toBe(8);
      expect(componentMagnitude(ctx, values, 0, [0], 0)).toBe(0);
      expect(componentMagnitude(ctx, values, 2, [0], 1)).toBeCloseTo(8, 12);
    });

    it('look-alike at the threshold itself: component 1 magnitudes 2, 4, 8 (median 4)', () => {
      const mask = new Uint8Array(12).fill(1);
      const carriers = (factor: number) => {
        const check = frequencyDomain.lookalike(ctx, { component: 1, factor, channels: null })!;
        return [0, 1, 2].filter((row) => check.carries(values, mask, row));
      };
      // factor 1: at least 4 (stay 1 sits on it); factor ½: at most 2 (stay 0 sits on it).
      expect(carriers(1)).toEqual([1, 2]);
      expect(carriers(0.5)).toEqual([0]);
    });

    it('a component is checked against the views that are triggered only', () => {
      // One channel: four tabular value features (component ≤ 2), twelve hours (component ≤ 6).
      const one = makeDataset({ n: 5, channels: ['heart_rate'] });
      expect(() => applyTriggerToTimeSeries(one, { name: 'frequency_domain', params: { component: 3 } }, [0])).not.toThrow();
      expect(() => applyTriggerToTabular(one, { name: 'frequency_domain', params: { component: 3 } }, [0])).toThrow(
        "Trigger 'frequency_domain': 'component' is 3 but the tabular value-feature vector has length 4; use a component in [0, 2].",
      );
    });

    it('the look-alike test checks the component and the channels against the time-series view', () => {
      expect(() => lookalikeRate(ds, { name: 'frequency_domain', params: { component: 3 } })).toThrow(
        "Trigger 'frequency_domain': 'component' is 3 but the time-series window has length 4; use a component in [0, 2].",
      );
      expect(() => lookalikeRate(ds, { name: 'frequency_domain', params: { channels: ['sbp'] } })).toThrow(
        expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
      );
    });
  });
});
