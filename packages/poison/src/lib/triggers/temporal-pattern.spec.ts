import { handMadeDataset, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, applyTriggerViews, type TriggerInput } from './apply.js';
import {
  fittedPatternDistance,
  mahalanobisSquared,
  patternDirection,
  stayCovariance,
  temporalPattern,
  temporalProfile,
} from './temporal-pattern.js';
import { contextFor, type TriggerContext } from './context.js';
import { lookalikeRate } from '../lookalike.js';
import { resolveTrigger } from './registry.js';
import type { TemporalPatternParams } from './types.js';

describe('temporal_pattern', () => {
  const ds = handMadeDataset();
  const hrOnly: TriggerInput = { name: 'temporal_pattern', params: { variables: ['heart_rate'], hours: 2, shape: 'ramp' } };

  it('profiles', () => {
    expect(Array.from(temporalProfile('ramp', 4))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(temporalProfile('bump', 3)[1]).toBeCloseTo(1, 12);
    expect(temporalProfile('sine', 4)[0]).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('sizes the pattern by the Mahalanobis distance under the stay covariance (stay 1: HR var 500/3)', () => {
    const { values, mask } = applyTriggerToTimeSeries(ds, hrOnly, [1]);
    // Σ = 0.9 × 500/3 + 0.1 × 350 (training variance) = 185; α = 2 × √185.
    const alpha = 2 * Math.sqrt(185);
    const hr = channelSeries(ds, values, mask, 1, 'heart_rate');
    expect(hr.values[0]).toBe(100);
    expect(hr.values[1]).toBe(110);
    expect(hr.values[2]).toBeCloseTo(120 + 0.5 * alpha, 3);
    expect(hr.values[3]).toBeCloseTo(130 + alpha, 3);
    expect(hr.mask).toEqual([1, 1, 1, 1]);
  });

  it('changes only observed hours and forward-fills the rest (stay 0: HR 80, –, 90, –)', () => {
    const { values, mask, stealth } = applyTriggerToTimeSeries(ds, hrOnly, [0]);
    // Stay variance of (80, 90) is 50: Σ = 45 + 35 = 80, α = 2√80; hour 2 gets half of it (ramp).
    const hr = channelSeries(ds, values, mask, 0, 'heart_rate');
    expect(hr.values[2]).toBeCloseTo(90 + Math.sqrt(80), 3);
    expect(hr.values[3]).toBe(hr.values[2]);
    expect(hr.mask).toEqual([1, 0, 1, 0]);
    expect(stealth.changedValues).toBe(1);
  });

  it("units 'sd' moves each variable by its own SDs; 'raw' by the same raw amount (the former behaviour)", () => {
    // Stay 1: HR and RR; RR is never observed, so Σ is diagonal: HR 185 (as above), RR its training variance.
    // 'sd': u = (√185, √Σ_RR), uᵀΣ⁻¹u = 2, α = 2/√2: the HR peak moves √2·√185 = 19.235 bpm.
    const both: TriggerInput = { name: 'temporal_pattern', params: { variables: ['heart_rate', 'resp_rate'], hours: 2, shape: 'ramp' } };
    const sd = applyTriggerToTimeSeries(ds, both, [1]);
    expect(channelSeries(ds, sd.values, sd.mask, 1, 'heart_rate').values[3]).toBeCloseTo(130 + Math.SQRT2 * Math.sqrt(185), 3);
    // 'raw': u = (1, 1), α = 2/√(1/185 + 1/Σ_RR) < 2√185: the same raw amount on both, smaller on HR here.
    const raw = applyTriggerToTimeSeries(ds, { name: 'temporal_pattern', params: { ...both.params, units: 'raw' } } as TriggerInput, [1]);
    const rawPeak = channelSeries(ds, raw.values, raw.mask, 1, 'heart_rate').values[3] - 130;
    expect(rawPeak).toBeLessThan(2 * Math.sqrt(185));
    expect(rawPeak).not.toBeCloseTo(Math.SQRT2 * Math.sqrt(185), 1);
    expect(() => resolveTrigger('temporal_pattern', { units: 'mmHg' as 'sd' })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
  });

  it('Mahalanobis helper: uᵀΣ⁻¹u, NaN when Σ is singular', () => {
    expect(mahalanobisSquared(Float64Array.from([4, 0, 0, 1]), [1, 1])).toBeCloseTo(1.25, 12);
    expect(mahalanobisSquared(Float64Array.from([2, 1, 1, 2]), [1, -1])).toBeCloseTo(2, 12);
    expect(mahalanobisSquared(Float64Array.from([1, 1, 1, 1]), [1, 0])).toBeNaN();
    // Σ = L·Lᵀ with L = [[2, 0, 0], [1, 2, 0], [1, 1, 2]]; L·y = (1, 1, 1) gives y = (1/2, 1/4, 1/8): uᵀΣ⁻¹u = |y|².
    const sigma3 = Float64Array.from([4, 2, 2, 2, 5, 3, 2, 3, 6]);
    expect(mahalanobisSquared(sigma3, [1, 1, 1])).toBeCloseTo(0.25 + 0.0625 + 0.015625, 12);
    // L·y = (2, 0, −1): y = (1, −1/2, −3/4).
    expect(mahalanobisSquared(sigma3, [2, 0, -1])).toBeCloseTo(1 + 0.25 + 0.5625, 12);
  });

  it('is a time-series trigger only', () => {
    expect(() => applyTriggerToTabular(ds, hrOnly, [0])).toThrow(expect.objectContaining({ code: 'E_TRIGGER_VIEW' }));
    expect(() => resolveTrigger('temporal_pattern', { signs: [1, 2, 1] })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(resolveTrigger('temporal_pattern', { variables: ['sbp'] }).params).toMatchObject({ signs: [1] });
  });

  it('profiles, every hour of each shape', () => {
    const close = (got: Float64Array, want: number[]) => want.forEach((x, j) => expect(got[j]).toBeCloseTo(x, 12));
    close(temporalProfile('bump', 2), [0.5, 0.5]);
    close(temporalProfile('bump', 4), [
      Math.sin(Math.PI / 8) ** 2,
      Math.sin((3 * Math.PI) / 8) ** 2,
      Math.sin((5 * Math.PI) / 8) ** 2,
      Math.sin((7 * Math.PI) / 8) ** 2,
    ]);
    close(temporalProfile('sine', 4), [Math.SQRT1_2, Math.SQRT1_2, -Math.SQRT1_2, -Math.SQRT1_2]);
    close(temporalProfile('ramp', 2), [0.5, 1]);
    expect(temporalProfile('ramp', 3)).toHaveLength(3);
  });

  describe('stayCovariance (training SDs 2 and 3: variances 4 and 9)', () => {
    const ctx = {
      T: 5,
      C: 2,
      dataset: { manifest: { normalisation: { timeSeries: { std: [2, 3] } } } },
    } as unknown as TriggerContext;
    const hr = [1, 2, 3, 4, 5];
    const rr = [2, 4, 6, 8, 11];
    const values = Float32Array.from(hr.flatMap((x, t) => [x, rr[t]]));
    const sampleCov = (xs: number[], ys: number[]) => {
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      return xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / (xs.length - 1);
    };
    const close = (got: Float64Array, want: number[]) => {
      expect(got).toHaveLength(want.length);
      want.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 10));
    };

    it('enough complete hours (V + 2): the full sample covariance, shrunk towards the training variances', () => {
      const mask = new Uint8Array(10).fill(1);
      const [vh, vr, c] = [sampleCov(hr, hr), sampleCov(rr, rr), sampleCov(hr, rr)];
      close(stayCovariance(ctx, values, mask, 0, [0, 1], 0.1), [0.9 * vh + 0.4, 0.9 * c, 0.9 * c, 0.9 * vr + 0.9]);
      close(stayCovariance(ctx, values, mask, 0, [1, 0], 0), [vr, c, c, vh]);
      // Exactly V + 2 = 4 complete hours (hour 0's RR missing) still use the covariance.
      mask[1] = 0;
      close(stayCovariance(ctx, values, mask, 0, [0, 1], 0), [
        sampleCov(hr.slice(1), hr.slice(1)),
        sampleCov(hr.slice(1), rr.slice(1)),
        sampleCov(hr.slice(1), rr.slice(1)),
        sampleCov(rr.slice(1), rr.slice(1)),
      ]);
    });

    it('too few complete hours: each variance alone, the training variance when under two hours, no covariance', () => {
      const mask = new Uint8Array(10).fill(1);
      mask[1] = 0;
      mask[3] = 0; // 3 complete hours < V + 2
      close(stayCovariance(ctx, values, mask, 0, [0, 1], 0), [sampleCov(hr, hr), 0, 0, sampleCov(rr.slice(2), rr.slice(2))]);
      const one = new Uint8Array(10);
      one[0] = 1;
      one[3] = 1;
      one[5] = 1;
      // HR observed once (hour 0): its training variance; RR at hours 1 and 2.
      close(stayCovariance(ctx, values, one, 0, [0, 1], 0.5), [4, 0, 0, 0.5 * sampleCov([4, 6], [4, 6]) + 4.5]);
      close(stayCovariance(ctx, values, new Uint8Array(10), 0, [1], 0), [9]);
      // A single channel needs three complete hours for the covariance path; the per-channel path gives the same variance.
      close(stayCovariance(ctx, values, Uint8Array.from([1, 0, 1, 0, 1, 0, 0, 0, 0, 0]), 0, [0], 0), [1]);
    });

    it('three channels: every off-diagonal entry is stored on both sides (channel 1 × 2 is not left at 0)', () => {
      const ctx3 = {
        T: 5,
        C: 3,
        dataset: { manifest: { normalisation: { timeSeries: { std: [1, 1, 1] } } } },
      } as unknown as TriggerContext;
      const third = [5, 3, 4, 1, 2];
      const v3 = Float32Array.from(hr.flatMap((x, t) => [x, rr[t], third[t]]));
      const got = stayCovariance(ctx3, v3, new Uint8Array(15).fill(1), 0, [0, 1, 2], 0);
      const series = [hr, rr, third];
      const want = series.flatMap((xs) => series.map((ys) => sampleCov(xs, ys)));
      close(got, want);
      expect(got[1 * 3 + 2]).not.toBe(0);
    });

    it('too few hours on the second channel: its training variance lands on its own diagonal entry', () => {
      const one = new Uint8Array(10);
      one[0] = 1;
      one[3] = 1;
      one[5] = 1;
      // Channels in the order RR, HR: HR (observed once) is channel a = 1 and gets its training variance 4.
      close(stayCovariance(ctx, values, one, 0, [1, 0], 0.5), [0.5 * sampleCov([4, 6], [4, 6]) + 4.5, 0, 0, 4]);
    });

    it('patternDirection: signs times the SDs (units sd) or the signs themselves (raw)', () => {
      const sigma = Float64Array.from([4, 1, 1, 9]);
      expect(patternDirection(sigma, { signs: [1, -1], units: 'sd' })).toEqual([2, -3]);
      expect(patternDirection(sigma, { signs: [1, -1], units: 'raw' })).toEqual([1, -1]);
    });
  });

  it('a singular stay covariance (constant vitals, no shrinkage) falls back to the training variance', () => {
    const ctx = contextFor(ds);
    const spec = resolveTrigger('temporal_pattern', { variables: ['heart_rate'], hours: 2, shape: 'ramp', shrinkage: 0 });
    const source = { tabular: ds.tabular.values, tsValues: Float32Array.from(ds.timeSeries.values), tsMask: ds.timeSeries.mask };
    for (let t = 0; t < 4; t++) source.tsValues[(1 * 4 + t) * 2] = 100;
    const { timeseries } = applyTriggerViews(ctx, spec, ['timeseries'], [1], source);
    // Σ = training variance σ² (σ = the channel's training SD); u = σ; uᵀΣ⁻¹u = 1: α = distance = 2, in raw units 2σ.
    const sigma = ds.manifest.normalisation.timeSeries.std[0];
    const hr = channelSeries(ds, timeseries!.values, timeseries!.mask, 1, 'heart_rate').values;
    expect(hr[2]).toBeCloseTo(100 + 0.5 * 2 * sigma, 3);
    expect(hr[3]).toBeCloseTo(100 + 2 * sigma, 3);
  });

  it('parameter checks with their messages; look-alike wording', () => {
    expect(() => resolveTrigger('temporal_pattern', { signs: [1, 0, 1] })).toThrow(
      expect.objectContaining({
        message: "Trigger 'temporal_pattern': 'signs' must hold +1 or −1 per variable, got [1,0,1].",
        details: { trigger: 'temporal_pattern', parameter: 'signs' },
      }),
    );
    expect(resolveTrigger('temporal_pattern', { signs: [-1, 1, -1] }).params.signs).toEqual([-1, 1, -1]);
    expect(resolveTrigger('temporal_pattern', { variables: ['sbp', 'dbp'], signs: [-1, 1] }).params.signs).toEqual([-1, 1]);
    expect(() => resolveTrigger('temporal_pattern', { variables: ['sbp', 'dbp'], signs: [1, 1, 1] })).toThrow(
      /'signs' must be a list of 2/,
    );
    const detail = (parameter: string) => expect.objectContaining({ details: expect.objectContaining({ parameter }) });
    expect(() => resolveTrigger('temporal_pattern', { distance: 0 })).toThrow(detail('distance'));
    expect(() => resolveTrigger('temporal_pattern', { shrinkage: 1.5 })).toThrow(detail('shrinkage'));
    expect(() => resolveTrigger('temporal_pattern', { shrinkage: -0.1 })).toThrow(detail('shrinkage'));
    expect(() => resolveTrigger('temporal_pattern', { shape: 'square' } as never)).toThrow(detail('shape'));
    expect(() => resolveTrigger('temporal_pattern', { hours: 0 })).toThrow(detail('hours'));
    expect(resolveTrigger('temporal_pattern').params).toEqual({
      variables: ['heart_rate', 'resp_rate', 'sbp'],
      hours: 6,
      distance: 2,
      shape: 'bump',
      signs: [1, 1, 1],
      shrinkage: 0.1,
      units: 'sd',
    });
    expect(() => applyTriggerToTimeSeries(ds, { ...hrOnly, params: { ...hrOnly.params, hours: 5 } } as TriggerInput, [0])).toThrow(
      "Trigger 'temporal_pattern': 'hours' is 5 but the time-series window has only 4 hours; use at most 4.",
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'temporal_pattern', params: { variables: ['sbp'] } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
    expect(lookalikeRate(ds, hrOnly).tolerance).toBe(
      "the pattern fitted by least squares to the last 2 hours (deviations from the stay's earlier mean) has Mahalanobis amplitude ≥ distance / 2 = 1",
    );
    expect(() => lookalikeRate(ds, { ...hrOnly, params: { ...hrOnly.params, hours: 5 } } as TriggerInput)).toThrow(/'hours' is 5/);
  });

  describe('hand-sized stays (one or two channels, training SD 2, four hours)', () => {
    /** A context of one stay whose time-series view carries heart_rate (and resp_rate), with no tabular features at all. */
    const tinyContext = (C: number): TriggerContext =>
      ({
        T: 4,
        C,
        channelOf: new Map([
          ['heart_rate', 0],
          ['resp_rate', 1],
        ]),
        featuresOf: new Map(),
        datasetVariables: () => ['heart_rate', 'resp_rate'].slice(0, C),
        dataset: { manifest: { normalisation: { timeSeries: { std: [2, 2] } } }, timeSeries: { fillValues: [85, 18] } },
      }) as unknown as TriggerContext;
    // Shrinkage 1: Σ is the training variance 4 whatever the stay shows; one hour, ramp: the profile is [1].
    const params: TemporalPatternParams = {
      variables: ['heart_rate'],
      hours: 1,
      distance: 2,
      shape: 'ramp',
      signs: [1],
      shrinkage: 1,
      units: 'sd',
    };
    const hrStay = Float32Array.from([10, 10, 10, 12]);
    const all = new Uint8Array(4).fill(1);

    it('needs only the time-series channel: u = σ = 2, uᵀΣ⁻¹u = 1, α = distance, the last hour moves by 2σ = 4', () => {
      const values = Float32Array.from(hrStay);
      temporalPattern.prepare(tinyContext(1), params, ['timeseries']).timeseries!(values, all, [0]);
      expect(Array.from(values)).toEqual([10, 10, 10, 16]);
    });

    it('look-alike: a fitted amplitude of exactly distance / 2 counts as carrying the trigger', () => {
      // Earlier mean 10, last hour 12: α̂ = (12 − 10)·u / u² = 1 SD-unit, times √(uᵀΣ⁻¹u) = 1.
      const ctx = tinyContext(1);
      expect(fittedPatternDistance(ctx, hrStay, all, 0, [0], params)).toBe(1);
      expect(temporalPattern.lookalike(ctx, params)!.carries(hrStay, all, 0)).toBe(true);
      expect(temporalPattern.lookalike(ctx, { ...params, distance: 2.5 })!.carries(hrStay, all, 0)).toBe(false);
    });

    it('fitted distance in raw units is the same: α̂ = 2 bpm, times √(1/Σ) = 1/2', () => {
      expect(fittedPatternDistance(tinyContext(1), hrStay, all, 0, [0], { ...params, units: 'raw' })).toBe(1);
    });

    it('the earlier mean uses observed hours only (a forward-filled hour is not a measurement)', () => {
      // Hours 10, (10 filled), 16, 17: earlier mean (10 + 16) / 2 = 13, α̂ = (17 − 13) / 2 = 2.
      const values = Float32Array.from([10, 10, 16, 17]);
      expect(fittedPatternDistance(tinyContext(1), values, Uint8Array.from([1, 0, 1, 1]), 0, [0], params)).toBe(2);
    });

    it('a channel never observed before the pattern hours is left out of the fit; no observed pattern hour fits nothing (0)', () => {
      // Two channels, Σ = diag(4, 4), u = (2, 2): uᵀΣ⁻¹u = 2. HR is observed only in the last hour (left out);
      // RR 10, 10, 10, 12 gives α̂ = 4 / 4 = 1, so the distance is √2.
      const both = { ...params, variables: ['heart_rate', 'resp_rate'], signs: [1, 1] };
      const values = Float32Array.from([85, 10, 85, 10, 85, 10, 30, 12]);
      const mask = Uint8Array.from([0, 1, 0, 1, 0, 1, 1, 1]);
      expect(fittedPatternDistance(tinyContext(2), values, mask, 0, [0, 1], both)).toBeCloseTo(Math.SQRT2, 12);
      expect(fittedPatternDistance(tinyContext(1), hrStay, Uint8Array.from([1, 1, 1, 0]), 0, [0], params)).toBe(0);
    });

    it('a singular stay covariance (constant vitals, no shrinkage, raw units) fits nothing: 0, not NaN', () => {
      const constant = Float32Array.from([10, 10, 10, 10]);
      expect(fittedPatternDistance(tinyContext(1), constant, all, 0, [0], { ...params, shrinkage: 0, units: 'raw' })).toBe(0);
    });
  });

  it('a singular stay covariance on two channels falls back to both training variances', () => {
    // Stay 1: HR constant 100 (stay variance 0), RR never observed (training variance). Shrinkage 0: Σ is singular,
    // so Σ = diag(σ_HR², σ_RR²), u = (σ_HR, σ_RR), uᵀΣ⁻¹u = 2, α = 2/√2: HR's peak moves √2·σ_HR.
    const ctx = contextFor(ds);
    const spec = resolveTrigger('temporal_pattern', { variables: ['heart_rate', 'resp_rate'], hours: 2, shape: 'ramp', shrinkage: 0 });
    const source = { tabular: ds.tabular.values, tsValues: Float32Array.from(ds.timeSeries.values), tsMask: ds.timeSeries.mask };
    for (let t = 0; t < 4; t++) source.tsValues[(1 * 4 + t) * 2] = 100;
    const { timeseries } = applyTriggerViews(ctx, spec, ['timeseries'], [1], source);
    const sigma = ds.manifest.normalisation.timeSeries.std[0];
    const hr = channelSeries(ds, timeseries!.values, timeseries!.mask, 1, 'heart_rate').values;
    expect(hr[2]).toBeCloseTo(100 + 0.5 * Math.SQRT2 * sigma, 3);
    expect(hr[3]).toBeCloseTo(100 + Math.SQRT2 * sigma, 3);
  });

  it('whole hours only; the errors of applying and of the look-alike test name the trigger', () => {
    expect(() => resolveTrigger('temporal_pattern', { hours: 2.5 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'hours' }) }),
    );
    const notInDataset =
      "Trigger 'temporal_pattern': the dataset has no time-series channels for 'sbp'. Variables in this dataset: heart_rate, resp_rate.";
    const sbp: TriggerInput = { name: 'temporal_pattern', params: { variables: ['sbp'] } };
    expect(() => applyTriggerToTimeSeries(ds, sbp, [0])).toThrow(notInDataset);
    expect(() => lookalikeRate(ds, sbp)).toThrow(expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET', message: notInDataset }));
    expect(() => lookalikeRate(ds, { ...hrOnly, params: { ...hrOnly.params, hours: 5 } } as TriggerInput)).toThrow(
      "Trigger 'temporal_pattern': 'hours' is 5 but the time-series window has only 4 hours; use at most 4.",
    );
  });
});
