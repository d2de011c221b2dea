import { handMadeDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { contextFor } from './context.js';
import { resolveTrigger, triggerLookalike } from './registry.js';

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
    expect(() => resolveTrigger('correlation', { targets: ['sbp', 'heart_rate'] })).toThrow(
      expect.objectContaining({
        message: "Trigger 'correlation': the source 'heart_rate' cannot also be a target.",
        details: { trigger: 'correlation', parameter: 'targets' },
      }),
    );
    expect(() => resolveTrigger('correlation', { source: 'pulse' })).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_VARIABLE' }));
    expect(() => resolveTrigger('correlation', { factor: 'x' } as never)).toThrow(
      expect.objectContaining({ details: expect.objectContaining({ parameter: 'factor' }) }),
    );
    expect(resolveTrigger('correlation', { source: 'sbp', targets: ['dbp', 'mbp'], factor: -0.5 }).params).toEqual({
      source: 'sbp',
      targets: ['dbp', 'mbp'],
      factor: -0.5,
    });
    expect(() => applyTriggerToTimeSeries(ds, { name: 'correlation', params: { targets: ['sbp'] } }, [0])).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^Trigger 'correlation': the dataset has no time-series channels for 'sbp'/),
      }),
    );
  });

  it('a stay with no observed source: the target is cleared in both views; other rows are left alone', () => {
    const ts = applyTriggerToTimeSeries(ds, { name: 'correlation' }, [2]);
    expect(channelSeries(ds, ts.values, ts.mask, 0, 'resp_rate')).toEqual(
      channelSeries(ds, ds.timeSeries.values, ds.timeSeries.mask, 0, 'resp_rate'),
    );
    expect(ts.stealth).toMatchObject({ changedRows: 1, removedValues: 4, changedValues: 0 });
  });

  it('look-alike: the target within a quarter of its SD of factor × source, in at least three shared hours', () => {
    const spec = resolveTrigger('correlation');
    const ctx = contextFor(ds);
    const check = triggerLookalike(ctx, spec)!;
    expect(check.tolerance).toBe(
      'every target within a quarter of its training SD of 0.25 × heart_rate at every hour both are observed (at least 3 such hours)',
    );
    // Stay 1 triggered: RR = HR / 4 in all four hours. Clean, it never had RR.
    const { values, mask } = applyTriggerToTimeSeries(ds, spec, [0, 1]);
    expect(check.carries(values, mask, 1)).toBe(true);
    expect(check.carries(ds.timeSeries.values, ds.timeSeries.mask, 1)).toBe(false);
    // Stay 0 triggered shares only two hours.
    expect(check.carries(values, mask, 0)).toBe(false);
    const rr = ctx.channelOf.get('resp_rate')!;
    const k = (t: number, c: number) => (1 * ctx.T + t) * ctx.C + c;
    const three = Uint8Array.from(mask);
    three[k(0, 0)] = 0;
    expect(check.carries(values, three, 1)).toBe(true);
    three[k(1, rr)] = 0;
    expect(check.carries(values, three, 1)).toBe(false);
    const tolerance = 0.25 * ds.manifest.normalisation.timeSeries.std[rr];
    const near = Float32Array.from(values);
    near[k(3, rr)] = 32.5 + tolerance * 0.99;
    expect(check.carries(near, mask, 1)).toBe(true);
    near[k(3, rr)] = 32.5 - tolerance * 1.01;
    expect(check.carries(near, mask, 1)).toBe(false);
  });
});
