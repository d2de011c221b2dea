import { Random } from '@ehr-backdoor/core';
import { studentTQuantile } from './student-t.js';

/**
 * Descriptive statistics over seeds. Every function takes the finite values only (callers drop
 * nulls and count them) and returns NaN with a reason when the sample cannot support the figure:
 * a standard deviation needs two values, and so does an interval.
 */
export type IntervalMethod = 't' | 'bootstrap';

/** A two-sided confidence interval of the mean over seeds. */
export interface Interval {
  readonly low: number;
  readonly high: number;
  readonly method: IntervalMethod;
  /** Why the interval is NaN, when it is. */
  readonly reason?: string;
}

/** n, mean, sample standard deviation and confidence interval of one metric over seeds. */
export interface Description {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 in the denominator). */
  readonly std: number;
  readonly ci: Interval;
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample variance with Welford's update (stable when the values are close together, as seeds are). */
export function sampleVariance(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  let m = 0;
  let m2 = 0;
  let k = 0;
  for (const v of values) {
    k++;
    const d = v - m;
    m += d / k;
    m2 += d * (v - m);
  }
  return m2 / (k - 1);
}

/** Sample standard deviation (n − 1 in the denominator); NaN for fewer than two values. */
export function sampleStd(values: readonly number[]): number {
  return Math.sqrt(sampleVariance(values));
}

/** mean ± t_{1−α/2, n−1} · s / √n. */
export function tInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n < 2) return { low: NaN, high: NaN, method: 't', reason: `needs at least 2 values, got ${n}` };
  const m = mean(values);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sampleStd(values) / Math.sqrt(n));
  return { low: m - half, high: m + half, method: 't' };
}

/** Options of {@link bootstrapInterval}; `level` defaults to 0.95. */
export interface BootstrapOptions {
  readonly level?: number;
  /** Resamples (default 2000). */
  readonly samples?: number;
  readonly seed: number;
  /** A name for the PRNG stream, so each group draws independently of the order groups are visited. */
  readonly stream?: string;
}

/**
 * Percentile bootstrap interval of the mean. With a handful of seeds the resampling distribution is
 * coarse (3 values have 10 distinct resample means), which the report says next to such intervals.
 */
export function bootstrapInterval(values: readonly number[], options: BootstrapOptions): Interval {
  const n = values.length;
  if (n < 2) return { low: NaN, high: NaN, method: 'bootstrap', reason: `needs at least 2 values, got ${n}` };
  const level = options.level ?? 0.95;
  const samples = options.samples ?? 2000;
  const random = Random.fromSeed(options.seed, `bootstrap:${options.stream ?? ''}`);
  const means = new Float64Array(samples);
  for (let b = 0; b < samples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[random.int(n)];
    means[b] = sum / n;
  }
  means.sort();
  return { low: quantileSorted(means, (1 - level) / 2), high: quantileSorted(means, 1 - (1 - level) / 2), method: 'bootstrap' };
}

/** Linear interpolation between order statistics (type 7, the default of R and numpy). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Options of {@link describeSample}: level (default 0.95) and interval method (default `t`). */
export interface DescribeOptions {
  readonly level?: number;
  readonly interval?: IntervalMethod;
  readonly bootstrap?: Omit<BootstrapOptions, 'level'>;
}

/**
 * Describes a sample of finite values (callers drop missing ones): n, mean, std and the chosen interval, NaN with a reason where n is too small.
 */
export function describeSample(values: readonly number[], options: DescribeOptions = {}): Description {
  const level = options.level ?? 0.95;
  const ci =
    options.interval === 'bootstrap'
      ? bootstrapInterval(values, { seed: 0, ...options.bootstrap, level })
      : tInterval(values, level);
  return { n: values.length, mean: mean(values), std: sampleStd(values), ci };
}
