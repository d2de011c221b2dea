import fc from 'fast-check';
import { canonicalJson, sha256 } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { makeDataset, TRIGGER_VARIANTS } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { isTriggerName, listTriggers, resolveTrigger, triggerDefinition, TRIGGER_NAMES, triggerViews } from './registry.js';

const hashOf = (ds: EhrDataset) =>
  sha256(
    canonicalJson([ds.labels, ds.splits, ds.stayIds]) +
      sha256(new Uint8Array(ds.tabular.values.buffer)) +
      sha256(new Uint8Array(ds.timeSeries.values.buffer)) +
      sha256(ds.timeSeries.mask) +
      sha256(new Uint8Array(ds.timeSeries.fillValues.buffer)),
  );

/** The view's construction rule: every unobserved cell holds the previous observed value, or the fill value. */
function assertForwardFilled(ds: EhrDataset, values: Float32Array, mask: Uint8Array): void {
  const { hours: T, channels, fillValues } = ds.timeSeries;
  const C = channels.length;
  for (let i = 0; i < ds.n; i++) {
    for (let c = 0; c < C; c++) {
      let last = fillValues[c];
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        if (mask[k]) last = values[k];
        else if (!Object.is(values[k], last))
          throw new Error(`stay ${i} channel ${channels[c]} hour ${t}: ${values[k]} is not the forward fill ${last}`);
      }
    }
  }
}

