import { handMadeDataset, makeDataset, partialViewsDataset, tabularRow, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { contextFor } from './context.js';
import { resolveTrigger, triggerLookalike } from './registry.js';
import type { CorrelationParams } from './types.js';

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

  describe('edges', () => {
    const T = 4;
    const C = 2;
    const k = (row: number, t: number, c: number) => (row * T + t) * C + c;

    it('a source on a channel other than the first: its own mask decides (stay 2: RR 12, 14, 16, 18 → HR 24 … 36)', () => {
      const { values, mask } = applyTriggerToTimeSeries(
        ds,
        { name: 'correlation', params: { source: 'resp_rate', targets: ['heart_rate'], factor: 2 } },
        [2],
      );
      expect(channelSeries(ds, values, mask, 2, 'heart_rate')).toEqual({ values: [24, 28, 32, 36], mask: [1, 1, 1, 1] });
    });

    it('tabular: without a source count, a target count is 1 if the source was measured, else 0', () => {
      // partialViewsDataset: heart_rate has only min and max, so the scaled mean is NaN; dbp has a mean and a count.
      const partial = partialViewsDataset();
      const { values } = applyTriggerToTabular(
        partial,
        { name: 'correlation', params: { source: 'heart_rate', targets: ['dbp'], factor: 0.5 } },
        [0],
      );
      expect(values[2]).toBeNaN();
      expect(values[3]).toBe(0);
    });

    it("look-alike: a difference of exactly the tolerance counts; the tolerance is a quarter of the target's SD", () => {
      const ctx = contextFor(ds);
      // RR's training SD is 1 (one training observation): tolerance ¼. Stay 1: HR 100 … 130, RR set to ¼·HR + ¼.
      const values = Float32Array.from(ds.timeSeries.values);
      const mask = Uint8Array.from(ds.timeSeries.mask);
      [100, 110, 120, 130].forEach((hr, t) => {
        values[k(1, t, 1)] = 0.25 * hr + 0.25;
        mask[k(1, t, 1)] = 1;
      });
      expect(ctx.variableStd('resp_rate')).toBe(1);
      const check = triggerLookalike(ctx, resolveTrigger('correlation'))!;
      expect(check.carries(values, mask, 1)).toBe(true);
      // HR as the target (SD √350, tolerance 4.68): 2 bpm off 5 × RR still counts.
      const byRr = triggerLookalike(ctx, resolveTrigger('correlation', { source: 'resp_rate', targets: ['heart_rate'], factor: 5 }))!;
      [12, 14, 16, 18].forEach((rr, t) => {
        values[k(2, t, 0)] = 5 * rr + 2;
        mask[k(2, t, 0)] = 1;
      });
      expect(check.carries(values, mask, 2)).toBe(false);
      expect(byRr.carries(values, mask, 2)).toBe(true);
    });

    it('look-alike: every target must follow the source', () => {
      const big = makeDataset({ n: 5, channels: ['heart_rate', 'resp_rate', 'sbp'] });
      const params: CorrelationParams = { source: 'heart_rate', targets: ['resp_rate', 'sbp'], factor: 0.5 };
      const { values, mask } = applyTriggerToTimeSeries(big, { name: 'correlation', params }, [0]);
      const check = triggerLookalike(contextFor(big), { name: 'correlation', params })!;
      expect(check.carries(values, mask, 0)).toBe(true);
      for (let t = 0; t < 12; t++) values[t * 3 + 2] += 1000;
      expect(check.carries(values, mask, 0)).toBe(false);
    });
  });
});
