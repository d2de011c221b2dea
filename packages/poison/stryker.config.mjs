// Mutation testing of @ehr-backdoor/poison: `nx run poison:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';

const loopBound = 'EqualityOperator (< → <=)';
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
      mutator: 'ConditionalExpression (→ true), EqualityOperator (> → >=)',
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
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'for (let a = 0; a < V; a++) {',
      mutator: loopBound,
      why: 'stayCovariance: the extra pass a = V starts its inner loop at b = V, so it runs zero times.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'for (const t of complete) s += (values[at(t, channels[a])] - mean[a]) * (values[at(t, channels[b])] - mean[b]);',
      mutator: 'ArithmeticOperator (− mean[a] → + mean[a], and − mean[b] → + mean[b])',
      why: 'Σ_t (x_t + m_x)(y_t − m_y) = Σ_t (x_t − m_x)(y_t − m_y) + 2·m_x·Σ_t (y_t − m_y), and the last sum is 0: centring one factor is enough, so the covariance differs by rounding only.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'for (let i = 0; i < V * V; i++) S[i] *= 1 - shrinkage;',
      mutator: loopBound,
      why: 'S is a Float64Array of V·V entries: the write at index V·V is dropped.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'for (let a = 0; a < V; a++) S[a * V + a] += shrinkage * trainVar[a];',
      mutator: loopBound,
      why: 'the extra index V·V + V is past the end of S (a Float64Array of V·V entries): the write is dropped.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'for (let k = 0; k < j; k++) s -= L[i * V + k] * L[j * V + k];',
      mutator: 'EqualityOperator (k < j → k <= j)',
      why: 'mahalanobisSquared: the extra term is L[i·V + j]·L[j·V + j], and L[i·V + j] is the entry being computed, still 0.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'for (let k = 0; k < i; k++) s -= L[i * V + k] * y[k];',
      mutator: 'EqualityOperator (k < i → k <= i)',
      why: 'the extra term is L[i·V + i]·y[i], and y[i] is the entry being computed, still 0.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: '    let s = u[i];\n',
      mutator: 'EqualityOperator (i < V → i <= V) on the forward substitution loop above this line',
      why: 'the extra pass i = V writes y[V], past the end of y (a Float64Array of V entries), and the sum of squares reads y only.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: "merged['signs'] === DEFAULTS.signs && variables.length !== DEFAULTS.signs.length ? variables.map(() => 1) : merged['signs'];",
      mutator: 'ConditionalExpression (the length check → true)',
      why: 'the default signs are all +1, so for three variables one +1 per variable is the default list itself.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'if (!Number.isFinite(q) || q <= 0) {',
      mutator: 'ConditionalExpression (q <= 0 → false), EqualityOperator (<= → <)',
      why: "a finite q is uᵀΣ⁻¹u = |L⁻¹u|² with a Cholesky factor L that exists, so it is positive unless u = 0; u has ±1 entries ('raw') or ±√Σ_aa with every Σ_aa > 0 (Σ is positive definite): never 0.",
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'return Number.isFinite(q) && q > 0 ? (numerator / denominator) * Math.sqrt(q) : 0;',
      mutator: 'LogicalOperator (&& → ||), ConditionalExpression (q > 0 → true), EqualityOperator (> → >=)',
      why: 'as in prepare: a finite q is positive, and NaN fails both q > 0 and Number.isFinite, so only the whole-condition mutant (→ true, killed) is observable.',
    },
    {
      file: 'packages/poison/src/lib/triggers/temporal-pattern.ts',
      code: 'if (mask[k]) values[k] += alpha * profile[j] * direction[a];',
      mutator: 'ConditionalExpression (→ true)',
      why: 'refillChannel, called right after for the channel, rewrites every unobserved cell from the observed ones, so what was added there is overwritten.',
    },
    {
      file: 'packages/poison/src/lib/triggers/distribution-shift.ts',
      code: 'if (observed === 0) continue;',
      mutator: 'ConditionalExpression (→ false)',
      why: 'with no observed hour nothing is shifted, and refillChannel writes back the fill value a never-observed channel already holds.',
    },
    {
      file: 'packages/poison/src/lib/triggers/distribution-shift.ts',
      code: 'if (mask[k]) values[k] = shift(values[k]);',
      mutator: 'ConditionalExpression (→ true)',
      why: 'refillChannel, called right after, rewrites every unobserved cell from the observed ones.',
    },
    {
      file: 'packages/poison/src/lib/triggers/distribution-shift.ts',
      code: 'if (z.length === 0) return false;',
      mutator: 'ConditionalExpression (→ false)',
      why: 'the average of no z-score is 0 / 0 = NaN, and both comparisons with NaN are false.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'Math.sign(weights[a]) * (targetLabel === 1 ? 1 : -1)',
      mutator: 'ArithmeticOperator (* → /)',
      why: 'dividing by ±1 is multiplying by it.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'X[r * V + a] = n > 0 && norm.std[c] > 0 ?',
      mutator: 'ConditionalExpression (std > 0 → true), EqualityOperator (> → >=)',
      why: 'fitNormalisation gives a feature without spread the SD 1, so a training SD is never 0 (nor negative).',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'for (let a = 0; a < V; a++) grad[a] += e * X[r * V + a];',
      mutator: loopBound,
      why: 'grad is a Float64Array of V entries: the write at V is dropped.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'for (let a = 0; a < V; a++) w[a] -= 0.5 * (grad[a] / rows.length + 1e-3 * w[a]);',
      mutator: loopBound,
      why: 'w is a Float64Array of V entries: the write at V is dropped.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'for (let a = 0; a < V; a++) sums[label][a] += X[r * V + a];',
      mutator: loopBound,
      why: 'sums[label] is a Float64Array of V entries: the write at V is dropped.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'const step = -perturbation.epsilon * ctx.variableStd(v) * direction;',
      mutator: 'ArithmeticOperator (* direction → / direction)',
      why: 'a direction is a sign, and 0 is skipped just above: dividing by ±1 is multiplying by it.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: 'if (tsMask[k]) tsValues[k] = move(tsValues[k]);',
      mutator: 'ConditionalExpression (→ true)',
      why: 'refillChannel, called right after, rewrites every unobserved cell from the observed ones.',
    },
    {
      file: 'packages/poison/src/lib/clean-label.ts',
      code: "if (!x || typeof x !== 'object') return false;",
      mutator: "ConditionalExpression (typeof x !== 'object' → false)",
      why: "for the other values a JSON manifest can hold (a number, a string, true), p['method'] is undefined, so the method check below returns false as well.",
    },
    {
      file: 'packages/poison/src/lib/triggers/blended.ts',
      code: 'if (!b) {\n        b = float32Band(',
      mutator: 'ConditionalExpression (→ true)',
      why: "featureBand's cache: recomputing the band of the same training values gives the same band.",
    },
    {
      file: 'packages/poison/src/lib/triggers/blended.ts',
      code: "keyed(ctx, params, 'blended', { tabular: false, timeseries: true })",
      mutator: 'BooleanLiteral (timeseries: true → false), in lookalike and in blendWeightOf',
      why: 'keyed() checks the variables with { ...views, timeseries: true }, which overrides the flag it is given.',
    },
    {
      file: 'packages/poison/src/lib/triggers/frequency-domain.ts',
      code: 'for (let n = 0; n < L; n++) z[n] += weight * (re * cos[n] - im * sin[n]);',
      mutator: loopBound,
      why: 'z is a Float64Array of L entries: the write at L is dropped.',
    },
    {
      file: 'packages/poison/src/lib/triggers/frequency-domain.ts',
      code: 'if (!b) {\n    const theta',
      mutator: 'ConditionalExpression (→ true)',
      why: "basis()'s cache: recomputing cos and sin for the same (L, k) gives the same arrays.",
    },
    {
      file: 'packages/poison/src/lib/triggers/frequency-domain.ts',
      code: 'for (let t = 0; t < ctx.T; t++) z[t] = (values[(row * ctx.T + t) * ctx.C + c] - mean) / std;',
      mutator: 'EqualityOperator (t < T → t <= T)',
      why: 'z is a Float64Array of T entries: the write at T is dropped.',
    },
    {
      file: 'packages/poison/src/lib/triggers/frequency-domain.ts',
      code: 'if (mask[k]) values[k] = mean + std * z[t];',
      mutator: 'ConditionalExpression (→ true)',
      why: 'refillChannel, called right after, rewrites every unobserved cell from the observed ones.',
    },
    {
      file: 'packages/poison/src/lib/triggers/frequency-domain.ts',
      code: 'return c ?? -1;',
      mutator: 'UnaryOperator (-1 → +1)',
      why: 'reached only when the time-series view is not triggered (a channel missing from it throws otherwise), and then the channel list is never used.',
    },
    {
      file: 'packages/poison/src/lib/triggers/frequency-domain.ts',
      code: 're += z * cos[t];',
      mutator: 'AssignmentOperator (+= → -=), and im -= → += on the next line',
      why: 'componentMagnitude returns |X_k| = hypot(re, im), which the sign of either part does not change.',
    },
    {
      file: 'packages/poison/src/lib/triggers/correlation.ts',
      code: 'min: a * (a > 0 ? get(src.min) : get(src.max)),',
      mutator: 'EqualityOperator (a > 0 → a >= 0), here and for max on the next line',
      why: 'resolve refuses a factor of 0 (nonZero), so a > 0 and a >= 0 agree.',
    },
    {
      file: 'packages/poison/src/lib/triggers/correlation.ts',
      code: 'if (mask[base + s]) values[base + c] = a * values[base + s];',
      mutator: 'ConditionalExpression (→ true)',
      why: "the target's mask is the source's, and refillChannel, called right after, rewrites every unobserved target cell.",
    },
    {
      file: 'packages/poison/src/lib/triggers/registry.ts',
      code: "if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {",
      mutator: 'ConditionalExpression, EqualityOperator and LogicalOperator on each part, BlockStatement (→ {})',
      why: "every trigger's resolve starts with mergeParams(name, partial, defaults), which refuses a parameter value that is not an object with the same code, message and details; undefined never arrives (the default parameter turns it into {}).",
    },
    {
      file: 'packages/poison/src/lib/triggers/hybrid.ts',
      code: "const rareIn = merged['rare'] === DEFAULTS.rare ? {} : merged['rare'];",
      mutator:
        "ConditionalExpression (→ false), StringLiteral ('rare' → \"\" in the comparison), and the same two on 'missing' in the next line",
      why: "hybrid's nested defaults are rare_value's and missingness's own defaults, so resolving them explicitly gives the parameters that resolving {} gives.",
    },
    {
      file: 'packages/poison/src/lib/triggers/params.ts',
      code: "if (typeof value !== 'string' || !options.includes(value as T)) {",
      mutator: 'ConditionalExpression (typeof check → false)',
      why: 'the options are strings, so a value that is not a string is never among them and is refused by the second check.',
    },
    {
      file: 'packages/poison/src/lib/triggers/lookalike-helpers.ts',
      code: 'if (xs.length === 0) return NaN;',
      mutator: 'ConditionalExpression (→ false)',
      why: 'an empty list gives (undefined + undefined) / 2, NaN as well.',
    },
    {
      file: 'packages/poison/src/lib/triggers/context.ts',
      code: 'for (let ch = 0; ch < C; ch++) counts[ch] += mask[k + ch];',
      mutator: 'EqualityOperator (ch < C → ch <= C)',
      why: 'counts is an Int32Array of C entries: the write at C is dropped.',
    },
    {
      file: 'packages/poison/src/lib/stealth.ts',
      code: 'shareOutsidePlausible: this.changed > 0 ? this.outsidePlausible / this.changed : NaN,',
      mutator: 'ConditionalExpression (→ true), EqualityOperator (> → >=)',
      why: 'with no changed value nothing is outside the range either, and 0 / 0 is NaN.',
    },
    {
      file: 'packages/poison/src/lib/stealth.ts',
      code: 'if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;',
      mutator: 'ConditionalExpression (the NaN clause → false)',
      why: 'Object.is(NaN, NaN) is already true.',
    },
    {
      file: 'packages/poison/src/lib/lookalike.ts',
      code: "reason: `the ${split === 'all' ? 'dataset' : `${split} split`} has no stay`",
      mutator: "ConditionalExpression (split === 'all' → false), StringLiteral ('dataset' → \"\")",
      why: "with split 'all' every stay is examined, and createDataset refuses a dataset without stays, so this wording is only reached for a split.",
    },
  ],
});
