import { quantileSorted } from '@ehr-backdoor/core';
import { logUpperTail } from './linear-solve.js';

/**
 * Median and the skew-aware scales of finite values: per side, the larger of 1.4826 × its median
 * absolute deviation and 1.2533 × its mean absolute deviation (both σ for a normal side). The mean
 * deviation keeps a mostly-constant discrete variable (a GCS component, a count) from getting a scale of 0,
 * which would make every value off the mode infinitely surprising.
 */
export function robustCentre(values: Float64Array): { median: number; lower: number; upper: number } {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length === 0) return { median: NaN, lower: NaN, upper: NaN };
  const median = quantileSorted(sorted, 0.5);
  const side = (deviations: Float64Array) => {
    deviations.sort();
    let mean = 0;
    for (const x of deviations) mean += x / deviations.length;
    return Math.max(1.4826 * quantileSorted(deviations, 0.5), 1.2533 * mean, 1e-9 * (Math.abs(median) + 1));
  };
  return {
    median,
    lower: side(
      Float64Array.from(
        sorted.filter((x) => x <= median),
        (x) => median - x,
      ),
    ),
    upper: side(
      Float64Array.from(
        sorted.filter((x) => x >= median),
        (x) => x - median,
      ),
    ),
  };
}

/**
 * Whether a column is screened on the log scale: strictly positive and right-skewed (its upper 5–50 %
 * span more than 1.5 times its lower one), as creatinine, lactate, WBC or bilirubin are; on the raw scale
 * their long right tails would make ordinary sick stays look as improbable as a trigger.
 */
export function logScaled(values: Float64Array): boolean {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length < 4 || !(sorted[0] > 0)) return false;
  const [q05, q50, q95] = [0.05, 0.5, 0.95].map((q) => quantileSorted(sorted, q));
  return q50 > q05 && (q95 - q50) / (q50 - q05) > 1.5;
}

/**
 * Spike surprisal per stay of one column: a tail value (|robust z| ≥ 3) charted in many more stays than
 * the neighbouring tail values are. Values at the edge of a physiological distribution thin out; the same
 * extreme value in dozens of stays is a device default, a copy-paste — or a trigger. The expected count
 * at a value is the mean count of its `window` nearest distinct observed values on each side; the
 * surprisal is −ln P(Poisson(expected) ≥ count).
 */
export function spikeSurprisal(column: Float64Array, z: Float64Array, window = 5): Float64Array {
  const out = new Float64Array(column.length);
  const counts = new Map<number, number>();
  for (const x of column) if (Number.isFinite(x)) counts.set(x, (counts.get(x) ?? 0) + 1);
  const distinct = Float64Array.from(counts.keys()).sort();
  const position = new Map<number, number>();
  distinct.forEach((x, k) => position.set(x, k));
  const surprisal = new Map<number, number>();
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (!Number.isFinite(x) || !(Math.abs(z[i]) >= 3)) continue;
    let s = surprisal.get(x);
    if (s === undefined) {
      const k = position.get(x) as number;
      let sum = 0;
      let m = 0;
      for (let o = 1; o <= window; o++) {
        for (const neighbour of [k - o, k + o]) {
          if (neighbour < 0 || neighbour >= distinct.length) continue;
          sum += counts.get(distinct[neighbour]) as number;
          m++;
        }
      }
      s = poissonTailSurprisal(counts.get(x) as number, m > 0 ? sum / m : 1);
      surprisal.set(x, s);
    }
    out[i] = s;
  }
  return out;
}

/**
 * −ln of the share of finite values at least as far from the median on the same side (the value itself
 * included), for each entry; 0 for NaN.
 */
export function empiricalTailSurprisal(column: Float64Array, median: number): Float64Array {
  const finite = Float64Array.from(column.filter(Number.isFinite)).sort();
  const m = finite.length;
  const out = new Float64Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (!Number.isFinite(x)) continue;
    // Count of values ≥ x (upper side) or ≤ x (lower side), by binary search on the sorted values.
    let lo = 0;
    let hi = m;
    if (x >= median) {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (finite[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      out[i] = -Math.log((m - lo) / m);
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (finite[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      out[i] = -Math.log(lo / m);
    }
  }
  return out;
}

/**
 * −ln P(X ≥ k) for X ~ Poisson(λ), summed in log space from k up until the terms are below e⁻⁴⁰ of the
 * sum: past the mode (and beyond 2λ, where each term is less than half the one before) they only shrink.
 * No fixed number of terms: with k well below λ the terms rise up to the mode first (a value charted in
 * 1 stay beside neighbours charted in 500 each needs ≈ 600), and a cut at 200 terms gave that value a
 * surprisal of 120 instead of 0. NaN for a k that is not finite or a λ that is not finite and positive.
 */
export function poissonTailSurprisal(k: number, lambda: number): number {
  if (k <= 0) return 0;
  // Without a finite k and λ the terms never fall below the sum (NaN compares false) and the loop would not end.
  if (!Number.isFinite(k) || !(lambda > 0 && lambda < Infinity)) return NaN;
  let logTerm = -lambda + k * Math.log(lambda) - logFactorial(k);
  let logSum = logTerm;
  for (let j = k + 1; ; j++) {
    logTerm += Math.log(lambda) - Math.log(j);
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
    if (logTerm < logSum - 40) break;
  }
  return Math.max(0, -logSum);
}

function logFactorial(k: number): number {
  let s = 0;
  for (let j = 2; j <= k; j++) s += Math.log(j);
  return s;
}

/** The column on the scale it is screened on (see {@link logScaled}). */
export function screeningScale(column: Float64Array): Float64Array {
  return logScaled(column) ? column.map(Math.log) : column;
}

/** Two-sided surprisal of a robust z: −ln P(|Z| ≥ |z|), 0 at z = 0. */
export function zSurprisal(z: number): number {
  return Math.max(0, -(Math.LN2 + logUpperTail(Math.abs(z))));
}

/** Surprisal of an event of probability p, with the probability kept in [1/(2m), 1 − 1/(2m)] for m stays. */
export function eventSurprisal(p: number, m: number): number {
  const eps = 1 / (2 * m);
  return -Math.log(Math.min(1 - eps, Math.max(eps, p)));
}
