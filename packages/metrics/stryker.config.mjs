// Mutation testing of @ehr-backdoor/metrics: `nx run metrics:mutate` (docs/development.md, "Mutation testing").
import { strykerConfig } from '../../tools/stryker/config.mjs';

const loopBound = 'EqualityOperator (< → <=)';
export default strykerConfig('metrics', {
  // Surviving mutants that no test can kill because they change nothing observable. They stay in the
  // report as "Survived" and count against the score.
  equivalent: [
    {
      file: 'packages/metrics/src/lib/calibration.ts',
      code: 'let b = Math.ceil(confidence * bins) - 1;',
      also: ['if (b < 0) b = 0;', 'if (b > bins - 1) b = bins - 1;'],
      mutator: 'ArithmeticOperator and ConditionalExpression/EqualityOperator on the two clamps below it',
      why: 'the first guess and its clamps only save steps: the two while loops after them walk from any integer start to the one bin whose edges hold the confidence (both rounding directions are pinned in calibration.spec.ts).',
    },
    {
      file: 'packages/metrics/src/lib/calibration.ts',
      code: 'while (b > 0 && confidence <= b / bins) b--;',
      also: ['while (b < bins - 1 && confidence > (b + 1) / bins) b++;'],
      mutator:
        'EqualityOperator/LogicalOperator/ConditionalExpression that let this loop walk further down (b >= 0, ||, confidence <= … → true)',
      why: 'confidences are ≥ 0.5, so b never goes below 0, and a bin below the right one is walked back up by the next loop; only the mutants that stop this loop from walking down at all are observable (0.56 · 25 in calibration.spec.ts kills them). Likewise `b <= bins - 1` and `bins + 1` in the next loop only matter for a confidence above 1.',
    },
    {
      file: 'packages/metrics/src/lib/calibration.ts',
      code: 'confidence: count[b]! > 0 ? sumConfidence[b]! / count[b]! : Number.NaN,',
      also: ['accuracy: count[b]! > 0 ? correct[b]! / count[b]! : Number.NaN,'],
      mutator: 'ConditionalExpression (true) and EqualityOperator (>=), here and for accuracy on the next line',
      why: 'an empty bin divides 0 by 0, which is NaN, the value the guard returns.',
    },
    {
      file: 'packages/metrics/src/lib/bootstrap.ts',
      code: 'if (m === 0) return Number.NaN;',
      mutator: 'ConditionalExpression (false)',
      why: 'quantileSorted of an empty array then reads sorted[lo] = undefined, and arithmetic on undefined is NaN as well.',
    },
    {
      file: 'packages/metrics/src/lib/ranking.ts',
      code: 'if (k === 0 || s[order[k]!] !== s[order[k - 1]!]) starts.push(k);',
      mutator: 'ConditionalExpression (k === 0 → false)',
      why: 'for k = 0, s[order[-1]] is s[undefined], undefined, which differs from every score, so the first group starts at 0 either way.',
    },
    {
      file: 'packages/metrics/src/lib/ranking.ts',
      code: 'for (let g = 0; g < groups; g++) {',
      mutator: loopBound,
      why: 'an extra pass over group `groups` reads groupStart[groups + 1], undefined, so its inner loop runs zero times and adds 0 (both walks, AUROC and AP).',
    },
    {
      file: 'packages/metrics/src/lib/ranking.ts',
      code: 'for (let i = 0; i < n; i++) order[i] = i;',
      mutator: loopBound,
      why: 'order is a Uint32Array of length n: the write at index n is dropped.',
    },
    {
      file: 'packages/metrics/src/lib/bootstrap.ts',
      code: 'for (let i = 0; i < n; i++) (yTrue[i] === 1 ? positiveIdx : negativeIdx).push(i);',
      mutator: loopBound,
      why: 'the extra index n lands at the end of negativeIdx, and stratified draws pick random.int(negatives) < negatives, so it is never drawn.',
    },
    {
      file: 'packages/metrics/src/lib/bootstrap.ts',
      code: 'for (let r = 0; r < o.resamples; r++) {',
      mutator: loopBound,
      why: 'the extra resample is written past the end of a Float64Array of length resamples (dropped), after every kept draw.',
    },
    {
      file: 'packages/metrics/src/lib/calibration.ts',
      code: 'for (let i = 0; i < yTrue.length; i++) {',
      mutator: loopBound,
      why: 'the extra stay has p = undefined, so confidence and bin are NaN and count[NaN]++ on a typed array changes nothing.',
    },
    {
      file: 'packages/metrics/src/lib/target-calibration.ts',
      code: 'let b = Math.ceil(p * bins) - 1;',
      also: ['if (b < 0) b = 0;', 'if (b > bins - 1) b = bins - 1;'],
      mutator:
        'ArithmeticOperator on the first guess, and ConditionalExpression/EqualityOperator/ArithmeticOperator on the two clamps below it',
      why: "as calibration.ts's binOf: the two while loops after them walk from any integer start to the one bin whose edges hold p (both rounding directions are pinned in target-calibration.spec.ts); `b > bins - 1` can only hold for p > 1, which checkBinaryInput rejects.",
    },
    {
      file: 'packages/metrics/src/lib/target-calibration.ts',
      code: 'while (b > 0 && p <= b / bins) b--;',
      mutator:
        'ConditionalExpression (p <= … → true), EqualityOperator (p > b / bins), ArithmeticOperator (b * bins): the mutants that let this loop walk further down',
      why: 'a bin below the right one is walked back up by the next loop; only the mutants that stop this loop from walking down are observable (0.56 · 25 in target-calibration.spec.ts kills them).',
    },
    {
      file: 'packages/metrics/src/lib/target-calibration.ts',
      code: 'while (b < bins - 1 && p > (b + 1) / bins) b++;',
      mutator: 'ConditionalExpression (b < bins - 1 → true), EqualityOperator (b <= bins - 1), ArithmeticOperator (bins + 1)',
      why: 'p ≤ 1, so p > (b + 1) / bins fails at b = bins − 1 before the bound is reached.',
    },
    {
      file: 'packages/metrics/src/lib/target-calibration.ts',
      code: 'meanPredicted: count[b]! > 0 ? sumP[b]! / count[b]! : Number.NaN,',
      also: ['observedFrequency: count[b]! > 0 ? hits[b]! / count[b]! : Number.NaN,'],
      mutator: 'ConditionalExpression (true) and EqualityOperator (>=), here and for observedFrequency on the next line',
      why: 'an empty bin divides 0 by 0, which is NaN, the value the guard returns.',
    },
    {
      file: 'packages/metrics/src/lib/target-calibration.ts',
      code: 'for (let i = 0; i < yTrue.length; i++) {',
      mutator: loopBound,
      why: 'the extra stay has p = undefined, so its bin is NaN and count[NaN]++ on a typed array changes nothing.',
    },
    {
      file: 'packages/metrics/src/lib/backdoor.ts',
      code: "bootstrapProportion(success, asr, o, 'ASR')",
      mutator: 'StringLiteral (metric name → "")',
      why: "the name only appears in the reasons of an interval with degenerate resamples, and a proportion has none: every resample of 0/1 indicators defines a rate (no eligible stay gives the estimate's own reason instead).",
    },
    {
      file: 'packages/metrics/src/lib/seeded-random.ts',
      code: 'for (let i = 0; i < 4; i++) this.s[i] = next();',
      mutator: loopBound,
      why: 'a fifth splitmix output is drawn and written at index 4 of an Int32Array of length 4 (dropped); the generator never reads the seeding sequence again.',
    },
    {
      file: 'packages/metrics/src/lib/seeded-random.ts',
      code: 'if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;',
      mutator: 'ConditionalExpression (→ false)',
      why: "the four seeding outputs are splitmix32 of four consecutive states, a bijection of each: all four are 0 for no seed, so the guard never fires from the constructor (it is kept because xoshiro's all-zero state is a fixed point).",
    },
    {
      file: 'packages/metrics/src/lib/seeded-random.ts',
      code: 'for (let i = 0; i < 4; i++) random.s[i] = state[i]!;',
      mutator: loopBound,
      why: 'the state is an Int32Array of length 4: the write at index 4 is dropped (and state[4] is undefined anyway).',
    },
    {
      file: 'packages/metrics/src/lib/seeded-random.ts',
      code: 'if (n !== this.cachedN) {',
      mutator: 'ConditionalExpression (→ true)',
      why: 'the cache only saves recomputing 2^32 − (2^32 mod n); recomputing it on every call gives the same limit (the known-answer test alternates bounds, so a stale limit is caught).',
    },
    {
      file: 'packages/metrics/src/lib/bootstrap.ts',
      code: 'if (n === 0 || Number.isNaN(estimate.value)) return undefinedInterval(estimate, o);',
      mutator: 'ConditionalExpression (n === 0 → false)',
      why: "bootstrapProportion is internal (not in the package's index); its one caller, bootstrapAsr, passes no successes only with the NaN estimate of asrOf (no eligible stay), which the second test catches.",
    },
  ],
});
