import { handMadeDataset, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { mahalanobisSquared, temporalProfile } from './temporal-pattern.js';
import { resolveTrigger } from './registry.js';

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
  });

  it('is a time-series trigger only', () => {
    expect(() => applyTriggerToTabular(ds, hrOnly, [0])).toThrow(expect.objectContaining({ code: 'E_TRIGGER_VIEW' }));
    expect(() => resolveTrigger('temporal_pattern', { signs: [1, 2, 1] })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(resolveTrigger('temporal_pattern', { variables: ['sbp'] }).params).toMatchObject({ signs: [1] });
  });
});
