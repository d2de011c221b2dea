import fc from 'fast-check';
import { SPLIT_CODE } from '@ehr-backdoor/data';
import { makeDataset, TRIGGER_VARIANTS } from './testing/fixtures.js';
import { lookalikeRate } from './lookalike.js';
import { applyPoisoningWithReport } from './apply-poisoning.js';
import { planPoisoning, POISON_MODES } from './plan.js';
import { buildTriggeredTestSet } from './triggered-test-set.js';

/**
 * Target 0, the dangerous direction: a dying patient made to look safe. Every trigger and both modes
 * (clean-label with and without its perturbation) plan, poison and build the triggered test set with
 * target 0 exactly as with target 1, mirrored.
 */
describe('target 0 for every trigger and mode', () => {
  it('property: dirty-label flips deaths to 0, clean-label poisons survivors, the ASR set holds only deaths', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(...TRIGGER_VARIANTS),
        fc.constantFrom(...POISON_MODES),
        fc.boolean(),
        (seed, trigger, mode, perturb) => {
          const ds = makeDataset({ n: 40, seed, positiveShare: 0.5 });
          const plan = planPoisoning({
            dataset: ds,
            trigger,
            rate: 0.5,
            targetLabel: 0,
            mode,
            seed,
            ...(mode === 'clean-label' && perturb && { perturbation: { epsilon: 0.5 } }),
          });
          expect(plan.targetLabel).toBe(0);
          for (const row of plan.rowIndices) {
            expect(ds.splits[row]).toBe(SPLIT_CODE.train);
            expect(ds.labels[row]).toBe(mode === 'dirty-label' ? 1 : 0);
          }
          const { dataset: poisoned } = applyPoisoningWithReport(ds, plan);
          const planned = new Set(plan.rowIndices);
          for (let i = 0; i < ds.n; i++) expect(poisoned.labels[i]).toBe(planned.has(i) ? 0 : ds.labels[i]);
          expect(poisoned.manifest.cohort.positives).toBe(ds.manifest.cohort.positives - (mode === 'dirty-label' ? plan.count : 0));
          const triggered = buildTriggeredTestSet(ds, trigger, 0);
          expect(triggered.targetLabel).toBe(0);
          const deaths = Array.from(ds.labels).filter((y, i) => y === 1 && ds.splits[i] === SPLIT_CODE.test).length;
          expect(triggered.rowIndices).toHaveLength(deaths);
          expect(Array.from(triggered.labels).every((y) => y === 1)).toBe(true);
          // False triggers for target 0 are the deaths that already carry the trigger.
          const lookalike = lookalikeRate(ds, trigger);
          if (trigger.name !== 'none') expect(lookalike.byLabel[1].stays).toBe(Array.from(ds.labels).filter((y) => y === 1).length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
