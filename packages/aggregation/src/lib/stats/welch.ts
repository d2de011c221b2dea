import { mean, sampleVariance } from './describe.js';
import { studentTTwoSidedP } from './student-t.js';

/**
 * Welch's unequal-variance t test (two-sided), as scipy's `ttest_ind(a, b, equal_var=False)`.
 * It is computable only with at least two values in each group and a non-zero standard error;
 * otherwise it reports why and a NaN p-value, which is never read as significant.
 */
export interface WelchResult {
  readonly nA: number;
  readonly nB: number;
  readonly meanA: number;
  readonly meanB: number;
  /** meanA − meanB. */
  readonly difference: number;
  readonly t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  readonly df: number;
  readonly p: number;
  readonly computable: boolean;
  readonly reason?: string;
}

/**
 * Welch's two-sided t test of `a` against `b` (see {@link WelchResult}); not computable, with a reason and NaN p, for n < 2 in a group or zero variance.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult {
  const nA = a.length;
  const nB = b.length;
  const meanA = mean(a);
  const meanB = mean(b);
  const base = { nA, nB, meanA, meanB, difference: meanA - meanB };
  if (nA < 2 || nB < 2) {
    return { ...base, t: NaN, df: NaN, p: NaN, computable: false, reason: `not computable: needs n ≥ 2 per group, got n = ${nA} vs ${nB}` };
  }
  const vA = sampleVariance(a) / nA;
  const vB = sampleVariance(b) / nB;
  const se2 = vA + vB;
  if (!(se2 > 0)) {
    return { ...base, t: NaN, df: NaN, p: NaN, computable: false, reason: 'not computable: both groups have zero variance' };
  }
  const t = (meanA - meanB) / Math.sqrt(se2);
  const df = (se2 * se2) / ((vA * vA) / (nA - 1) + (vB * vB) / (nB - 1));
  return { ...base, t, df, p: studentTTwoSidedP(t, df), computable: true };
}
