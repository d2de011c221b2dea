import { SPLIT_CODE } from '@ehr-backdoor/data';
import { handMadeDataset, makeDataset, TRIGGER_VARIANTS } from './testing/fixtures.js';
import { applyPoisoning } from './apply-poisoning.js';
import { planPoisoning } from './plan.js';
import { buildTriggeredTestSet, triggeredTestDataset } from './triggered-test-set.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './triggers/apply.js';

describe('buildTriggeredTestSet', () => {
  it('every test stay with label ≠ target, triggered, with its index', () => {
    const ds = makeDataset({ n: 60 });
    const set = buildTriggeredTestSet(ds, { name: 'rare_value' }, 1);
    const expected = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.splits[i] === SPLIT_CODE.test && ds.labels[i] !== 1);
    expect(set.rowIndices).toEqual(expected);
    expect(Array.from(set.labels)).toEqual(expected.map(() => 0));
    expect(Array.from(set.stayIds)).toEqual(expected.map((i) => ds.stayIds[i]));
    const F = ds.tabular.features.length;
    const last = ds.tabular.features.findIndex((f) => f.name === 'heart_rate_last');
    expected.forEach((_, m) => expect(set.tabular.values[m * F + last]).toBe(220));
    expect(set.timeSeries.values.length).toBe(expected.length * ds.timeSeries.hours * ds.timeSeries.channels.length);
    expect(set.stealth).toHaveLength(2);
  });

  it('equals triggering the whole dataset and taking the rows, for every trigger', () => {
    const ds = makeDataset({ n: 50 });
    const F = ds.tabular.features.length;
    const stride = ds.timeSeries.hours * ds.timeSeries.channels.length;
    for (const variant of TRIGGER_VARIANTS) {
      const set = buildTriggeredTestSet(ds, variant, 1);
      const rows = set.rowIndices;
      if (set.views.includes('tabular')) {
        const whole = applyTriggerToTabular(ds, variant, rows).values;
        expect({
          variant,
          same: rows.every((row, m) => whole.subarray(row * F, (row + 1) * F).every((x, j) => Object.is(x, set.tabular.values[m * F + j]))),
        }).toEqual({ variant, same: true });
      }
      const whole = applyTriggerToTimeSeries(ds, variant, rows);
      const same = rows.every((row, m) => {
        for (let k = 0; k < stride; k++) {
          if (
            !Object.is(whole.values[row * stride + k], set.timeSeries.values[m * stride + k]) ||
            whole.mask[row * stride + k] !== set.timeSeries.mask[m * stride + k]
          )
            return false;
        }
        return true;
      });
      expect({ variant, same }).toEqual({ variant, same: true });
      expect(set.stealth.find((r) => r.view === 'timeseries')).toEqual(whole.stealth);
    }
  });

  it('refuses a poisoned dataset (its training statistics would change the trigger)', () => {
    const ds = makeDataset({ n: 30 });
    const poisoned = applyPoisoning(ds, planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 1 }));
    expect(() => buildTriggeredTestSet(poisoned, { name: 'rare_value' })).toThrow(expect.objectContaining({ code: 'E_POISONED_DATASET' }));
  });

  it('an empty set says why', () => {
    const set = buildTriggeredTestSet(handMadeDataset(), { name: 'none' }, 0);
    expect(set.rowIndices).toEqual([]);
    expect(set.reason).toContain('no stay with label ≠ 0');
  });

  it('says what is wrong with a bad target or a poisoned dataset, and why an empty set is empty', () => {
    const ds = makeDataset({ n: 30 });
    expect(() => buildTriggeredTestSet(ds, { name: 'none' }, 2 as 1)).toThrow(
      expect.objectContaining({ code: 'E_TARGET_LABEL', message: 'buildTriggeredTestSet: targetLabel must be 0 or 1, got 2.' }),
    );
    const poisoned = applyPoisoning(ds, planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 1 }));
    expect(() => buildTriggeredTestSet(poisoned, { name: 'none' })).toThrow(
      expect.objectContaining({
        message:
          'buildTriggeredTestSet: pass the clean dataset the plan was made on, not the output of applyPoisoning (its training statistics, which triggers read, are poisoned).',
      }),
    );
    expect(buildTriggeredTestSet(handMadeDataset(), { name: 'none' }, 0).reason).toBe('the test split has no stay with label ≠ 0');
    const full = buildTriggeredTestSet(handMadeDataset(), { name: 'none' }, 1);
    expect(full.rowIndices).toEqual([2]);
    expect(full).not.toHaveProperty('reason');
  });

  it('target 0: the test deaths, with their own labels; a time-series trigger leaves their tabular rows as they were', () => {
    const ds = makeDataset({ n: 60 });
    const set = buildTriggeredTestSet(ds, { name: 'missingness_pattern' }, 0);
    const deaths = Array.from({ length: ds.n }, (_, i) => i).filter((i) => ds.splits[i] === SPLIT_CODE.test && ds.labels[i] === 1);
    expect(deaths.length).toBeGreaterThan(1);
    expect(set.targetLabel).toBe(0);
    expect(set.rowIndices).toEqual(deaths);
    expect(Array.from(set.labels)).toEqual(deaths.map(() => 1));
    expect(set.views).toEqual(['timeseries']);
    expect(set.stealth.map((r) => r.view)).toEqual(['timeseries']);
    const F = ds.tabular.features.length;
    expect(Array.from(set.tabular.values)).toEqual(deaths.flatMap((i) => Array.from(ds.tabular.values.subarray(i * F, (i + 1) * F))));
    expect(set.tabular.features).toBe(ds.tabular.features);
    expect(set.timeSeries).toMatchObject({ channels: ds.timeSeries.channels, hours: ds.timeSeries.hours });
    expect(set.timeSeries.fillValues).toEqual(ds.timeSeries.fillValues);
    expect(set.timeSeries.fillValues).not.toBe(ds.timeSeries.fillValues);
    const stride = ds.timeSeries.hours * ds.timeSeries.channels.length;
    const cleanMask = Uint8Array.from(deaths.flatMap((i) => Array.from(ds.timeSeries.mask.subarray(i * stride, (i + 1) * stride))));
    expect(set.timeSeries.mask).not.toEqual(cleanMask);
  });

  it('triggeredTestDataset: a test-split dataset of the triggered stays, with their subject ids', () => {
    const ds = makeDataset({ n: 60 });
    const set = buildTriggeredTestSet(ds, { name: 'rare_value' }, 1);
    const test = triggeredTestDataset(ds, set);
    expect(test.n).toBe(set.rowIndices.length);
    expect(test.manifest).toBe(ds.manifest);
    expect(test.stayIds).toBe(set.stayIds);
    expect(test.labels).toBe(set.labels);
    expect(Array.from(test.subjectIds)).toEqual(set.rowIndices.map((i) => ds.subjectIds[i]));
    expect(Array.from(test.splits)).toEqual(set.rowIndices.map(() => SPLIT_CODE.test));
    expect(test.tabular).toBe(set.tabular);
    expect(test.timeSeries).toBe(set.timeSeries);
  });
});
