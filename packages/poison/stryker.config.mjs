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
  ],
});
