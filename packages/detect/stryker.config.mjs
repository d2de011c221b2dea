// Mutation testing of @ehr-backdoor/detect: `nx run detect:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';

const typedArrayBound = 'EqualityOperator (< → <=)';
export default strykerConfig('detect', {
  // Surviving mutants that no test can kill because they change nothing observable. They stay in the
  // report as "Survived" and count against the score.
  equivalent: [
    {
      file: 'packages/detect/src/lib/matrix.ts',
      code: 'for (let r = 0; r < rows.length; r++) for (let j = 0; j < d; j++) mean[j] += m.values[rows[r] * d + j];',
      mutator: typedArrayBound,
      why: 'centredRows, covarianceOf: one step past the last row or column only reads or writes past the end of a Float64Array (dropped) or, in the upper-triangle loop, writes a lower-triangle cell that the mirroring loop overwrites; the same holds for each `< d`, `< rows.length` loop bound of both functions.',
    },
    {
      file: 'packages/detect/src/lib/matrix.ts',
      code: 'if (x === 0) continue;',
      mutator: 'ConditionalExpression (false)',
      why: 'skipping a zero only saves the additions of 0 · centred[…].',
    },
    {
      file: 'packages/detect/src/lib/spectral-signatures.ts',
      code: "Random.fromSeed(options.seed ?? 0, 'spectral-signatures')",
      mutator: 'StringLiteral (stream name → "")',
      why: 'the stream only picks the power iteration start; a converged top eigenvector does not depend on it, and its sign is fixed (largest component positive).',
    },
    {
      file: 'packages/detect/src/lib/spectral-signatures.ts',
      code: 'for (let j = 0; j < d; j++) p += centred[r * d + j] * v[j];',
      mutator: 'AssignmentOperator (+= → -=)',
      why: 'the score uses p², which is the same for −p.',
    },
    {
      file: 'packages/detect/src/lib/spectral-signatures.ts',
      code: 'for (let r = 0; r < n; r++) {',
      mutator: typedArrayBound,
      why: 'the extra pass writes scores[rows[n]] = scores[undefined], a named property of the Float64Array, no element.',
    },
  ],
});
