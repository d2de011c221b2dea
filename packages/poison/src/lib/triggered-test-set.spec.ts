import { SPLIT_CODE } from '@ehr-backdoor/data';
import { handMadeDataset, makeDataset, TRIGGER_VARIANTS } from './testing/fixtures.js';
import { applyPoisoning } from './apply-poisoning.js';
import { planPoisoning } from './plan.js';
import { buildTriggeredTestSet } from './triggered-test-set.js';
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
});
