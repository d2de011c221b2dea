// Mutation testing of @ehr-backdoor/poison: `nx run poison:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';

export default strykerConfig('poison', {
  // Surviving mutants that no test can kill because they change nothing observable. They stay in the
  // report as "Survived" and count against the score.
  equivalent: [
    {
      file: 'packages/poison/src/lib/plan.ts',
      code: 'for (let i = 0; i < dataset.n; i++) {',
      mutator: 'EqualityOperator (< → <=)',
      why: 'eligibleRows: the extra row n has splits[n] undefined, never the training split, so it is skipped.',
    },
    {
      file: 'packages/poison/src/lib/apply-poisoning.ts',
      code: 'Number.isInteger(row) &&',
      mutator:
        'ConditionalExpression (each of the integer, ≥ 0 and < n checks → true), LogicalOperator (&& → ||), EqualityOperator (< → <=)',
      why: 'assertPlanFits: for a row that is not an integer in [0, n), dataset.splits[row] is undefined, never SPLIT_CODE.train, so the split check refuses it anyway.',
    },
    {
      file: 'packages/poison/src/lib/apply-poisoning.ts',
      code: "if (plan.mode === 'dirty-label') for (const row of plan.rowIndices) labels[row] = plan.targetLabel;",
      mutator: 'ConditionalExpression (→ true)',
      why: 'A clean-label plan only holds stays whose label is already the target, so setting it again changes nothing.',
    },
    {
      file: 'packages/poison/src/lib/lookalike.ts',
      code: 'rate: stays > 0 ? carriers / stays : NaN',
      mutator: 'ConditionalExpression (→ true)',
      why: 'With no stay there is no carrier either, and 0 / 0 is NaN.',
    },
    {
      file: 'packages/poison/src/lib/lookalike.ts',
      code: 'for (let i = 0; i < dataset.n; i++) {',
      mutator: 'EqualityOperator (< → <=)',
      why: 'The extra row n has no split (skipped for a split) and no label: its counts go to stays[undefined], which the report never reads.',
    },
    {
      file: 'packages/poison/src/lib/triggered-test-set.ts',
      code: 'for (let i = 0; i < dataset.n; i++) if (dataset.splits[i] === SPLIT_CODE.test',
      mutator: 'EqualityOperator (< → <=)',
      why: 'The extra row n has splits[n] undefined, never the test split, so it is skipped.',
    },
  ],
});
