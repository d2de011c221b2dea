// Mutation testing of @ehr-backdoor/detect: `nx run detect:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';

const typedArrayBound = 'EqualityOperator (< → <=)';
export default strykerConfig('detect', {
  // Surviving mutants that no test can kill because they change nothing observable. They stay in the
  // report as "Survived" and count against the score.
  equivalent: [
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'for (let i = 0; i < n; i++) if (Number.isFinite(table.values[i * F + j])) residual[i] = Z[i * d + j] - prediction[i];',
      also: [
        'for (let i = 0; i < n; i++) {\n      const r = residual[i];',
        'for (let i = 0; i < n; i++) scaled[i * F + j] = column[i];',
        'for (let i = 0; i < n; i++) {\n      const x = scaled[i * F + j];\n      if (Number.isFinite(x)) {',
        'for (let i = 0; i < n; i++) {\n      const x = scaled[i * F + j];\n      if (Number.isFinite(x)) s +=',
        'for (let i = 0; i < n; i++) {\n      const x = scaled[i * F + j];\n      Z[i * d + j] =',
        'for (let i = 0; i < n; i++) Z[i * d + F + k] = missing[i * V + v];',
        'for (let i = 0; i < n; i++) Z[i * d + d - 1] = 1;',
        'for (let i = 0; i < n; i++) {\n    let p = 0;',
      ],
      mutator: typedArrayBound,
      why: 'one pass past the last stay: in crossVariable it reads table.values[n·F + j] and residual[n] past the end of their Float64Arrays (undefined, not finite: nothing is scored); in designMatrix scaled[n·F + j] is undefined (not finite, so neither mean nor spread moves) and Z[n·d + …] is written past the end (dropped); in ridgePrediction prediction[n] is written past the end.',
    },
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'for (let j = 0; j < F; j++) {\n    let m = 0;',
      mutator: typedArrayBound,
      why: 'designMatrix: the extra pass j = F standardises scaled[i·F + F] (the next stay’s first column) into column F of Z, which is the first missing-indicator column or, without indicators, the intercept; both loops after it rewrite that column for every stay.',
    },
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'if (!Number.isFinite(r)) continue;',
      mutator: 'ConditionalExpression (→ false)',
      why: 'a missing value’s residual is NaN: (median − NaN) / lower is NaN, zSurprisal(NaN) is NaN (Math.max(0, NaN)) and `NaN > out[…]` is false, so the stay’s score is left as it was; the guard only skips that work.',
    },
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'const s = zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower);',
      also: ['if (s > out[i * V + v]) out[i * V + v] = s;'],
      mutator: 'EqualityOperator (>= → >, > → >=)',
      why: 'at r = median both branches give z = 0; `s >= out[…]` only rewrites the value that is already there.',
    },
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'const scale = c > 1 && s > 0 ? Math.sqrt(s / (c - 1)) : 1;',
      mutator: 'ConditionalExpression (c > 1 → true), EqualityOperator (> → >=)',
      why: 'with c ≤ 1 finite values s is 0 (no values, or the one value minus itself as the mean), so `s > 0` already gives the column scale 1.',
    },
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'for (let a = 0; a < d; a++) {\n      const x = Z[o + a];\n      if (x === 0) continue;\n      for (let b = a; b < d; b++) G[a * d + b] += x * Z[o + b];',
      also: ['for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[a * d + b] = G[b * d + a];'],
      mutator: `${typedArrayBound}, ConditionalExpression (x === 0 → false)`,
      why: 'gramMatrix: `a <= d` takes the next stay’s first entry as x, but its inner loop (b from d to d − 1) does nothing; `b <= d` adds to G[(a + 1)·d], a lower-triangle cell that the mirroring loop overwrites (past the end for a = d − 1); in the mirroring loop `a <= d` writes past the end and `b <= a` copies the diagonal onto itself; skipping x = 0 only saves adding 0 · Z[…].',
    },
    {
      file: 'packages/detect/src/lib/screening-cross-variable.ts',
      code: 'for (let a = 0; a < m; a++) {\n    b[a] = G[keep[a] * d + target];\n    for (let c = 0; c < m; c++) A[a * m + c] = G[keep[a] * d + keep[c]];',
      mutator: typedArrayBound,
      why: 'ridgePrediction: `a <= m` writes b[m] and A[m·m + …] past the end of their Float64Arrays; `c <= m` writes A[(a + 1)·m] (NaN: keep[m] is undefined), which the next row’s c = 0 overwrites before the solve, or past the end for the last row.',
    },
    {
      file: 'packages/detect/src/lib/screening-univariate.ts',
      code: 'for (let j = 0; j < F; j++)\n    if (!table.isCount[j])',
      also: ['for (let j = 0; j < F; j++) {\n    // A count says how often'],
      mutator: typedArrayBound,
      why: 'univariate: the extra column j = F has variableOf[F] undefined, so the levels pass sets levels[undefined] (a named property of the Float64Array that nothing reads) and the scoring pass compares against out[i·V + undefined] = out[NaN], undefined, and `s > undefined` is false: nothing is written.',
    },
    {
      file: 'packages/detect/src/lib/screening-univariate.ts',
      code: 'for (let i = 0; i < n; i++) {\n      if (!Number.isFinite(column[i])) continue;',
      also: [
        'for (let i = 0; i < table.n; i++)\n    for (let v = 0; v < V; v++) {',
        'for (let i = 0; i < n; i++)\n      for (let t = 0; t < T; t++) if (data.mask',
        'for (let i = 0; i < n; i++)\n      for (let t = 0; t < T; t++) {',
      ],
      mutator: `${typedArrayBound}, ConditionalExpression (!Number.isFinite(column[i]) → false)`,
      why: 'a missing value (or column[n], undefined, one pass past the end) scores NaN: its empirical tail is 0 and its z NaN, Math.max(NaN, 0) is NaN, and neither 0 nor NaN is `> out[…]`, so the guard only skips that work; addMissingSurprisal’s `i <= n` reads missing[n·V + v] (undefined) and `v <= V` reads share[V] (undefined, so eventSurprisal gives NaN), neither written; the hourly loops’ extra stay finds every mask entry undefined.',
    },
    {
      file: 'packages/detect/src/lib/screening-univariate.ts',
      code: 'const z = column.map((x) => (x >= median ? (x - median) / upper : (median - x) / lower));',
      also: [
        '.map((x) => (x >= median ? (x - median) / upper : (median - x) / lower));\n    const spikes',
        'if (s > out[i * V + v]) out[i * V + v] = s;',
        'if (s > out[i * C + c]) out[i * C + c] = s;',
      ],
      mutator: 'EqualityOperator (>= → >, > → >=)',
      why: 'at x = median both branches give z = 0; `s >= out[…]` only rewrites the value that is already there.',
    },
    {
      file: 'packages/detect/src/lib/screening-temporal.ts',
      code: 'for (let i = 0; i < n; i++) {\n      let seen = false;',
      also: ['for (let k = 0; k < m; k++) {\n      const r = residual[k];'],
      mutator: typedArrayBound,
      why: 'the extra stay i = n finds every mask entry undefined, so it adds no pair; the extra residual k = m is undefined, so its z and zSurprisal are NaN and its owner[m] undefined makes o NaN: `NaN > out[NaN]` is false, nothing is written.',
    },
    {
      file: 'packages/detect/src/lib/screening-temporal.ts',
      code: 'my += next[k] / m;',
      also: ['sxy += (prev[k] - mx) * (next[k] - my);', 'next[k] - (my + slope * (prev[k] - mx))'],
      mutator: 'AssignmentOperator (+= → -=), ArithmeticOperator (next[k] / m → next[k] * m, a centring’s − → +)',
      why: 'the scores are robust z of the residuals about their median, so a constant added to every residual changes none: a wrong my (−mean or m² × mean) or the residual’s prev[k] + mx (a shift of −2 · slope · mx) only shifts them all. The slope does not move either: Σ (prev − mx)(next − c) is the same for every c because Σ (prev − mx) = 0, and Σ (prev + mx)(next − my) adds 2 · mx · Σ (next − my) = 0; both agree up to rounding, far below the spec’s 1e-9 tolerance.',
    },
    {
      file: 'packages/detect/src/lib/screening-temporal.ts',
      code: 'const s = zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower);',
      also: ['if (s > out[o]) out[o] = s;'],
      mutator: 'EqualityOperator (>= → >, > → >=)',
      why: 'at r = median both branches give z = 0; `s >= out[o]` only rewrites the value that is already there.',
    },
    {
      file: 'packages/detect/src/lib/screening-panels.ts',
      code: 'for (let i = 0; i < n; i++)\n    for (let v = 0; v < V; v++) {\n      if (!missing[i * V + v]) continue;',
      also: ['for (let u = 0; u < V; u++) if (missing[i * V + u]) both[u * V + v]++;'],
      mutator: typedArrayBound,
      why: 'counting: the extra stay i = n reads missing[n·V + v], undefined, and skips; the inner `u <= V` adds to both[V·V + v], past the end of the Float64Array.',
    },
    {
      file: 'packages/detect/src/lib/screening-panels.ts',
      code: 'for (let u = 0; u < V; u++)\n    for (let v = 0; v < V; v++) {\n      if (u === v || missingCount[v] < MIN_MISSING || missingCount[v] === n) continue;',
      mutator: `${typedArrayBound}, ConditionalExpression (u === v → false, missingCount[v] === n → false)`,
      why: 'partners: u = V or v = V read both[…] or missingCount[V] past the end (undefined), so givenMissing is NaN and no partner is set. Without `u === v`, u may partner itself, and without `missingCount[v] === n`, a v missing in every stay may become a partner; but a partner’s surprisal is read only for a v the stay measured while u is missing, which is never u itself nor a v that is never measured.',
    },
    {
      file: 'packages/detect/src/lib/screening-panels.ts',
      code: 'for (let i = 0; i < n; i++) {\n    let total = 0;\n    let worst = -1;',
      also: [
        'for (let u = 0; u < V; u++) {\n      if (!missing[i * V + u]) continue;',
        'for (let v = 0; v < V; v++) if (!missing[i * V + v] && surprisal[u * V + v] > s) s = surprisal[u * V + v];',
      ],
      mutator: `${typedArrayBound}, UnaryOperator (-1 → +1), EqualityOperator (> s → >= s)`,
      why: 'scoring: the extra stay i = n finds missing[n·V + u] undefined for every u and books nothing; the extra u = V (the next stay’s first variable) has its surprisal row at surprisal[V·V + v], past the end (undefined, never > s), so it adds 0; `>= s` only retakes an equal surprisal. worst starting at +1 matters only when no missing variable scores, and then the total it books is 0, written to out[i·V + 1], which is 0 already (for V = 1 that is the next stay’s entry, which that stay writes afterwards, or past the end).',
    },
    {
      file: 'packages/detect/src/lib/screening-table.ts',
      code: 'for (let i = 0; i < n; i++)\n    for (let c = 0; c < C; c++) {\n      let count = 0;',
      also: [
        'for (let i = 0; i < table.n; i++) out[i] = table.values[i * table.F + j];',
        'for (let i = 0; i < table.n; i++)\n    for (let j = 0; j < table.F; j++)',
        'for (let i = 0; i < table.n; i++) for (let v = 0; v < V; v++) share[v] += missing[i * V + v] / table.n;',
      ],
      mutator: typedArrayBound,
      why: 'summariseTimeSeries’ extra stay finds every mask entry undefined and writes its count past the end of the Float64Array; columnOf writes out[n] and missingness’s share loop share[V], both past the end; in missingness’s marking loop the extra stay reads values[n·F + j] (undefined, not finite), and the extra column j = F has variableOf[F] undefined, so a finite next-row value would clear missing[i·V + undefined] = missing[NaN], which a typed array ignores.',
    },
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
  ],
});
