import { check } from './errors.js';
import { checkBinaryInput, type Labels, type Probabilities } from './validate.js';
import { WARNING, type MetricResult, type WarningCode } from './result.js';
import { SeededRandom } from './seeded-random.js';
import { aurocOfRanking, averagePrecisionOfRanking, classTotals, rankByScore } from './ranking.js';
import { rankingDegenerate } from './ranking-degenerate.js';

/**
 * Percentile bootstrap confidence intervals (Efron & Tibshirani, 1993, ch. 13).
 *
 *   sort once by score → for each resample: draw multiplicities with the seeded PRNG → one weighted
 *   walk per metric → sort the resample values → read the percentiles
 *
 * Resampling draws stays with replacement; a stratified resample draws n₊ stays from the positives and
 * n₋ from the negatives, so each resample keeps both classes (and the prevalence) of the original set.
 * A non-stratified resample may hold one class only; its AUROC/AUPRC is undefined, so it is skipped and
 * counted (`validResamples` < `resamples`), and the interval is read from the valid resamples.
 */
export interface BootstrapOptions {
  /** Number of resamples; default 1000. */
  readonly resamples?: number;
  /** Seed of the package's PRNG (xoshiro128**); default 0. The same seed gives the same interval. */
  readonly seed?: number;
  /** Two-sided confidence level; default 0.95. */
  readonly level?: number;
  /** Resample positives and negatives separately (AUROC/AUPRC only); default false. */
  readonly stratified?: boolean;
}

/**
 * A percentile-bootstrap interval with everything needed to reproduce it (level, resamples, seed,
 * stratification). `low`/`high` are NaN, with a reason, when the metric is undefined on the original set
 * or on every resample.
 */
export interface ConfidenceInterval {
  /** The metric on the original set. */
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  readonly level: number;
  readonly resamples: number;
  /** Resamples on which the metric was defined (those are the ones the percentiles come from). */
  readonly validResamples: number;
  readonly stratified: boolean;
  readonly seed: number;
  /** Present when the interval is NaN or rests on fewer valid resamples than drawn. */
  readonly reason?: string;
  readonly code?: WarningCode;
}

/** Bootstrap resamples when none are given (1000). */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 1000;
/** Bootstrap seed when none is given (0), so intervals are reproducible by default. */
export const DEFAULT_BOOTSTRAP_SEED = 0;
/** Two-sided confidence level when none is given (0.95). */
export const DEFAULT_CONFIDENCE_LEVEL = 0.95;

interface ResolvedOptions {
  readonly resamples: number;
  readonly seed: number;
  readonly level: number;
  readonly stratified: boolean;
}

export function resolveBootstrapOptions(options: BootstrapOptions = {}): ResolvedOptions {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP_SEED;
  const level = options.level ?? DEFAULT_CONFIDENCE_LEVEL;
  const stratified = options.stratified ?? false;
  check(
    Number.isInteger(resamples) && resamples >= 1 && resamples <= 1_000_000,
    'E_METRICS_INVALID_OPTION',
    () => `bootstrap resamples must be an integer in [1, 1000000], got ${String(resamples)}.`,
  );
  check(Number.isSafeInteger(seed), 'E_METRICS_INVALID_OPTION', () => `bootstrap seed must be a safe integer, got ${String(seed)}.`);
  check(
    typeof level === 'number' && level > 0 && level < 1,
    'E_METRICS_INVALID_OPTION',
    () => `bootstrap level must be in (0, 1), e.g. 0.95, got ${String(level)}.`,
  );
  check(
    typeof stratified === 'boolean',
    'E_METRICS_INVALID_OPTION',
    () => `bootstrap stratified must be true or false, got ${String(stratified)}.`,
  );
  return { resamples, seed, level, stratified };
}

/**
 * The q-quantile of ascending `sorted` with linear interpolation between order statistics, as numpy's
 * default `np.percentile(x, 100 q)`.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  const h = (m - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, m - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

function interval(estimate: number, values: Float64Array, count: number, o: ResolvedOptions, metric: string): ConfidenceInterval {
  const base = { estimate, level: o.level, resamples: o.resamples, validResamples: count, stratified: o.stratified, seed: o.seed };
  if (count === 0) {
    return {
      ...base,
      low: Number.NaN,
      high: Number.NaN,
      reason: `the ${metric} confidence interval is undefined: every one of the ${o.resamples} bootstrap resamples held one class only (use stratified resampling).`,
      code: WARNING.bootstrapDegenerateResamples,
    };
  }
  const sorted = values.subarray(0, count).sort();
  const alpha = 1 - o.level;
  const result = { ...base, low: quantileSorted(sorted, alpha / 2), high: quantileSorted(sorted, 1 - alpha / 2) };
  if (count < o.resamples) {
    return {
      ...result,
      reason: `the ${metric} confidence interval rests on ${count} of ${o.resamples} bootstrap resamples; the others held one class only (use stratified resampling).`,
      code: WARNING.bootstrapDegenerateResamples,
    };
  }
  return result;
}

function undefinedInterval(estimate: MetricResult, o: ResolvedOptions): ConfidenceInterval {
  return {
    estimate: estimate.value,
    low: Number.NaN,
    high: Number.NaN,
    level: o.level,
    resamples: o.resamples,
    validResamples: 0,
    stratified: o.stratified,
    seed: o.seed,
    reason: `no confidence interval: ${estimate.reason ?? 'the metric is undefined on the original set.'}`,
    ...(estimate.code === undefined ? {} : { code: estimate.code }),
  };
}

/** AUROC and AUPRC intervals computed from one shared set of resamples. */
export interface RankingIntervals {
  readonly auroc: ConfidenceInterval;
  readonly auprc: ConfidenceInterval;
}

