import { handMadeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { resolveTrigger } from './registry.js';
import { lookalikeRate } from '../lookalike.js';

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
    expect(() => applyTriggerToTimeSeries(ds, { name: 'missingness', params: { variables: ['sbp'] } }, [0])).toThrow(
      expect.objectContaining({
        code: 'E_VARIABLE_NOT_IN_DATASET',
        message: expect.stringMatching(/^Trigger 'missingness': the dataset has no time-series channels for 'sbp'/),
      }),
    );
  });

  it('clears every listed variable of every row, in both views, and nothing else', () => {
    const both = { name: 'missingness' as const, params: { variables: ['heart_rate', 'resp_rate'] } };
    const tab = applyTriggerToTabular(ds, both, [0, 1]);
    for (const i of [0, 1]) expect(tabularRow(ds, tab.values, i)).toMatchObject({ heart_rate_count: 0, resp_rate_count: 0 });
    expect(tabularRow(ds, tab.values, 2)).toMatchObject({ resp_rate_count: 4 });
    const ts = applyTriggerToTimeSeries(ds, both, [1, 2]);
    for (const i of [1, 2])
      for (const v of ['heart_rate', 'resp_rate']) expect(channelSeries(ds, ts.values, ts.mask, i, v).mask).toEqual([0, 0, 0, 0]);
    expect(channelSeries(ds, ts.values, ts.mask, 0, 'heart_rate').mask).toEqual([1, 0, 1, 0]);
    expect(ts.stealth).toMatchObject({ changedRows: 2, removedValues: 8 });
  });

  it('look-alike: the listed variables never observed (exact), all of them', () => {
    const rr = lookalikeRate(ds, { name: 'missingness', params: { variables: ['resp_rate'] } });
    expect(rr.tolerance).toBe('resp_rate never observed in the window (exact)');
    expect(rr.byLabel.map((b) => b.carriers)).toEqual([0, 1]);
    const both = lookalikeRate(ds, { name: 'missingness', params: { variables: ['heart_rate', 'resp_rate'] } });
    expect(both.tolerance).toBe('heart_rate, resp_rate never observed in the window (exact)');
    expect(both.carriers).toBe(0);
    expect(lookalikeRate(ds, { name: 'missingness', params: { variables: ['heart_rate'] } }).carriers).toBe(1);
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

  it('rejects the same variable as rare and missing, and parts that are not objects, naming them', () => {
    expect(() => resolveTrigger('hybrid', { missing: { variables: ['heart_rate'] } })).toThrow(
      expect.objectContaining({
        code: 'E_TRIGGER_PARAMS',
        message: "Trigger 'hybrid': 'heart_rate' is both the rare-value variable and a missing one; choose distinct variables.",
        details: { trigger: 'hybrid', parameter: 'rare.variable' },
      }),
    );
    for (const bad of [null, 'x', [1]]) {
      expect(() => resolveTrigger('hybrid', { rare: bad } as never)).toThrow(
        expect.objectContaining({
          message: `Trigger 'hybrid': 'rare' must be an object of rare_value parameters, got ${JSON.stringify(bad)}.`,
          details: { trigger: 'hybrid', parameter: 'rare' },
        }),
      );
      expect(() => resolveTrigger('hybrid', { missing: bad } as never)).toThrow(
        expect.objectContaining({
          message: `Trigger 'hybrid': 'missing' must be an object of missingness parameters, got ${JSON.stringify(bad)}.`,
          details: { trigger: 'hybrid', parameter: 'missing' },
        }),
      );
    }
    // Errors inside a part name it.
    expect(() => resolveTrigger('hybrid', { rare: { hours: 0 } })).toThrow(/^Trigger 'hybrid\.rare': 'hours'/);
    expect(() => resolveTrigger('hybrid', { missing: { variables: [] } })).toThrow(/^Trigger 'hybrid\.missing': 'variables'/);
    expect(resolveTrigger('hybrid', {}).params).toEqual({
      rare: { variable: 'heart_rate', value: 220, hours: 1, inRange: false, quantile: 0.98 },
      missing: { variables: ['hemoglobin', 'platelets', 'wbc'] },
    });
  });

  it('checks the rare variable against the views, and records the rare value', () => {
    const lactate = {
      name: 'hybrid' as const,
      params: { rare: { variable: 'lactate', value: 10 }, missing: { variables: ['resp_rate'] } },
    };
    expect(() => applyTriggerToTabular(ds, lactate, [0])).toThrow(
      expect.objectContaining({
        code: 'E_VARIABLE_NOT_IN_DATASET',
        message: expect.stringMatching(/^Trigger 'hybrid': the dataset has no tabular features for 'lactate'/),
      }),
    );
    expect(applyTriggerToTimeSeries(ds, trigger, [0]).resolved).toEqual({ values: { heart_rate: 200 } });
    expect(applyTriggerToTimeSeries(ds, trigger, [0]).stealth).toMatchObject({ changedValues: 1, removedValues: 1 });
  });

  it('look-alike: both parts at once, described together', () => {
    // Stay 1 never had RR and has HR ≥ 125 − 4.677 (130); stay 0 had RR; stay 2 never had HR.
    const spec = { name: 'hybrid' as const, params: { rare: { value: 125 }, missing: { variables: ['resp_rate'] } } };
    const report = lookalikeRate(ds, spec);
    expect(report.tolerance).toBe(
      'resp_rate never observed in the window (exact), and at least 1 hour(s) with heart_rate ≥ 125 ± 4.677 (a quarter of the training SD)',
    );
    expect(report.byLabel.map((b) => b.carriers)).toEqual([0, 1]);
    // Each part alone is not enough: stay 0 has HR ≤ 85 + 4.677 but RR, stay 1 no RR but HR above it.
    expect(lookalikeRate(ds, { name: 'hybrid', params: { rare: { value: 85 }, missing: { variables: ['resp_rate'] } } }).carriers).toBe(0);
  });
});
