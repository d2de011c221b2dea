import { makeDataset, tabularRow } from './testing/fixtures.js';
import { applyPoisoning, applyPoisoningWithReport } from './apply-poisoning.js';
import { planPoisoning } from './plan.js';

describe('applyPoisoning', () => {
  const ds = makeDataset({ n: 60 });

  it('dirty-label: triggers both views of the planned rows, flips their labels, refits normalisation', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'rare_value' }, rate: 0.3, seed: 3 });
    const { dataset: poisoned, stealth } = applyPoisoningWithReport(ds, plan);
    const planned = new Set(plan.rowIndices);
    for (let i = 0; i < ds.n; i++) {
      expect(poisoned.labels[i]).toBe(planned.has(i) ? 1 : ds.labels[i]);
      if (planned.has(i)) expect(tabularRow(ds, poisoned.tabular.values, i)['heart_rate_last']).toBe(220);
    }
    expect(stealth.map((s) => s.view)).toEqual(['tabular', 'timeseries']);
    expect(stealth[1].changedRows).toBe(plan.count);
    expect(poisoned.manifest.normalisation.timeSeries.mean[0]).toBeGreaterThan(ds.manifest.normalisation.timeSeries.mean[0]);
    expect(poisoned.manifest.contentHash).not.toBe(ds.manifest.contentHash);
    expect(poisoned.manifest.splits.train.positives).toBe(ds.manifest.splits.train.positives + plan.count);
    expect(poisoned.timeSeries.fillValues).toEqual(ds.timeSeries.fillValues);
  });

  it('clean-label: target-class rows triggered, labels kept', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'missingness' }, rate: 0.5, seed: 3, mode: 'clean-label' });
    const poisoned = applyPoisoning(ds, plan);
    expect(poisoned.labels).toEqual(ds.labels);
    for (const row of plan.rowIndices) expect(ds.labels[row]).toBe(1);
  });

  it('a time-series-only trigger leaves the tabular view clean', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'missingness_pattern' }, rate: 0.3, seed: 3 });
    expect(plan.views).toEqual(['timeseries']);
    const poisoned = applyPoisoning(ds, plan);
    expect(poisoned.tabular.values).toEqual(ds.tabular.values);
    expect(poisoned.timeSeries.mask).not.toEqual(ds.timeSeries.mask);
  });

  it('refuses a plan made for another dataset or edited after planning', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.3, seed: 3 });
    expect(() => applyPoisoning(makeDataset({ n: 60, seed: 2 }), plan)).toThrow(
      expect.objectContaining({ code: 'E_PLAN_DATASET_MISMATCH' }),
    );
    expect(() => applyPoisoning(ds, { ...plan, rowIndices: [...plan.rowIndices].reverse() })).toThrow(
      expect.objectContaining({ code: 'E_PLAN_HASH_MISMATCH' }),
    );
  });
});
