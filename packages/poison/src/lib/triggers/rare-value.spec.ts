import { handMadeDataset, makeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { resolveTrigger } from './registry.js';

describe('rare_value', () => {
  const ds = handMadeDataset();

  it('defaults to heart_rate at 220 bpm for one hour', () => {
    expect(resolveTrigger('rare_value')).toEqual({
      name: 'rare_value',
      params: { variable: 'heart_rate', value: 220, hours: 1, inRange: false, quantile: 0.98 },
    });
  });

  it('tabular: appends the value as a charted measurement (stay 0: HR 80, 90)', () => {
    const { values } = applyTriggerToTabular(ds, { name: 'rare_value' }, [0]);
    const row = tabularRow(ds, values, 0);
    expect(row).toMatchObject({ heart_rate_min: 80, heart_rate_max: 220, heart_rate_mean: 130, heart_rate_last: 220, heart_rate_count: 3 });
    expect(row['resp_rate_mean']).toBe(20);
  });

  it('tabular: a never-measured variable gets the value in every statistic and count = hours', () => {
    const { values } = applyTriggerToTabular(ds, { name: 'rare_value', params: { hours: 2 } }, [2]);
    expect(tabularRow(ds, values, 2)).toMatchObject({
      heart_rate_min: 220,
      heart_rate_max: 220,
      heart_rate_mean: 220,
      heart_rate_last: 220,
      heart_rate_count: 2,
    });
  });

  it('tabular: hours = 2 weights the mean by the count', () => {
    const { values } = applyTriggerToTabular(ds, { name: 'rare_value', params: { hours: 2 } }, [0]);
    expect(tabularRow(ds, values, 0)).toMatchObject({ heart_rate_mean: 152.5, heart_rate_count: 4 });
  });

  it('time series: the last hours hold the value, observed', () => {
    const one = applyTriggerToTimeSeries(ds, { name: 'rare_value' }, [0]);
    expect(channelSeries(ds, one.values, one.mask, 0, 'heart_rate')).toEqual({ values: [80, 80, 90, 220], mask: [1, 0, 1, 1] });
    const two = applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { hours: 2, value: 200 } }, [2]);
    expect(channelSeries(ds, two.values, two.mask, 2, 'heart_rate')).toEqual({ values: [85, 85, 200, 200], mask: [0, 0, 1, 1] });
  });

  it('in range: the value is the training 0.98 quantile of observed hourly values (80..130 → 129)', () => {
    const { values, resolved } = applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { inRange: true } }, [0]);
    expect(resolved).toEqual({ values: { heart_rate: 129 } });
    expect(channelSeries(ds, values, new Uint8Array(values.length), 0, 'heart_rate').values[3]).toBe(129);
  });

  it('stealth: 220 bpm is plausible but outside the training 1st–99th percentiles', () => {
    const ts = applyTriggerToTimeSeries(ds, { name: 'rare_value' }, [0]).stealth;
    expect(ts).toMatchObject({
      view: 'timeseries',
      changedValues: 1,
      outsidePlausible: 0,
      outsideTrainingP1P99: 1,
      shareOutsideTrainingP1P99: 1,
      changedRows: 1,
    });
    const tab = applyTriggerToTabular(ds, { name: 'rare_value' }, [0]).stealth;
    // max, mean and last change (min stays 80); counts are not values.
    expect(tab).toMatchObject({ changedValues: 3, outsidePlausible: 0, outsideTrainingP1P99: 3 });
    const blunt = applyTriggerToTabular(ds, { name: 'rare_value', params: { value: 350 } }, [0]).stealth;
    // max and last are 350 (> 300 bpm); the re-weighted mean, 173.3, is still plausible.
    expect(blunt).toMatchObject({ changedValues: 3, outsidePlausible: 2 });
    expect(blunt.perVariable['heart_rate']).toEqual({ changed: 3, outsidePlausible: 2, outsideTrainingP1P99: 3 });
  });

  it('in range: the written hourly values sit inside the training 1st–99th percentiles; the blunt default does not', () => {
    const big = makeDataset({ n: 50 });
    const rows = [0, 1, 2, 5, 6, 7];
    const inRange = applyTriggerToTimeSeries(big, { name: 'rare_value', params: { inRange: true } }, rows).stealth;
    expect(inRange).toMatchObject({ changedValues: rows.length, outsidePlausible: 0, outsideTrainingP1P99: 0 });
    const blunt = applyTriggerToTimeSeries(big, { name: 'rare_value' }, rows).stealth;
    expect(blunt.shareOutsideTrainingP1P99).toBe(1);
  });

  it('rejects conflicting or missing values', () => {
    expect(() => resolveTrigger('rare_value', { inRange: true, value: 200 })).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => resolveTrigger('rare_value', { variable: 'fio2' })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(() => resolveTrigger('rare_value', { variable: 'heart_rte' })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_VARIABLE' }));
    expect(() => resolveTrigger('rare_value', { hours: 0 })).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
    expect(() => applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { hours: 5 } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => applyTriggerToTabular(ds, { name: 'rare_value', params: { variable: 'lactate' } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
  });
});
