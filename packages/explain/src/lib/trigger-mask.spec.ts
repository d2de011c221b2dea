import { tabularTriggerMask, timeSeriesChannelGroups, timeSeriesTriggerMask, triggerMaskFromDiff } from './trigger-mask.js';

describe('trigger masks', () => {
  it('diffs clean and triggered inputs, NaN included', () => {
    expect(Array.from(triggerMaskFromDiff([1, NaN, 3, NaN], [1, 2, 3.5, NaN]))).toEqual([0, 1, 1, 0]);
    expect(Array.from(triggerMaskFromDiff([1, 2], [1.05, 2], 0.1))).toEqual([0, 0]);
    expect(() => triggerMaskFromDiff([1], [1, 2])).toThrow(expect.objectContaining({ code: 'E_TRIGGER_MASK' }));
  });

  it('maps trigger variables to the tabular features summarising them', () => {
    const features = [
      { name: 'heart_rate_min', variable: 'heart_rate' },
      { name: 'heart_rate_count', variable: 'heart_rate' },
      { name: 'sbp_min', variable: 'sbp' },
      { name: 'age', variable: 'age' },
    ];
    expect(Array.from(tabularTriggerMask(features, ['heart_rate']))).toEqual([1, 1, 0, 0]);
    expect(() => tabularTriggerMask(features, ['lactate'])).toThrow(expect.objectContaining({ code: 'E_TRIGGER_MASK' }));
  });

  it('marks channel values and flags over the last hours of the [T, 2C] layout', () => {
    // C = 2 channels, T = 3 hours: per hour [v_a, v_b, m_a, m_b].
    const mask = timeSeriesTriggerMask(['a', 'b'], 3, ['b'], 1);
    expect(Array.from(mask)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    expect(Array.from(timeSeriesChannelGroups(['a', 'b'], 2).index)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });
});
