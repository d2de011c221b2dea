import { quantileSorted, Random } from '@ehr-backdoor/core';
import { studentTQuantile } from './student-t.js';

/**
 * Descriptive statistics over seeds. Every function takes the finite values only (callers drop
 * nulls and count them) and returns NaN with a reason when the sample cannot support the figure:
 * a standard deviation needs two values, and so does an interval.
 */
export type IntervalMethod = 't' | 'bootstrap' | 'logit-t';

/**
 * The interval an aggregation asks for: one method for every metric, or `auto` (the default): `logit-t` for
 * metrics with a known bounded range (proportions, AUROC, ECE in [0, 1]; differences of them in [−1, 1]),
 * `t` for the rest.
 */
export type IntervalChoice = IntervalMethod | 'auto';

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

const tooFew = (n: number) => `not computable: needs at least 2 seeds with a value, got ${n}`;

/** mean ± t_{1−α/2, n−1} · s / √n. */
export function tInterval(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n < 2) return { low: NaN, high: NaN, method: 't', reason: tooFew(n) };
  const m = mean(values);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sampleStd(values) / Math.sqrt(n));
  return { low: m - half, high: m + half, method: 't' };
}

/** How far from a bound a value is moved before the logit: a proportion of 0 or 1 counts as 0.001 or 0.999. */
export const LOGIT_CLAMP = 1e-3;

/**
 * A t interval on the logit scale, mapped back: for a metric bounded in [lower, upper], each seed's value x
 * becomes z = logit(u) with u = (x − lower) / (upper − lower) clamped to [0.001, 0.999]; the interval is
 * mean(z) ± t_{1−α/2, n−1} · sd(z) / √n, mapped back through the inverse logit and the range. It stays strictly
 * inside the range (a t interval of seed means does not: 3 ASRs of 1, 1, 0.9 give an upper bound above 1), and
 * is asymmetric near a bound, as a proportion's uncertainty is. When every seed has the same value it is that
 * value. It is centred on the mean logit, so it can sit off-centre around the arithmetic mean the row reports.
 */
export function logitTInterval(values: readonly number[], level = 0.95, range: readonly [number, number] = [0, 1]): Interval {
  const n = values.length;
  if (n < 2) return { low: NaN, high: NaN, method: 'logit-t', reason: tooFew(n) };
  const [lower, upper] = range;
  if (values.every((v) => v === values[0])) return { low: values[0], high: values[0], method: 'logit-t' };
  const z = values.map((v) => {
    const u = Math.min(1 - LOGIT_CLAMP, Math.max(LOGIT_CLAMP, (v - lower) / (upper - lower)));
    return Math.log(u / (1 - u));
  });
  const m = mean(z);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sampleStd(z) / Math.sqrt(n));
  const back = (x: number) => lower + (upper - lower) / (1 + Math.exp(-x));
  return { low: back(m - half), high: back(m + half), method: 'logit-t' };
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
  if (n < 2) return { low: NaN, high: NaN, method: 'bootstrap', reason: tooFew(n) };
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

/** Linear interpolation between order statistics (type 7, the default of R and numpy): core's, kept in this API. */
export { quantileSorted };

/** Options of {@link describeSample}: level (default 0.95), interval method (default `t`) and the metric's range. */
export interface DescribeOptions {
  readonly level?: number;
  readonly interval?: IntervalMethod;
  readonly bootstrap?: Omit<BootstrapOptions, 'level'>;
  /** The metric's range, for `logit-t` (default [0, 1]). */
  readonly range?: readonly [number, number];
}

/**
 * Describes a sample of finite values (callers drop missing ones): n, mean, std and the chosen interval, NaN with a reason where n is too small.
 */
export function describeSample(values: readonly number[], options: DescribeOptions = {}): Description {
  const level = options.level ?? 0.95;
  const ci =
    options.interval === 'bootstrap'
      ? bootstrapInterval(values, { seed: 0, ...options.bootstrap, level })
      : options.interval === 'logit-t'
        ? logitTInterval(values, level, options.range)
        : tInterval(values, level);
  return { n: values.length, mean: mean(values), std: sampleStd(values), ci };
}