/** AUROC and AUPRC intervals from the same resamples (one set of draws serves both). */
export function bootstrapRankingMetrics(yTrue: Labels, pPositive: Probabilities, options: BootstrapOptions = {}): RankingIntervals {
  checkBinaryInput(yTrue, pPositive);
  const o = resolveBootstrapOptions(options);
  const n = yTrue.length;
  const { positives, negatives } = classTotals(yTrue, undefined);
  const degenerateAuroc = rankingDegenerate('AUROC', positives, negatives);
  const degenerateAuprc = rankingDegenerate('AUPRC', positives, negatives);
  if (degenerateAuroc && degenerateAuprc)
    return { auroc: undefinedInterval(degenerateAuroc, o), auprc: undefinedInterval(degenerateAuprc, o) };

  const ranking = rankByScore(pPositive);
  const aurocEstimate = aurocOfRanking(ranking, yTrue, undefined, positives, negatives);
  const auprcEstimate = averagePrecisionOfRanking(ranking, yTrue, undefined, positives);

  const positiveIdx: number[] = [];
  const negativeIdx: number[] = [];
  for (let i = 0; i < n; i++) (yTrue[i] === 1 ? positiveIdx : negativeIdx).push(i);

  const random = new SeededRandom(o.seed);
  const weights = new Uint32Array(n);
  const aurocs = new Float64Array(o.resamples);
  const auprcs = new Float64Array(o.resamples);
  let valid = 0;
  for (let r = 0; r < o.resamples; r++) {
    weights.fill(0);
    let rp: number;
    if (o.stratified) {
      for (let k = 0; k < positives; k++) weights[positiveIdx[random.int(positives)]!]!++;
      for (let k = 0; k < negatives; k++) weights[negativeIdx[random.int(negatives)]!]!++;
      rp = positives;
    } else {
      rp = 0;
      for (let k = 0; k < n; k++) {
        const i = random.int(n);
        weights[i]!++;
        rp += yTrue[i]!;
      }
    }
    const rn = n - rp;
    if (rp === 0 || rn === 0) continue;
    aurocs[valid] = aurocOfRanking(ranking, yTrue, weights, rp, rn);
    auprcs[valid] = averagePrecisionOfRanking(ranking, yTrue, weights, rp);
    valid++;
  }
  return {
    auroc: interval(aurocEstimate, aurocs, valid, o, 'AUROC'),
    auprc: interval(auprcEstimate, auprcs, valid, o, 'AUPRC'),
  };
}

/** Percentile bootstrap interval of `auroc`. */
export function bootstrapAuroc(yTrue: Labels, pPositive: Probabilities, options: BootstrapOptions = {}): ConfidenceInterval {
  return bootstrapRankingMetrics(yTrue, pPositive, options).auroc;
}

/** Percentile bootstrap interval of `averagePrecision` (AUPRC). */
export function bootstrapAuprc(yTrue: Labels, pPositive: Probabilities, options: BootstrapOptions = {}): ConfidenceInterval {
  return bootstrapRankingMetrics(yTrue, pPositive, options).auprc;
}

/**
 * Percentile interval of a proportion, resampling its `successes` indicators (0/1) with replacement.
 * Used for ASR, whose eligible stays are the resampled units (their number is held fixed).
 */
export function bootstrapProportion(
  successes: ArrayLike<number>,
  estimate: MetricResult,
  o: ResolvedOptions,
  metric: string,
): ConfidenceInterval {
  const n = successes.length;
  if (n === 0 || Number.isNaN(estimate.value)) return undefinedInterval(estimate, o);
  const random = new SeededRandom(o.seed);
  const values = new Float64Array(o.resamples);
  for (let r = 0; r < o.resamples; r++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += successes[random.int(n)]!;
    values[r] = s / n;
  }
  return interval(estimate.value, values, o.resamples, o, metric);
}
