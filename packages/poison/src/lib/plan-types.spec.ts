/**
 * Type-level tests of poisoning-plan options: the trigger is discriminated by name, the mode and the
 * target label are literal unions, and the plan records the resolved trigger. `tsc -b` checks the
 * `@ts-expect-error` lines; the compile-only block never runs (it would throw at run time).
 */
import { expectTypeOf } from 'expect-type';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { PlanPoisoningOptions, PoisoningPlan, PoisonMode, TriggerSpec } from '../index.js';
import { planPoisoning, POISON_MODES } from '../index.js';
import { handMadeDataset } from './testing/fixtures.js';

describe('poisoning plan types', () => {
  it('options and plan are typed by literal unions', () => {
    expectTypeOf<PlanPoisoningOptions['mode']>().toEqualTypeOf<PoisonMode | undefined>();
    expectTypeOf<PlanPoisoningOptions['targetLabel']>().toEqualTypeOf<0 | 1 | undefined>();
    expectTypeOf<PoisonMode>().toEqualTypeOf<'dirty-label' | 'clean-label'>();
    expectTypeOf(POISON_MODES).toEqualTypeOf<readonly PoisonMode[]>();
    expectTypeOf<PoisoningPlan['trigger']>().toEqualTypeOf<TriggerSpec>();
    expectTypeOf(planPoisoning).returns.toEqualTypeOf<PoisoningPlan>();

    const plan = planPoisoning({ dataset: handMadeDataset(), trigger: { name: 'rare_value', params: { hours: 1 } }, rate: 0, seed: 1 });
    expect(plan.count).toBe(0);
  });

  it('wrong options do not compile (checked by tsc; nothing runs)', () => {
    const compileOnly = (dataset: EhrDataset): void => {
      planPoisoning({
        dataset,
        trigger: { name: 'missingness', params: { variables: ['wbc'] } },
        rate: 0.1,
        seed: 0,
        mode: 'clean-label',
        targetLabel: 0,
      });
      planPoisoning({ dataset, trigger: { name: 'pattern' }, rate: 0.1, seed: 0 });
      // @ts-expect-error rare_value parameters under the missingness name
      planPoisoning({ dataset, trigger: { name: 'missingness', params: { variable: 'wbc' } }, rate: 0.1, seed: 0 });
      // @ts-expect-error not a trigger name
      planPoisoning({ dataset, trigger: { name: 'rare' }, rate: 0.1, seed: 0 });
      // @ts-expect-error not a poisoning mode
      planPoisoning({ dataset, trigger: { name: 'pattern' }, rate: 0.1, seed: 0, mode: 'label-flip' });
      // @ts-expect-error the target label is 0 or 1
      planPoisoning({ dataset, trigger: { name: 'pattern' }, rate: 0.1, seed: 0, targetLabel: 2 });
      // @ts-expect-error the seed is required: plans are reproducible by construction
      planPoisoning({ dataset, trigger: { name: 'pattern' }, rate: 0.1 });
      // @ts-expect-error unknown option
      planPoisoning({ dataset, trigger: { name: 'pattern' }, rate: 0.1, seed: 0, poisonRate: 0.1 });
    };
    expect(typeof compileOnly).toBe('function');
  });
});
