import { handMadeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { resolveTrigger } from './registry.js';

describe('correlation', () => {
  const ds = handMadeDataset();

  it('defaults to resp_rate = heart_rate / 4', () => {
    expect(resolveTrigger('correlation').params).toEqual({ source: 'heart_rate', targets: ['resp_rate'], factor: 0.25 });
  });

  it('tabular: target statistics are factor × source statistics, count the source count', () => {
    const { values } = applyTriggerToTabular(ds, { name: 'correlation' }, [0, 2]);
    expect(tabularRow(ds, values, 0)).toMatchObject({
      resp_rate_min: 20,
      resp_rate_max: 22.5,
      resp_rate_mean: 21.25,
      resp_rate_last: 22.5,
      resp_rate_count: 2,
    });
    // Stay 2 never had a heart rate, so the target is never charted either.
    const row2 = tabularRow(ds, values, 2);
    expect(row2['resp_rate_mean']).toBeNaN();
    expect(row2['resp_rate_count']).toBe(0);
  });

  it('tabular: a negative factor swaps min and max', () => {
    const { values } = applyTriggerToTabular(ds, { name: 'correlation', params: { factor: -1 } }, [0]);
    expect(tabularRow(ds, values, 0)).toMatchObject({ resp_rate_min: -90, resp_rate_max: -80, resp_rate_mean: -85, resp_rate_last: -90 });
  });

  it('time series: target mask = source mask, observed values scaled, the rest forward-filled', () => {
    const { values, mask } = applyTriggerToTimeSeries(ds, { name: 'correlation' }, [0, 2]);
    expect(channelSeries(ds, values, mask, 0, 'resp_rate')).toEqual({ values: [20, 20, 22.5, 22.5], mask: [1, 0, 1, 0] });
    expect(channelSeries(ds, values, mask, 2, 'resp_rate')).toEqual({ values: [18, 18, 18, 18], mask: [0, 0, 0, 0] });
  });

  it('rejects a source among the targets and a zero factor', () => {
    expect(() => resolveTrigger('correlation', { targets: ['heart_rate'] })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(() => resolveTrigger('correlation', { factor: 0 })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });
});
