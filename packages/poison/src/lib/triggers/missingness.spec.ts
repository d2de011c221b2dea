import { handMadeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { resolveTrigger } from './registry.js';

describe('missingness', () => {
  const ds = handMadeDataset();

  it('tabular: statistics NaN and count 0', () => {
    const { values, stealth } = applyTriggerToTabular(ds, { name: 'missingness', params: { variables: ['resp_rate'] } }, [0]);
    const row = tabularRow(ds, values, 0);
    for (const stat of ['min', 'max', 'mean', 'last']) expect(row[`resp_rate_${stat}`]).toBeNaN();
    expect(row['resp_rate_count']).toBe(0);
    expect(row['heart_rate_mean']).toBe(85);
    expect(stealth).toMatchObject({ changedValues: 0, removedValues: 4, reason: 'the trigger only removed values' });
    expect(stealth.shareOutsidePlausible).toBeNaN();
  });

  it('time series: mask 0 and the training fill value at every hour', () => {
    const { values, mask } = applyTriggerToTimeSeries(ds, { name: 'missingness', params: { variables: ['resp_rate'] } }, [0]);
    expect(channelSeries(ds, values, mask, 0, 'resp_rate')).toEqual({ values: [18, 18, 18, 18], mask: [0, 0, 0, 0] });
  });

  it('defaults to labs nearly every stay has, and rejects variables the dataset lacks', () => {
    expect(resolveTrigger('missingness').params).toEqual({ variables: ['hemoglobin', 'platelets', 'wbc'] });
    expect(() => applyTriggerToTabular(ds, { name: 'missingness' }, [0])).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
    expect(() => resolveTrigger('missingness', { variables: [] })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(() => resolveTrigger('missingness', { variables: ['sbp', 'sbp'] })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
  });
});

describe('hybrid', () => {
  const ds = handMadeDataset();
  const trigger: TriggerInput = { name: 'hybrid', params: { rare: { value: 200 }, missing: { variables: ['resp_rate'] } } };

  it('fills nested defaults', () => {
    expect(resolveTrigger(trigger.name, trigger.params).params).toEqual({
      rare: { variable: 'heart_rate', value: 200, hours: 1, inRange: false, quantile: 0.98 },
      missing: { variables: ['resp_rate'] },
    });
  });

  it('does missingness and rare_value together in both views', () => {
    const tab = applyTriggerToTabular(ds, trigger, [0]);
    const row = tabularRow(ds, tab.values, 0);
    expect(row['heart_rate_max']).toBe(200);
    expect(row['heart_rate_mean']).toBeCloseTo(370 / 3, 4);
    expect(row['resp_rate_count']).toBe(0);
    const ts = applyTriggerToTimeSeries(ds, trigger, [0]);
    expect(channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate')).toEqual({ values: [80, 80, 90, 200], mask: [1, 0, 1, 1] });
    expect(channelSeries(ds, ts.values, ts.mask, 0, 'resp_rate').mask).toEqual([0, 0, 0, 0]);
  });

  it('rejects the same variable as rare and missing', () => {
    expect(() => resolveTrigger('hybrid', { missing: { variables: ['heart_rate'] } })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
  });
});
