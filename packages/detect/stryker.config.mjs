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
    {
      file: 'packages/detect/src/lib/power-iteration.ts',
      code: 'for (let j = 1; j < d; j++) if (Math.abs(v[j]) > Math.abs(v[big])) big = j;',
      also: [
        'if (v[big] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];',
        'for (let a = 0; a < d; a++) {',
        'v[j] -= dot * u[j];',
        'for (let j = 0; j < v.length; j++) v[j] /= norm;',
      ],
      mutator: typedArrayBound,
      why: 'one step past the end: Math.abs(v[d]) is NaN, never larger, so `big` stays; v[d] = −v[d], out[d] = s (multiply), v[d] −= dot · u[d] (orthogonalise) and v[d] /= norm (normalise) write past the end of a Float64Array (dropped), and the reads past the end of m in that extra multiply row only feed the dropped out[d].',
    },
    {
      file: 'packages/detect/src/lib/power-iteration.ts',
      code: 'const sign = cos < 0 ? -1 : 1;',
      mutator: 'EqualityOperator (< → <=)',
      why: 'differs only at cos = ±0, where w ⟂ v: then ‖w/‖w‖ − v‖ and ‖w/‖w‖ + v‖ are both √2 up to rounding, so `done` differs only for a tolerance within rounding of √2, and the chosen sign always gives a change √(2 − 2|cos|) ≤ √2, so such a tolerance accepts every iterate anyway.',
    },
    {
      file: 'packages/detect/src/lib/power-iteration.ts',
      code: 'for (let j = 0; j < d; j++) cos += (w[j] / norm) * v[j];',
      mutator: 'ArithmeticOperator (w[j] / norm → w[j] * norm)',
      why: 'cos is used only for its sign, and with norm > 0 (checked just above) each term w[j] · norm · v[j] is the original term times norm², so the sum has the same sign except where rounding decides the sign of a sum near 0, i.e. at cos ≈ 0, which matters no more than `cos <= 0` does (see that entry); the products overflow only where `squares` = ‖w‖² has already overflowed.',
    },
    {
      file: 'packages/detect/src/lib/power-iteration.ts',
      code: 'for (let b = 0; b < d; b++) s += m[row + b] * v[b];',
      mutator: 'AssignmentOperator (+= → -=)',
      why: 'multiply then returns −Mv exactly (IEEE negation commutes with products and sums; orthogonalise and normalise are odd functions too), so each iterate is (−1)^t times the original, bit for bit: cos flips sign with it and `sign` absorbs the flip in the change, the eigenvalue is ‖w‖, and the final sign rule fixes the vector. Only at cos = ±0 could the change differ (see the `cos < 0` entry).',
    },
    {
      file: 'packages/detect/src/lib/power-iteration.ts',
      code: 'if (v[big] < 0)',
      mutator: 'EqualityOperator (< → <=)',
      why: 'v[big] is the largest component in size, so it is ±0 only when v is the zero vector (k > d leaves no direction to orthogonalise into); negating zeros leaves zeros.',
    },
    {
      file: 'packages/detect/src/lib/matrix.ts',
      code: 'for (let j = 0; j < d; j++) mean[j] /= rows.length;',
      also: [
        'centred[r * d + j] = m.values[rows[r] * d + j] - mean[j];',
        'for (let a = 0; a < d; a++) {',
        'for (let b = a; b < d; b++) cov[row + b] += x * centred[o + b];',
        '  }\n  for (let a = 0; a < d; a++)',
      ],
      mutator: typedArrayBound,
      why: 'centredRows: mean[d] /= n writes past the end (dropped); at r = rows.length the row index is undefined and every write lands past the end of `centred`; at j = d the NaN written to centred[r·d + d] is the next row’s first cell, which that row’s pass overwrites (past the end for the last row). covarianceOf: at a = d the inner loop from b = d runs zero times; at b = d the product lands in cov[(a + 1)·d], a lower-triangle cell that the mirroring loop overwrites with its upper twin (past the end for a = d − 1); the mirroring loop at a = d runs its inner loop zero times.',
    },
    {
      file: 'packages/detect/src/lib/logistic-regression.ts',
      code: 'for (let a = 0; a < D; a++) {\n        const xa = a === d ? 1 : X[o + a];',
      also: [
        'for (let b = a; b < D; b++) {',
        'for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) H[a * D + b] = H[b * D + a];',
        'for (let i = 0; i < n; i++) {\n    let eta = model.intercept;',
      ],
      mutator: typedArrayBound,
      why: 'fitLogistic: at a = D the gradient write g[D] is past the end (dropped) and the inner loop from b = D runs zero times; at b = D the product lands in H[(a + 1)·D], a lower-triangle cell that the mirroring loop overwrites with its upper twin (past the end for a = d); the mirroring loop at a = D only writes past the end, and `b <= a` copies each diagonal entry onto itself. predictLogistic: i = n writes out[n], past the end.',
    },
    {
      file: 'packages/detect/src/lib/logistic-regression.ts',
      code: 'if (xa === 0) continue;',
      mutator: 'ConditionalExpression (false)',
      why: 'skipping a zero feature only saves adding r · 0 and h · 0 · x_b, which are 0 for finite values; a NaN anywhere in the row makes eta, r and h NaN, so the intercept’s entries (x = 1, never skipped) are NaN either way and the solve refuses the step alike. Only an infinite feature beside a zero one could tell, and the one caller (confident learning) fits a design clipped to [−10, 10].',
    },
    {
      file: 'packages/detect/src/lib/linear-solve.ts',
      code: 'const y = new Float64Array(d);\n  for (let i = 0; i < d; i++) {',
      also: ['for (let k = 0; k < i; k++) s -= L[i * d + k] * y[k];', 'for (let i = d - 1; i >= 0; i--) {'],
      mutator: 'EqualityOperator (< → <=), ArithmeticOperator (d - 1 → d + 1)',
      why: 'the substitutions of solveRidge: `k <= i` subtracts L[i][i] · y[i] with y[i] not yet written (0) and L[i][i] a finite positive pivot, so it subtracts 0; `i <= d` and the backward start at d + 1 only compute y[d], x[d], x[d + 1] from reads past the end and write them past the end of their Float64Arrays (dropped), and no later step reads them.',
    },
    {
      file: 'packages/detect/src/lib/detection-metrics.ts',
      code: 'let rankSum = 0;\n  for (let start = 0; start < n; ) {',
      mutator: typedArrayBound,
      why: 'detectionAuroc: the extra pass at start = n finds order[n] undefined, so the tie scan stops at once (end + 1 < n fails) and truth[undefined] adds no rank; the sum is unchanged.',
    },
    {
      file: 'packages/detect/src/lib/exclusionary-reclassification.ts',
      code: 'for (let k = 0; k < predicted.length; k++) if (predicted[k] === label) own++;',
      mutator: typedArrayBound,
      why: 'predicted[predicted.length] is undefined (reclassify returns an array or typed array), never === a numeric label.',
    },
    {
      file: 'packages/detect/src/lib/exclusionary-reclassification.ts',
      code: 'const ratio = other === 0 ? Infinity : own / other;',
      mutator: 'ConditionalExpression (false)',
      why: 'the cluster is never empty here, so other = 0 means own = cluster.length ≥ 1, and own / 0 is Infinity already; the test only spells the case out.',
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
      mutator: 'EqualityOperator (< → <=)',
      why: 'one pass past the end. attributionOutliers: zScore[n] is written past the end (dropped), and rows[n] is undefined, so scores[undefined] is a named property of the Float64Array, no element. robustZ: column[n] and values[n·d + j] are written past the end. reweightedMahalanobis: mean[d] and the ridge on cov[d·d + d] land past the end; at a = d the inner loop from b = d runs zero times; at b = d the product lands in cov[(a + 1)·d], a lower-triangle cell that the mirroring loop overwrites (past the end for a = d − 1); `b <= a` copies each diagonal entry onto itself; the solve at r = n writes only the scratch y (not read afterwards) and out[n] past the end. cholesky: row d writes past the end of L, and `k <= j` subtracts L[i][j] · L[j][j] with L[i][j] not yet written (0) and L[j][j] ≥ √1e-300.',
    },
  ],
});
