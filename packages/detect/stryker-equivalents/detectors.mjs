// Equivalent mutants of detect (see ../stryker.config.mjs): the detectors and defences that read a model or its outputs (STRIP, trigger reconstruction, attribution outliers, fine-pruning).
import { typedArrayBound } from './mutators.mjs';

export const detectorsEquivalents = [
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
    file: 'packages/detect/src/lib/trigger-reconstruction.ts',
    code: 'for (let j = 0; j < d; j++) {\n      lo[j] = Math.min(lo[j], flat[i * d + j]);',
    mutator: typedArrayBound,
    why: 'observedBounds: at j = d the read is the next stay’s first element (or past the end) and the writes to lo[d] and hi[d] are past the end of the two Float32Arrays of length d (dropped).',
  },
  {
    file: 'packages/detect/src/lib/trigger-reconstruction.ts',
    code: 'const y = tf.fill([count], target);',
    mutator: 'ArrayDeclaration ([count] → [])',
    why: 'a scalar target instead of a vector of count copies: tf.mul(logits, y) broadcasts it to the same [count] product, so the loss and its gradients are the same; y is read nowhere else (the success rate compares with `target === 1`) and is disposed either way.',
  },
  {
    file: 'packages/detect/src/lib/trigger-reconstruction.ts',
    code: '        true,\n        [a, b],\n      );\n      cost?.dispose();',
    mutator: 'BooleanLiteral (returnCost true → false)',
    why: 'with returnCost false tfjs’ Optimizer.minimize disposes the cost itself and returns null, and `cost?.dispose()` does nothing; the update of a and b is the same and no tensor outlives the step either way (the specs count tensors before and after).',
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
    file: 'packages/detect/src/lib/attribution-outlier.ts',
    code: 'for (let r = 0; r < n; r++) {\n      let s = 0;',
    also: [
      'for (let r = 0; r < n; r++) scores[rows[r]] = labelScores[r];',
      'for (let r = 0; r < n; r++) column[r] = A.values[rows[r] * d + j];',
      'for (let r = 0; r < n; r++) values[r * d + j] = (column[r] - med) / scale;',
      'for (const r of core) for (let j = 0; j < d; j++) mean[j] +=',
      'for (const r of core)\n    for (let a = 0; a < d; a++) {',
      'for (let b = a; b < d; b++) cov[a * d + b] +=',
      'for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];',
      'for (let a = 0; a < d; a++) cov[a * d + a] += ridge;',
      'for (let r = 0; r < n; r++) {\n    // Solve L y = x − μ',
      'for (let i = 0; i < d; i++)',
      'for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];',
    ],
    mutator: typedArrayBound,
    why: 'one pass past the end. attributionOutliers: zScore[n] is written past the end (dropped), and rows[n] is undefined, so scores[undefined] is a named property of the Float64Array, no element. robustZ: column[n] and values[n·d + j] are written past the end. reweightedMahalanobis: mean[d] and the ridge on cov[d·d + d] land past the end; at a = d the inner loop from b = d runs zero times; at b = d the product lands in cov[(a + 1)·d], a lower-triangle cell that the mirroring loop overwrites (past the end for a = d − 1); `b <= a` copies each diagonal entry onto itself; the solve at r = n writes only the scratch y (not read afterwards) and out[n] past the end. cholesky: row d writes past the end of L, and `k <= j` subtracts L[i][j] · L[j][j] with L[i][j] not yet written (0) and L[j][j] ≥ √1e-300.',
  },
];