describe('trigger registry', () => {
  const ds = makeDataset({ n: 30 });
  const F = ds.tabular.features.length;
  const stride = ds.timeSeries.hours * ds.timeSeries.channels.length;

  it('lists all eleven triggers with their views', () => {
    expect(TRIGGER_NAMES).toEqual([
      'none',
      'rare_value',
      'missingness',
      'hybrid',
      'pattern',
      'correlation',
      'frequency_domain',
      'distribution_shift',
      'temporal_pattern',
      'missingness_pattern',
      'blended',
    ]);
    expect(
      listTriggers()
        .filter((t) => t.views.length === 1)
        .map((t) => t.name),
    ).toEqual(['temporal_pattern', 'missingness_pattern']);
    expect(triggerViews('rare_value')).toEqual(['tabular', 'timeseries']);
  });

  it('resolution is idempotent: resolving resolved parameters returns them unchanged', () => {
    for (const variant of TRIGGER_VARIANTS) {
      const once = resolveTrigger(variant.name, variant.params);
      expect(resolveTrigger(once.name, JSON.parse(JSON.stringify(once.params)))).toEqual(once);
    }
  });

  it('none: returns equal copies and says it changed nothing', () => {
    const tab = applyTriggerToTabular(ds, { name: 'none' }, [0, 1]);
    expect(tab.values).not.toBe(ds.tabular.values);
    expect(tab.values).toEqual(ds.tabular.values);
    expect(tab.stealth).toMatchObject({ changedRows: 0, changedValues: 0, reason: 'the trigger changed no value' });
    const ts = applyTriggerToTimeSeries(ds, { name: 'none' }, [0, 1]);
    expect(ts.mask).toEqual(ds.timeSeries.mask);
    expect(() => resolveTrigger('none', { value: 1 } as never)).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });

  it('rejects rows that are not distinct dataset rows', () => {
    for (const rows of [[-1], [ds.n], [1.5], [2, 2]]) {
      expect(() => applyTriggerToTabular(ds, { name: 'none' }, rows)).toThrow(expect.objectContaining({ code: 'E_ROWS' }));
    }
  });

  it('rejects unknown triggers with the list of names', () => {
    expect(() => resolveTrigger('rare-value')).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_TRIGGER', message: expect.stringContaining('rare_value') }),
    );
    expect(() => resolveTrigger('rare_value', [1] as never)).toThrow(expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }));
  });

  it('names the unknown trigger and every known one; parameters that are not an object are shown', () => {
    const all = TRIGGER_NAMES.join(', ');
    for (const name of ['rare-value', 'toString', 'constructor']) {
      expect(() => resolveTrigger(name)).toThrow(
        expect.objectContaining({
          code: 'E_UNKNOWN_TRIGGER',
          message: `Unknown trigger ${JSON.stringify(name)}. Available triggers: ${all}.`,
          details: { trigger: name },
        }),
      );
      expect(isTriggerName(name)).toBe(false);
      expect(() => triggerViews(name)).toThrow(expect.objectContaining({ code: 'E_UNKNOWN_TRIGGER' }));
    }
    expect(isTriggerName(7)).toBe(false);
    expect(TRIGGER_NAMES.every(isTriggerName)).toBe(true);
    for (const params of [[1], 'x', 3]) {
      expect(() => resolveTrigger('rare_value', params as never)).toThrow(
        expect.objectContaining({
          code: 'E_TRIGGER_PARAMS',
          message: `Trigger 'rare_value': parameters must be an object, got ${JSON.stringify(params)}.`,
          details: { trigger: 'rare_value' },
        }),
      );
    }
    expect(resolveTrigger('rare_value', null as never)).toEqual(resolveTrigger('rare_value'));
    expect(resolveTrigger('rare_value', undefined)).toEqual(resolveTrigger('rare_value', {}));
  });

  it('lists each trigger with its description, views and a copy of its defaults', () => {
    const listed = listTriggers();
    expect(listed.map((t) => t.name)).toEqual(TRIGGER_NAMES);
    const none = listed.find((t) => t.name === 'none')!;
    expect(none).toEqual({ name: 'none', description: 'No trigger: the clean baseline.', views: ['tabular', 'timeseries'], defaults: {} });
    for (const t of listed) {
      expect(t.defaults).toEqual(triggerDefinition(t.name).defaults);
      expect(t.defaults).not.toBe(triggerDefinition(t.name).defaults);
    }
    const blended = listed.find((t) => t.name === 'blended')!.defaults as unknown as { key: number[][] };
    blended.key[0][0] = -1;
    expect((triggerDefinition('blended').defaults as unknown as { key: number[][] }).key[0][0]).toBeGreaterThan(0);
    for (const t of listed) expect(t.views).toEqual(triggerViews(t.name));
  });

  it('every trigger: input never mutated, only selected rows change, shapes, masks and view rules preserved', () => {
    const before = hashOf(ds);
    fc.assert(
      fc.property(
        fc.constantFrom(...TRIGGER_VARIANTS),
        fc.uniqueArray(fc.integer({ min: 0, max: ds.n - 1 }), { maxLength: 8 }),
        (variant, rows) => {
          const selected = new Set(rows);
          const views = triggerViews(variant.name);
          if (views.includes('tabular')) {
            const { values } = applyTriggerToTabular(ds, variant, rows);
            expect(values).not.toBe(ds.tabular.values);
            expect(values.length).toBe(ds.tabular.values.length);
            // Plain loops collect the offending cells: one expect per property run keeps the test fast.
            const changedOutside: number[] = [];
            for (let i = 0; i < ds.n; i++) {
              if (selected.has(i)) continue;
              for (let j = 0; j < F; j++) if (!Object.is(values[i * F + j], ds.tabular.values[i * F + j])) changedOutside.push(i * F + j);
            }
            expect(changedOutside).toEqual([]);
            // count 0 ⇔ never measured ⇔ NaN mean, for every stay and variable.
            const inconsistent: string[] = [];
            ds.tabular.features.forEach((f, j) => {
              if (f.stat !== 'count') return;
              const meanJ = ds.tabular.features.findIndex((g) => g.variable === f.variable && g.stat === 'mean');
              for (let i = 0; i < ds.n; i++)
                if ((values[i * F + j] === 0) !== Number.isNaN(values[i * F + meanJ])) inconsistent.push(`${i}:${f.name}`);
            });
            expect(inconsistent).toEqual([]);
          }
          if (views.includes('timeseries')) {
            const { values, mask } = applyTriggerToTimeSeries(ds, variant, rows);
            expect(values.length).toBe(ds.timeSeries.values.length);
            expect(mask.length).toBe(ds.timeSeries.mask.length);
            expect(mask.every((m) => m === 0 || m === 1)).toBe(true);
            const changedOutside: number[] = [];
            for (let i = 0; i < ds.n; i++) {
              if (selected.has(i)) continue;
              for (let k = i * stride; k < (i + 1) * stride; k++) {
                if (!Object.is(values[k], ds.timeSeries.values[k]) || mask[k] !== ds.timeSeries.mask[k]) changedOutside.push(k);
              }
            }
            expect(changedOutside).toEqual([]);
            assertForwardFilled(ds, values, mask);
          }
        },
      ),
      { numRuns: 60 },
    );
    expect(hashOf(ds)).toBe(before);
  });

  it('every trigger except none changes each selected stay it can (default parameters)', () => {
    for (const name of TRIGGER_NAMES.filter((n) => n !== 'none')) {
      const views = triggerViews(name);
      const rows = [0, 5, 10];
      const stealth = views.includes('timeseries')
        ? applyTriggerToTimeSeries(ds, { name }, rows).stealth
        : applyTriggerToTabular(ds, { name }, rows).stealth;
      expect({ name, changed: stealth.changedRows > 0 }).toEqual({ name, changed: true });
    }
  });
});
