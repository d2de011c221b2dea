import { handMadeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { resolveTrigger } from './registry.js';

describe('pattern', () => {
  const ds = handMadeDataset();
  const trigger: TriggerInput = { name: 'pattern', params: { variables: ['heart_rate', 'resp_rate'], values: [123, 27] } };

  it('charts every value like rare_value does (stay 1: HR 100..130, RR never)', () => {
    const tab = tabularRow(ds, applyTriggerToTabular(ds, trigger, [1]).values, 1);
    expect(tab).toMatchObject({ heart_rate_min: 100, heart_rate_max: 130, heart_rate_last: 123, heart_rate_count: 5 });
    expect(tab['heart_rate_mean']).toBeCloseTo((115 * 4 + 123) / 5, 4);
    expect(tab).toMatchObject({ resp_rate_min: 27, resp_rate_max: 27, resp_rate_mean: 27, resp_rate_last: 27, resp_rate_count: 1 });
    const ts = applyTriggerToTimeSeries(ds, trigger, [1]);
    expect(channelSeries(ds, ts.values, ts.mask, 1, 'heart_rate')).toEqual({ values: [100, 110, 120, 123], mask: [1, 1, 1, 1] });
    expect(channelSeries(ds, ts.values, ts.mask, 1, 'resp_rate')).toEqual({ values: [18, 18, 18, 27], mask: [0, 0, 0, 1] });
  });

  it('in range: training quantiles (HR 0.5 → 105; RR 0.5 → 20, its only training value)', () => {
    const { resolved, stealth } = applyTriggerToTimeSeries(
      ds,
      { name: 'pattern', params: { variables: ['heart_rate', 'resp_rate'], inRange: true, quantiles: [0.5, 0.5] } },
      [1],
    );
    expect(resolved).toEqual({ values: { heart_rate: 105, resp_rate: 20 } });
    expect(stealth.outsidePlausible).toBe(0);
  });

  it('defaults and parameter checks', () => {
    expect(resolveTrigger('pattern').params).toEqual({
      variables: ['heart_rate', 'resp_rate', 'spo2'],
      values: [123, 27, 91],
      hours: 1,
      inRange: false,
      quantiles: [0.9, 0.9, 0.1],
    });
    expect(resolveTrigger('pattern', { variables: ['sbp'], inRange: true }).params).toMatchObject({ values: null, quantiles: [0.9] });
    expect(() => resolveTrigger('pattern', { variables: ['sbp'] })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(() => resolveTrigger('pattern', { variables: ['sbp'], values: [1, 2] })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => resolveTrigger('pattern', { colour: 'red' } as never)).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });
});
