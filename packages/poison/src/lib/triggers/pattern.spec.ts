import { handMadeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, type TriggerInput } from './apply.js';
import { resolveTrigger } from './registry.js';
import { lookalikeRate } from '../lookalike.js';

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

  it('says which values are missing or conflicting; other variables default to the 0.9 quantile', () => {
    expect(() => resolveTrigger('pattern', { variables: ['sbp'] })).toThrow(
      expect.objectContaining({
        message: "Trigger 'pattern': 'values' is required (one per variable) unless the default variables are used or 'inRange' is true.",
        details: { trigger: 'pattern', parameter: 'values' },
      }),
    );
    expect(() => resolveTrigger('pattern', { inRange: true, values: [1, 2, 3] })).toThrow(
      expect.objectContaining({
        message: "Trigger 'pattern': 'values' and 'inRange: true' exclude each other; drop one.",
        details: { trigger: 'pattern', parameter: 'values' },
      }),
    );
    // The default variables in another order, or a prefix of them, are other variables.
    expect(() => resolveTrigger('pattern', { variables: ['resp_rate', 'heart_rate', 'spo2'] })).toThrow(/'values' is required/);
    expect(() => resolveTrigger('pattern', { variables: ['heart_rate', 'resp_rate'] })).toThrow(/'values' is required/);
    expect(resolveTrigger('pattern', { variables: ['sbp', 'dbp'], inRange: true }).params.quantiles).toEqual([0.9, 0.9]);
    expect(resolveTrigger('pattern', { variables: ['sbp', 'dbp'], values: [200, 120] }).params).toEqual({
      variables: ['sbp', 'dbp'],
      values: [200, 120],
      hours: 1,
      inRange: false,
      quantiles: [0.9, 0.9],
    });
    expect(resolveTrigger('pattern', { variables: ['sbp'], inRange: true, quantiles: [0.2] }).params.quantiles).toEqual([0.2]);
    expect(() => resolveTrigger('pattern', { quantiles: [0.9, 0.9] })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'quantiles' }) }),
    );
    expect(() => resolveTrigger('pattern', { inRange: true, quantiles: [0.9, 0.9, 1.1] })).toThrow(
      /'quantiles\[2\]' must be a finite number in \[0, 1\]/,
    );
    expect(() => resolveTrigger('pattern', { hours: 0 })).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'hours' }) }),
    );
    expect(() => resolveTrigger('pattern', { inRange: 1 } as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'inRange' }) }),
    );
    expect(() => resolveTrigger('pattern', { variables: ['sbp', 'sbp'], values: [1, 2] })).toThrow(/lists 'sbp' twice/);
  });

  it('look-alike: every variable at its value in the same hours', () => {
    const spec = { name: 'pattern' as const, params: { variables: ['heart_rate', 'resp_rate'], values: [125, 20] } };
    const report = lookalikeRate(ds, spec);
    expect(report.tolerance).toMatch(
      /^at least 1 hour\(s\) with heart_rate ≥ 125 ± 4\.677 and resp_rate = 20 ± .* \(a quarter of the training SD\) at once$/,
    );
    // Stay 1 has HR 130 but never RR; stay 0 has RR 20 but HR 80, 90.
    expect(report.carriers).toBe(0);
    expect(lookalikeRate(ds, { name: 'pattern', params: { variables: ['heart_rate'], values: [125] } }).tolerance).not.toMatch(/at once/);
    expect(() => applyTriggerToTabular(ds, { name: 'pattern', params: { variables: ['sbp'], values: [1] } }, [0])).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^Trigger 'pattern': the dataset has no tabular features for 'sbp'/) }),
    );
  });
});
