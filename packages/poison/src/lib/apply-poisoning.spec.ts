import { canonicalJson } from '@ehr-backdoor/core';
import { SPLIT_CODE } from '@ehr-backdoor/data';
import { makeDataset, tabularRow } from './testing/fixtures.js';
import { applyPoisoning, applyPoisoningWithReport } from './apply-poisoning.js';
import { planHashOf, planPoisoning, type PoisoningPlan } from './plan.js';

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
  /** The plan with `edit` applied and its hash recomputed: an internally consistent plan that does not fit `ds`. */
  const rehashed = (plan: PoisoningPlan, edit: Partial<PoisoningPlan>): PoisoningPlan => {
    const { planHash: _old, ...body } = { ...plan, ...edit };
    return { ...body, planHash: planHashOf(body) };
  };

  it('names both datasets, the edited plan or the row that is not a training stay of this dataset', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.3, seed: 3 });
    const other = makeDataset({ n: 60, seed: 2 });
    expect(() => applyPoisoning(other, plan)).toThrow(
      expect.objectContaining({
        name: 'CompatibilityError',
        code: 'E_PLAN_DATASET_MISMATCH',
        message: `The poisoning plan was made for dataset ${ds.manifest.contentHash.slice(0, 12)}…, not for this one (${other.manifest.contentHash.slice(0, 12)}…); plan again on this dataset.`,
      }),
    );
    expect(() => applyPoisoning(ds, { ...plan, seed: 4 })).toThrow(
      expect.objectContaining({
        name: 'CompatibilityError',
        code: 'E_PLAN_HASH_MISMATCH',
        message: 'The poisoning plan does not match its own planHash: it was edited after planning; plan again.',
      }),
    );
    const first = plan.rowIndices[0];
    const notTrain = Array.from({ length: ds.n }, (_, i) => i).find((i) => ds.splits[i] !== SPLIT_CODE.train)!;
    const cases: [number, number][] = [
      [-1, ds.stayIds[first]],
      [ds.n, ds.stayIds[first]],
      [first + 0.5, ds.stayIds[first]],
      [first, ds.stayIds[first] + 1],
      [notTrain, ds.stayIds[notTrain]],
    ];
    for (const [row, stay] of cases) {
      const edited = rehashed(plan, { rowIndices: [row, ...plan.rowIndices.slice(1)], stayIds: [stay, ...plan.stayIds.slice(1)] });
      expect(() => applyPoisoning(ds, edited)).toThrow(
        expect.objectContaining({
          name: 'CompatibilityError',
          code: 'E_PLAN_DATASET_MISMATCH',
          message: `Plan row ${row} (stay ${stay}) is not that training stay of this dataset; plan again.`,
        }),
      );
    }
    // The last row is checked too, and the last training row is a valid one.
    const last = Array.from({ length: ds.n }, (_, i) => i)
      .filter((i) => ds.splits[i] === SPLIT_CODE.train)
      .at(-1)!;
    const lastOk = rehashed(plan, {
      rowIndices: [...plan.rowIndices.slice(0, -1), last],
      stayIds: [...plan.stayIds.slice(0, -1), ds.stayIds[last]],
    });
    expect(() => applyPoisoning(ds, lastOk)).not.toThrow();
    const lastBad = rehashed(plan, {
      rowIndices: [...plan.rowIndices.slice(0, -1), notTrain],
      stayIds: [...plan.stayIds.slice(0, -1), ds.stayIds[notTrain]],
    });
    expect(() => applyPoisoning(ds, lastBad)).toThrow(expect.objectContaining({ code: 'E_PLAN_DATASET_MISMATCH' }));
  });

  it('refuses a plan whose recorded trigger choices differ from what the trigger resolves to on this dataset', () => {
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'rare_value', params: { inRange: true } }, rate: 0.3, seed: 3 });
    const edited = rehashed(plan, { resolved: { values: { heart_rate: 1 } } });
    expect(() => applyPoisoning(ds, edited)).toThrow(
      expect.objectContaining({
        name: 'CompatibilityError',
        code: 'E_PLAN_DATASET_MISMATCH',
        message: `The trigger resolves to ${canonicalJson(plan.resolved)} on this dataset but the plan recorded {"values":{"heart_rate":1}}; plan again.`,
      }),
    );
  });

  it('records the plan in the manifest; target 0 flips labels to 0; the input is left as it was', () => {
    const labels = Uint8Array.from(ds.labels);
    const plan = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 3, targetLabel: 0 });
    const { dataset: poisoned, stealth } = applyPoisoningWithReport(ds, plan);
    expect(poisoned.manifest.createdBy).toBe(`@ehr-backdoor/poison applyPoisoning (plan ${plan.planHash.slice(0, 12)})`);
    expect(poisoned.manifest.cohort.positives).toBe(ds.manifest.cohort.positives - plan.count);
    expect(poisoned.manifest.variables).toEqual(ds.manifest.variables);
    const planned = new Set(plan.rowIndices);
    for (let i = 0; i < ds.n; i++) expect(poisoned.labels[i]).toBe(planned.has(i) ? 0 : ds.labels[i]);
    expect(ds.labels).toEqual(labels);
    // 'none' changes no value: the views are the dataset's own values, and both reports say so.
    expect(poisoned.tabular.values).toEqual(ds.tabular.values);
    expect(poisoned.timeSeries.values).toEqual(ds.timeSeries.values);
    expect(poisoned.timeSeries.mask).toEqual(ds.timeSeries.mask);
    expect(stealth.map((s) => [s.view, s.changedValues])).toEqual([
      ['tabular', 0],
      ['timeseries', 0],
    ]);
  });

  it('clean-label with a perturbation: both applied, the reports count against the clean dataset', () => {
    const perturbation = { method: 'class-mean' as const, variables: ['heart_rate'] };
    const plain = planPoisoning({ dataset: ds, trigger: { name: 'none' }, rate: 0.5, seed: 3, mode: 'clean-label', perturbation });
    const { dataset: moved, stealth } = applyPoisoningWithReport(ds, plain);
    expect(moved.labels).toEqual(ds.labels);
    // 'none' writes nothing, yet the perturbed heart rates are counted: the report compares with the clean views.
    expect(stealth.map((r) => r.view)).toEqual(['tabular', 'timeseries']);
    expect(stealth.every((r) => r.changedValues > 0 && r.changedRows === plain.count)).toBe(true);
    expect(Object.keys(stealth[1].perVariable)).toEqual(['heart_rate']);
    // A time-series-only trigger: one report, and the tabular view still carries the perturbation.
    const tsOnly = planPoisoning({
      dataset: ds,
      trigger: { name: 'missingness_pattern' },
      rate: 0.5,
      seed: 3,
      mode: 'clean-label',
      perturbation,
    });
    const both = applyPoisoningWithReport(ds, tsOnly);
    expect(both.stealth.map((r) => r.view)).toEqual(['timeseries']);
    expect(both.dataset.tabular.values).toEqual(moved.tabular.values);
    expect(both.dataset.tabular.values).not.toEqual(ds.tabular.values);
    // Without a trigger on a view and without a perturbation, the view keeps the dataset's values.
    const tsPlain = planPoisoning({ dataset: ds, trigger: { name: 'missingness_pattern' }, rate: 0.5, seed: 3, mode: 'clean-label' });
    expect(applyPoisoning(ds, tsPlain).tabular.values).toEqual(ds.tabular.values);
  });
});
