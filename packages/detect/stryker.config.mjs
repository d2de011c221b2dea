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
    {
      file: 'packages/detect/src/lib/assumed-contamination.ts',
      code: "typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 0.5",
      mutator: 'LogicalOperator (first && → ||), ConditionalExpression (typeof test → true)',
      why: 'Number.isFinite is false for every non-number (it does not coerce), and NaN and ±Infinity fail the range test: the typeof and isFinite tests each only repeat what the rest of the condition already rejects.',
    },
    {
      file: 'packages/detect/src/lib/kmeans.ts',
      code: 'for (let i = 0; i < n; i++) {\n        u -= nearest[i];',
      mutator: typedArrayBound,
      why: 'seedPlusPlus: past the last point nearest[n] is undefined, u becomes NaN and `NaN < 0` is false, so the D² scan ends without a pick, as it does after the last point; the seed stays the uniform draw made before the scan.',
    },
    {
      file: 'packages/detect/src/lib/kmeans.ts',
      code: 'const assignment = new Int32Array(n).fill(-1);',
      mutator: 'UnaryOperator (-1 → +1)',
      why: 'seeds are data points: the point under centroid 0 is at distance 0 from it and joins cluster 0 on the first pass (ties go to the lower centroid), so with +1 as with −1 some assignment changes and Lloyd goes on exactly as before; the start value is never read otherwise.',
    },
    {
      file: 'packages/detect/src/lib/kmeans.ts',
      code: 'for (let c = 0; c < k; c++) {\n        const dist = squaredDistance(points, i * d, centroids, c * d, d);',
      mutator: typedArrayBound,
      why: 'lloyd: centroid k lies past the end of the Float64Array; its undefined values give a NaN distance and `NaN < bestD` is false.',
      also: [
        'for (let i = 0; i < n; i++) {\n      const c = assignment[i];',
        'for (let c = 0; c < k; c++) if (sizes[c] > 0)',
        'for (let i = 0; i < n; i++) sizes[assignment[i]]++;',
      ],
    },
    {
      file: 'packages/detect/src/lib/kmeans.ts',
      code: 'for (let j = 0; j < n; j++) if (j !== i) sums[assignment[j]] += Math.sqrt(squaredDistance(points, i * d, points, j * d, d));',
      mutator: 'EqualityOperator (< → <=), ConditionalExpression (j !== i → true)',
      why: 'silhouette: at j = n, assignment[n] is undefined and the sum goes to sums[undefined], a named property of the Float64Array; without `j !== i` a point adds its distance to itself, √0 = 0, to its own cluster’s sum, which leaves it unchanged.',
    },
    {
      file: 'packages/detect/src/lib/kmeans.ts',
      code: 'if (sizes[own] === 1) continue;',
      mutator: 'ConditionalExpression (false)',
      why: 'for a singleton a = 0 / 0 = NaN, Math.max(NaN, b) is NaN and `NaN > 0` is false, so the point adds 0 to the total, as the `continue` does (sklearn: s = 0 for a singleton).',
    },
    {
      file: 'packages/detect/src/lib/model-strip-test-time.ts',
      code: 'for (let start = 0; start < rows.length; start += batchSize) {',
      also: ['rows.subarray(start, Math.min(rows.length, start + batchSize))'],
      mutator: 'EqualityOperator (< → <=), MethodExpression (Math.min → Math.max)',
      why: 'with `<=` a last pass at start = rows.length reads no row (an empty subarray, an empty tensor) and sets nothing; with Math.max each pass reads every row from `start` on (subarray stops at the end) and sets them from `start`, and the next passes overwrite the tail with the same values: the same matrix, more work.',
    },
    {
      file: 'packages/detect/src/lib/model-trigger-reconstruction.ts',
      code: 'if (trueVariables.length === 0) return NaN;',
      mutator: 'ConditionalExpression (false)',
      why: 'with no true variable the share is 0 / 0, which is NaN too.',
    },
    {
      file: 'packages/detect/src/lib/robust-scores.ts',
      code: 'if (sorted.length === 0) return { median: NaN, lower: NaN, upper: NaN };',
      mutator: 'ConditionalExpression (false)',
      why: 'robustCentre of no finite value: without the early return the median of an empty array is NaN and each side is Math.max(NaN, 0, NaN) = NaN, the same three NaNs.',
    },
    {
      file: 'packages/detect/src/lib/robust-scores.ts',
      code: 'deviations.sort();',
      mutator: 'MethodExpression (sort() removed)',
      why: 'the deviations arrive sorted already, the upper side’s ascending and the lower side’s descending (median − x over ascending x), and the 0.5 quantile of a reversed array is the same element or the same pair; the sort keeps the helper correct for any input.',
    },
    {
      file: 'packages/detect/src/lib/robust-scores.ts',
      code: 'for (let i = 0; i < column.length; i++) {\n    const x = column[i];\n    if (!Number.isFinite(x) || !(Math.abs(z[i]) >= 3)) continue;',
      also: ['for (let i = 0; i < column.length; i++) {\n    const x = column[i];\n    if (!Number.isFinite(x)) continue;'],
      mutator: typedArrayBound,
      why: 'spikeSurprisal and empiricalTailSurprisal: column[length] is undefined, which is not finite, so the extra pass continues at once.',
    },
    {
      file: 'packages/detect/src/lib/robust-scores.ts',
      code: 'if (s === undefined) {',
      mutator: 'ConditionalExpression (true)',
      why: 'the cache per distinct value: computing the surprisal again gives the same number.',
    },
    {
      file: 'packages/detect/src/lib/robust-scores.ts',
      code: 'const hi = Math.max(logSum, logTerm);',
      also: ['if (logTerm < logSum - 40) break;'],
      mutator: 'MethodExpression (max → min), EqualityOperator (< → <=)',
      why: 'log-sum-exp is exact for any pivot, which only keeps exp() in range, and inside the loop the two logs differ by less than 40 (the loop stops there), so either pivot gives the sum up to rounding in the last bits; stopping at a term of exactly e⁻⁴⁰ of the sum instead of below it leaves out one term that small, again below the last bit that the tests (and the screening) can see.',
    },
    {
      file: 'packages/detect/src/lib/strip-test-time.ts',
      code: 'for (let r = 0; r < rows; r++) out[Math.floor((start + r) / N)] += rowEntropy(p, r, K) / N;',
      mutator: typedArrayBound,
      why: 'the extra row reads p past the end: undefined probabilities, which rowEntropy counts as 0 bits (its h(q) is 0 unless q > 0, and NaN clamps to NaN), so it adds 0 to a stay’s entropy (or writes past the end of out).',
    },
    {
      file: 'packages/detect/src/lib/strip-test-time.ts',
      code: 'const hi = Math.min(sorted.length - 1, lo + 1);',
      mutator: 'ArithmeticOperator (length − 1 → length + 1)',
      why: 'frr < 1 (checked), so q (n − 1) < n − 1 and lo ≤ n − 2: lo + 1 is the smaller bound either way.',
    },
    {
      file: 'packages/detect/src/lib/strip-test-time.ts',
      code: 'if (q < low) {',
      also: ['if (q > 1 - low) return -inverseStandardNormal(1 - q);'],
      mutator: 'EqualityOperator (< → <=, > → >=)',
      why: 'Acklam’s tail and central approximations meet at q = 0.02425 (and 0.97575), each within its 1.2e-9 relative error: which one takes the boundary point changes Φ⁻¹ below that error.',
    },
    {
      file: 'packages/detect/src/lib/detection-metrics.ts',
      code: 'for (let k = 0; k < poisonedIndices.length; k++) truth[poisonedIndices[k]] = 1;',
      mutator: typedArrayBound,
      why: 'truthMask: the extra pass writes truth[undefined], a named property of the Uint8Array, no element.',
    },
    {
      file: 'packages/detect/src/lib/detection-metrics.ts',
      code: 'while (end + 1 < n && key(order[end + 1]) === key(order[start])) end++;',
      mutator: 'EqualityOperator (< → <=), ConditionalExpression (bound → true), ArithmeticOperator (end + 1 → end − 1)',
      why: 'detectionAuroc and tprAtFpr: past the last stay order[n] is undefined and key(undefined) is undefined, never equal to a score, so the tie scan stops at the end with or without the bound; the same holds for `start <= n` in both outer loops (one more pass over no stay: truth[undefined] adds nothing).',
    },
    {
      file: 'packages/detect/src/lib/linear-solve.ts',
      code: 'for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];',
      mutator: typedArrayBound,
      why: 'solveRidge: the extra term reads L[i][j], not yet written (0), so it subtracts 0; likewise `k <= i` in the forward substitution reads y[i] (still 0), and `i <= d` / `i = d + 1` only write y[d], x[d], x[d + 1] past the end of their Float64Arrays (dropped).',
    },
    {
      file: 'packages/detect/src/lib/linear-solve.ts',
      code: 'return x >= 0 ? r : 2 - r;',
      mutator: 'EqualityOperator (>= → >)',
      why: 'erfc(0): the fit gives r = exp(3e-8) and 2 − r = 1 − 3e-8, both within the fit’s 1.2e-7 relative error of erfc(0) = 1; the two branches meet at 0.',
    },
  ],
});
