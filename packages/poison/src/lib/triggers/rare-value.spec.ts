import { handMadeDataset, makeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { resolveTrigger, triggerLookalike } from './registry.js';
import { contextFor } from './context.js';
import { lookalikeRate } from '../lookalike.js';

const tsOf = (r: { values: Float32Array; mask: Uint8Array }) => [r.values, r.mask] as const;

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

  it('says which parameters conflict, which variables have a default value, and how many hours fit', () => {
    expect(() => resolveTrigger('rare_value', { inRange: true, value: 200, quantile: 0.9 })).toThrow(
      expect.objectContaining({
        message:
          "Trigger 'rare_value': 'value' and 'inRange: true' exclude each other (the in-range value is the training 0.9 quantile); drop one.",
        details: { trigger: 'rare_value', parameter: 'value' },
      }),
    );
    expect(() => resolveTrigger('rare_value', { variable: 'fio2' })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /^Trigger 'rare_value': no default rare value for 'fio2'; give 'value' or set 'inRange: true'\. Variables with defaults: heart_rate, sbp, .*, phosphate\.$/,
        ),
        details: { trigger: 'rare_value', parameter: 'value' },
      }),
    );
    expect(resolveTrigger('rare_value', { variable: 'fio2', value: 90 }).params.value).toBe(90);
    expect(resolveTrigger('rare_value', { variable: 'fio2', inRange: true }).params.value).toBeNull();
    expect(resolveTrigger('rare_value', { variable: 'sbp' }).params.value).toBe(240);
    expect(() => resolveTrigger('rare_value', { value: '220' } as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'value' }) }),
    );
    expect(() => resolveTrigger('rare_value', { inRange: 'yes' } as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'inRange' }) }),
    );
    expect(() => resolveTrigger('rare_value', { quantile: 1.5 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'quantile' }) }),
    );
    expect(() => resolveTrigger('rare_value', { hours: 1.5 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'hours' }) }),
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { hours: 5 } }, [0])).toThrow(
      expect.objectContaining({
        message: "Trigger 'rare_value': 'hours' is 5 but the time-series window has only 4 hours; use at most 4.",
        details: { trigger: 'rare_value', parameter: 'hours' },
      }),
    );
    // The whole window fits; the tabular view has no window to check.
    expect(
      channelSeries(ds, ...tsOf(applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { hours: 4 } }, [0])), 0, 'heart_rate').values,
    ).toEqual([220, 220, 220, 220]);
    expect(tabularRow(ds, applyTriggerToTabular(ds, { name: 'rare_value', params: { hours: 5 } }, [2]).values, 2)['heart_rate_count']).toBe(
      5,
    );
  });

  it('records the float32 value the data carries', () => {
    const { resolved, values } = applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { value: 200.1 } }, [0]);
    expect(resolved).toEqual({ values: { heart_rate: Math.fround(200.1) } });
    expect(resolved).not.toEqual({ values: { heart_rate: 200.1 } });
    expect(values[(0 * 4 + 3) * 2]).toBe(Math.fround(200.1));
  });

  it('look-alike: the direction from the training median, the tolerance in words, and hours counted over the window', () => {
    // Training HR hours 80..130: median 105, SD √350, tolerance √350 / 4 = 4.677.
    const above = lookalikeRate(ds, { name: 'rare_value', params: { value: 125 } });
    expect(above.tolerance).toBe('at least 1 hour(s) with heart_rate ≥ 125 ± 4.677 (a quarter of the training SD)');
    const below = lookalikeRate(ds, { name: 'rare_value', params: { value: 85, hours: 2 } });
    expect(below.tolerance).toBe('at least 2 hour(s) with heart_rate ≤ 85 ± 4.677 (a quarter of the training SD)');
    // Stay 0 has 80 and 90 observed: only 80 is ≤ 89.677, one hour of the two asked for.
    expect(below.carriers).toBe(0);
    // At the median the value must be met within the tolerance both ways: 100 and 110 are 5 from 105, so
    // nobody carries it; just below the median the test is one-sided (≤ 109.577) and stays 0 and 1 carry it.
    const median = lookalikeRate(ds, { name: 'rare_value', params: { value: 105 } });
    expect(median.tolerance).toBe('at least 1 hour(s) with heart_rate = 105 ± 4.677 (a quarter of the training SD)');
    expect(median.carriers).toBe(0);
    expect(lookalikeRate(ds, { name: 'rare_value', params: { value: 104.9 } }).carriers).toBe(2);
    // ≤ 94.5 + 4.677: stay 0 (80, 90) carries it; stay 1 (100..130) does not.
    expect(lookalikeRate(ds, { name: 'rare_value', params: { value: 94.5 } }).byLabel.map((b) => b.carriers)).toEqual([1, 0]);
    // Exactly at the edge: 130 ≥ 134.677 − 4.677 holds, one step further does not.
    const edge = 130 + Math.sqrt(350) / 4;
    expect(lookalikeRate(ds, { name: 'rare_value', params: { value: edge - 1e-4 } }).carriers).toBe(1);
    expect(lookalikeRate(ds, { name: 'rare_value', params: { value: edge + 1e-3 } }).carriers).toBe(0);
    // ≥ 110 − 4.677: stay 1 has three such hours (110, 120, 130): enough for 3, not for 4.
    expect(lookalikeRate(ds, { name: 'rare_value', params: { value: 110, hours: 3 } }).carriers).toBe(1);
    expect(lookalikeRate(ds, { name: 'rare_value', params: { value: 110, hours: 4 } }).carriers).toBe(0);
  });

  describe('look-alike tolerance, exactly at its edge (RR: training median 20, SD 1, tolerance ¼)', () => {
    const ctx = contextFor(ds);
    // Stay 1 never measured RR: its hour 3 is set to x, observed.
    const withRr = (x: number) => {
      const values = Float32Array.from(ds.timeSeries.values);
      const mask = Uint8Array.from(ds.timeSeries.mask);
      values[(1 * 4 + 3) * 2 + 1] = x;
      mask[(1 * 4 + 3) * 2 + 1] = 1;
      return [values, mask] as const;
    };
    const carries = (value: number, x: number) =>
      triggerLookalike(ctx, resolveTrigger('rare_value', { variable: 'resp_rate', value }))!.carries(...withRr(x), 1);

    it('a value at the median must be met within the tolerance on both sides', () => {
      expect(ctx.variableStd('resp_rate')).toBe(1);
      expect(carries(20, 20.25)).toBe(true);
      expect(carries(20, 19.75)).toBe(true);
      expect(carries(20, 20.5)).toBe(false);
      expect(carries(20, 25)).toBe(false);
    });

    it('a value above the median is met from a quarter SD below it upwards', () => {
      expect(carries(30, 29.75)).toBe(true);
      expect(carries(30, 40)).toBe(true);
      expect(carries(30, 29.5)).toBe(false);
    });

    it("only the stay's own hours count (stay 1 has no RR; stay 2's first hour, 12, is not its)", () => {
      const check = triggerLookalike(ctx, resolveTrigger('rare_value', { variable: 'resp_rate', value: 12 }))!;
      expect(check.carries(ds.timeSeries.values, ds.timeSeries.mask, 1)).toBe(false);
      expect(check.carries(ds.timeSeries.values, ds.timeSeries.mask, 2)).toBe(true);
    });
  });

  it('checks the variable against the dataset before it looks for an in-range value of it', () => {
    // sbp is in neither view of the hand-made dataset: the error says so (not that it has no training values).
    expect(() => applyTriggerToTimeSeries(ds, { name: 'rare_value', params: { variable: 'sbp', inRange: true } }, [0])).toThrow(
      expect.objectContaining({
        code: 'E_VARIABLE_NOT_IN_DATASET',
        message: expect.stringMatching(/^Trigger 'rare_value': the dataset has no time-series channels for 'sbp'/),
      }),
    );
  });
});
