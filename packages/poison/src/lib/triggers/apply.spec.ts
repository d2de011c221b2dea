import { handMadeDataset, makeDataset } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries, applyTriggerViews, assertRows, toSpec } from './apply.js';
import { contextFor } from './context.js';
import { resolveTrigger } from './registry.js';

describe('applying a trigger', () => {
  const hand = handMadeDataset();

  it('toSpec: resolves { name, params } and refuses anything else, showing it', () => {
    expect(toSpec({ name: 'rare_value' })).toEqual(resolveTrigger('rare_value'));
    expect(toSpec({ name: 'rare_value', params: { value: 200 } }).params).toMatchObject({ value: 200 });
    for (const bad of [null, 'rare_value', { params: {} }, { name: 3 }]) {
      expect(() => toSpec(bad as never)).toThrow(
        expect.objectContaining({
          name: 'InputError',
          code: 'E_UNKNOWN_TRIGGER',
          message: `A trigger must be an object { name, params }, got ${JSON.stringify(bad)}.`,
        }),
      );
    }
  });

  it('assertRows: distinct integer rows in [0, n), named with what asked for them', () => {
    expect(() => assertRows(hand, [], 'f')).not.toThrow();
    expect(() => assertRows(hand, [2, 0, 1], 'f')).not.toThrow();
    for (const row of [-1, 3, 0.5]) {
      expect(() => assertRows(hand, [0, row], 'f(x)')).toThrow(
        expect.objectContaining({
          code: 'E_ROWS',
          message: `f(x): row ${row} is not a distinct row index in [0, 3).`,
          details: { row },
        }),
      );
    }
    expect(() => assertRows(hand, [1, 0, 1], 'f')).toThrow(expect.objectContaining({ code: 'E_ROWS', details: { row: 1 } }));
    expect(() => applyTriggerToTimeSeries(hand, { name: 'none' }, [3])).toThrow(
      'applyTriggerToTimeSeries(none): row 3 is not a distinct row index in [0, 3).',
    );
    expect(() => applyTriggerToTabular(hand, { name: 'none' }, [3])).toThrow(
      'applyTriggerToTabular(none): row 3 is not a distinct row index in [0, 3).',
    );
  });

  it('a view the trigger lacks is an error naming the views it has', () => {
    expect(() => applyTriggerToTabular(hand, { name: 'missingness_pattern' }, [0])).toThrow(
      expect.objectContaining({
        code: 'E_TRIGGER_VIEW',
        message:
          "Trigger 'missingness_pattern' is defined on the timeseries view only, not on 'tabular'; use a timeseries model or another trigger.",
        details: { trigger: 'missingness_pattern', view: 'tabular' },
      }),
    );
  });

  it('applyTriggerViews: only the views asked for, each from its source arrays, with the resolved choices', () => {
    const ds = makeDataset({ n: 10 });
    const ctx = contextFor(ds);
    const spec = resolveTrigger('rare_value', { inRange: true });
    const tabOnly = applyTriggerViews(ctx, spec, ['tabular'], [0]);
    expect(tabOnly.spec).toBe(spec);
    expect(tabOnly.tabular).toBeDefined();
    expect(tabOnly).not.toHaveProperty('timeseries');
    expect(tabOnly.resolved).toEqual(tabOnly.tabular!.resolved);
    expect(Object.keys(tabOnly.resolved)).not.toHaveLength(0);
    const tsOnly = applyTriggerViews(ctx, spec, ['timeseries'], [0]);
    expect(tsOnly).not.toHaveProperty('tabular');
    expect(tsOnly.timeseries!.resolved).toEqual(tabOnly.resolved);
    expect(applyTriggerViews(ctx, spec, [], [0])).toEqual({ spec, resolved: tabOnly.resolved });
    // With source arrays, the trigger edits copies of them and reports against them, not the dataset.
    const source = {
      tabular: new Float32Array(ds.tabular.values.length).fill(1),
      tsValues: new Float32Array(ds.timeSeries.values.length).fill(2),
      tsMask: new Uint8Array(ds.timeSeries.mask.length),
    };
    const both = applyTriggerViews(ctx, spec, ['tabular', 'timeseries'], [0], source);
    expect(both.tabular!.values[ds.tabular.values.length - 1]).toBe(1);
    expect(both.timeseries!.values[ds.timeSeries.values.length - 1]).toBe(2);
    expect(both.timeseries!.mask.some((m) => m === 1)).toBe(true);
    expect(source.tsMask.every((m) => m === 0)).toBe(true);
    expect(source.tabular.every((x) => x === 1)).toBe(true);
    expect(both.timeseries!.stealth.changedRows).toBe(1);
    expect(both.tabular!.stealth.rows).toBe(1);
  });

  it('toSpec refuses a function, though it has a string name', () => {
    function rare_value() {
      return 'a function named like a trigger';
    }
    expect(() => toSpec(rare_value as never)).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_TRIGGER' }));
  });
});
