import { Random, BugError } from '@ehr-backdoor/core';
import { mean, sampleVariance } from './describe.js';
import { studentTTwoSidedP } from './student-t.js';

/**
 * Paired comparisons over seeds: the poisoned run and the clean run of the same model and seed form a pair,
 * and the test is on their differences, which removes the seed-to-seed variation both runs share (same
 * splits, same initialisation stream). Two tests of the mean difference:
 *
 * - paired t test (two-sided), as scipy's `ttest_rel(a, b)`: t = mean(d) / (sd(d) / √n), n − 1 df;
 * - exact sign-flip permutation test (two-sided), as scipy's `permutation_test((a, b), statistic,
 *   permutation_type='samples')` with statistic mean(a − b): every one of the 2ⁿ sign assignments of the
 *   differences, p = share with |mean| ≥ |observed mean|. It assumes only that the differences are symmetric
 *   about 0 under the null, but with n seeds its smallest p is 2 / 2ⁿ (0.25 for 3 seeds, 0.0625 for 5).
 */
export interface PairedResult {
  readonly nPairs: number;
  /** Mean of the differences a − b. */
  readonly meanDifference: number;
  readonly t: number;
  readonly df: number;
  /** Paired t test p-value (two-sided). */
  readonly p: number;
  /** Exact (n ≤ 20) or Monte Carlo sign-flip permutation p-value (two-sided). */
  readonly pPermutation: number;
  /** Smallest p-value the permutation test can give with these pairs: 2 / 2ⁿ. */
  readonly pPermutationMin: number;
  readonly computable: boolean;
  readonly reason?: string;
}

/** Sign assignments enumerated exactly up to this many pairs; above it, a seeded Monte Carlo draw. */
const EXACT_PAIRS = 20;
const MONTE_CARLO_DRAWS = 100_000;

/**
 * Paired t and sign-flip permutation tests of `a` against `b` (same length, element i of each from the same
 * seed). Not computable, with a reason and NaN p-values, below two pairs; the t test also when every
 * difference is the same (zero variance), where the permutation test is still defined.
 */
export function pairedTests(a: readonly number[], b: readonly number[], seed = 0): PairedResult {
  if (a.length !== b.length) throw new BugError(`pairedTests: ${a.length} values paired with ${b.length}; this is a bug.`);
  const d = a.map((x, i) => x - b[i]);
  const n = d.length;
  const meanDifference = mean(d);
  const nan = { t: NaN, df: NaN, p: NaN, pPermutation: NaN, pPermutationMin: NaN };
  if (n < 2)
    return {
      nPairs: n,
      meanDifference,
      ...nan,
      computable: false,
      reason: `not computable: needs at least 2 seeds with both a poisoned and a clean value, got ${n}`,
    };
  const pPermutation = signFlipP(d, seed);
  const pPermutationMin = Math.min(1, 2 / 2 ** n);
  const sd = Math.sqrt(sampleVariance(d));
  if (!(sd > 0)) {
    return {
      nPairs: n,
      meanDifference,
      t: NaN,
      df: n - 1,
      p: NaN,
      pPermutation,
      pPermutationMin,
      computable: false,
      reason: 'paired t not computable: every seed has the same difference (zero variance)',
    };
  }
  const t = meanDifference / (sd / Math.sqrt(n));
  return { nPairs: n, meanDifference, t, df: n - 1, p: studentTTwoSidedP(t, n - 1), pPermutation, pPermutationMin, computable: true };
}

/** Two-sided sign-flip p-value of the mean of `d`; ties within a relative 1e-12 count as extreme (as scipy's). */
export function signFlipP(d: readonly number[], seed = 0): number {
  const n = d.length;
  const observed = Math.abs(d.reduce((s, x) => s + x, 0));
  const tolerance = 1e-12 * Math.max(1, observed);
  let extreme = 0;
  let total = 0;
  if (n <= EXACT_PAIRS) {
    const assignments = 2 ** n;
    for (let mask = 0; mask < assignments; mask++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += mask & (1 << i) ? -d[i] : d[i];
      if (Math.abs(sum) >= observed - tolerance) extreme++;
    }
    total = assignments;
  } else {
    const random = Random.fromSeed(seed, 'sign-flip');
    for (let k = 0; k < MONTE_CARLO_DRAWS; k++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += random.int(2) ? -d[i] : d[i];
      if (Math.abs(sum) >= observed - tolerance) extreme++;
    }
    // The observed assignment counts once (Phipson & Smyth, 2010), so p is never 0.
    extreme++;
    total = MONTE_CARLO_DRAWS + 1;
  }
  return extreme / total;
}
