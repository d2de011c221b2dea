import { assertInput, Random } from '@ehr-backdoor/core';
import { detectionAuroc } from './detection-metrics.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { blendInto, rowEntropy, type PredictFn } from './strip.js';
import type { DetectCode } from './error-codes.js';

/**
 * STRIP as the paper uses it (Gao et al., ACSAC 2019), at test time: the defender holds clean stays
 * to blend with and screens every incoming stay.
 *
 *   every test stay x (clean and triggered):  N blends x' = x + x_j at full strength (the reference
 *     code's addWeighted(x, 1, x_j, 1)), x_j drawn from the defender's clean pool
 *     H(x) = mean prediction entropy of its blends (bits)
 *   threshold = the `frr` quantile of the clean stays' entropies (paper: of a normal fitted to them)
 *   a stay is rejected as trojaned when H(x) < threshold
 *   FAR = share of triggered stays accepted (H ≥ threshold); FRR = share of clean stays rejected
 *
 * Clean and triggered stays are the same test stays without and with the trigger, so FAR at a 1 % FRR
 * is the paper's figure; the AUROC of −H (triggered vs clean) summarises the whole trade-off.
 */
export interface StripTestTimeOptions {
  /** Clean test stays as the model reads them (m × d). */
  readonly clean: Matrix;
  /** Triggered test stays (t × d). */
  readonly triggered: Matrix;
  /** The defender's clean stays to blend with (p × d), e.g. the validation split. */
  readonly pool: Matrix;
  readonly predict: PredictFn;
  /** Blends per test stay. Default 100, the paper's. */
  readonly blends?: number;
  /** Target false-rejection rate of clean stays, in (0, 1). Default 0.01, the paper's. */
  readonly frr?: number;
  /** 'normal' (default, the paper's): quantile of a normal fitted to clean entropies; 'empirical': their sample quantile. */
  readonly thresholdRule?: 'normal' | 'empirical';
  /** Default 'superimpose' (full strength); 'average' and 'crossover' as the training-set STRIP. */
  readonly blend?: 'superimpose' | 'average' | 'crossover';
  /** Rows per predict call. Default 4096. */
  readonly batchSize?: number;
  readonly seed?: number;
}

/** What {@link stripTestTime} measured: per-stay entropies, the threshold, FAR, realised FRR and AUROC. */
export interface StripTestTimeResult {
  readonly cleanEntropy: Float64Array;
  readonly triggeredEntropy: Float64Array;
  readonly threshold: number;
  /** Share of triggered stays accepted (entropy ≥ threshold). */
  readonly far: number;
  /** Share of clean stays rejected (entropy < threshold); the target is `frr`. */
  readonly frr: number;
  /** AUROC of −entropy, triggered (positive) against clean; NaN without both. */
  readonly auroc: number;
  readonly blends: number;
}

/**
 * STRIP at test time (see {@link StripTestTimeOptions}): entropy of each clean and triggered test
 * stay over `blends` full-strength blends with pool stays, threshold at the clean stays' `frr`
 * quantile, and the triggered stays' false-acceptance rate.
 * @throws InputError `E_DETECT_INPUT` for malformed or mismatched matrices, an empty pool or clean set,
 * `blends` < 1, `frr` outside (0, 1), an unknown threshold rule or blend.
 */
export async function stripTestTime(options: StripTestTimeOptions): Promise<StripTestTimeResult> {
  const { clean, triggered, pool, predict } = options;
  assertMatrix(clean, 'STRIP test-time clean stays');
  assertMatrix(triggered, 'STRIP test-time triggered stays');
  assertMatrix(pool, 'STRIP test-time blend pool');
  const d = clean.cols;
  assertInput<DetectCode>(
    triggered.cols === d && pool.cols === d,
    'E_DETECT_INPUT',
    () => `STRIP test-time: clean, triggered and pool stays must have the same width (${clean.cols}, ${triggered.cols}, ${pool.cols}).`,
  );
  // assertMatrix has already refused an empty pool; the message names it anyway, as the caller sees both.
  assertInput<DetectCode>(
    clean.rows >= 2,
    'E_DETECT_INPUT',
    () => `STRIP test-time needs ≥ 2 clean test stays and ≥ 1 pool stay, got ${clean.rows} and ${pool.rows}.`,
  );
  assertInput<DetectCode>(
    typeof predict === 'function',
    'E_DETECT_INPUT',
    () => 'STRIP test-time: predict must be a function (batch, rows) → probabilities.',
  );
  const N = options.blends ?? 100;
  const frr = options.frr ?? 0.01;
  const rule = options.thresholdRule ?? 'normal';
  const blend = options.blend ?? 'superimpose';
  const batchSize = options.batchSize ?? 4096;
  assertInput<DetectCode>(
    Number.isInteger(N) && N >= 1,
    'E_DETECT_INPUT',
    () => `STRIP test-time: blends must be an integer ≥ 1, got ${N}.`,
  );
  assertInput<DetectCode>(frr > 0 && frr < 1, 'E_DETECT_INPUT', () => `STRIP test-time: frr must be in (0, 1), got ${frr}.`);
  assertInput<DetectCode>(
    rule === 'normal' || rule === 'empirical',
    'E_DETECT_INPUT',
    () => `STRIP test-time: thresholdRule must be normal or empirical, got ${String(rule)}.`,
  );
  assertInput<DetectCode>(
    ['superimpose', 'average', 'crossover'].includes(blend),
    'E_DETECT_INPUT',
    () => `STRIP test-time: blend must be superimpose, average or crossover, got ${String(blend)}.`,
  );
  const random = Random.fromSeed(options.seed ?? 0, 'strip-test-time');
  const entropies = async (X: Matrix): Promise<Float64Array> => {
    const out = new Float64Array(X.rows);
    const total = X.rows * N;
    for (let start = 0; start < total; start += batchSize) {
      const rows = Math.min(batchSize, total - start);
      const batch = new Float32Array(rows * d);
      for (let r = 0; r < rows; r++)
        blendInto(batch, r * d, X.values, Math.floor((start + r) / N) * d, pool.values, random.int(pool.rows) * d, d, blend, 0.5, random);
      const p = await predict(batch, rows);
      const K = p.length / rows;
      assertInput<DetectCode>(
        Number.isInteger(K) && K >= 1,
        'E_DETECT_PREDICT',
        () => `predict returned ${p.length} values for ${rows} rows; expected rows or rows × classes.`,
      );
      for (let r = 0; r < rows; r++) out[Math.floor((start + r) / N)] += rowEntropy(p, r, K) / N;
    }
    return out;
  };
  const cleanEntropy = await entropies(clean);
  const triggeredEntropy = await entropies(triggered);
  const threshold = rule === 'normal' ? normalQuantile(cleanEntropy, frr) : empiricalQuantile(cleanEntropy, frr);
  const far = triggeredEntropy.length ? triggeredEntropy.filter((h) => h >= threshold).length / triggeredEntropy.length : NaN;
  const rejected = cleanEntropy.filter((h) => h < threshold).length / cleanEntropy.length;
  const scores = Float64Array.from([...cleanEntropy, ...triggeredEntropy], (h) => -h);
  const truth = Uint8Array.from(scores, (_, i) => (i >= cleanEntropy.length ? 1 : 0));
  const auroc = triggeredEntropy.length ? detectionAuroc(scores, truth).value : NaN;
  return { cleanEntropy, triggeredEntropy, threshold, far, frr: rejected, auroc, blends: N };
}

function empiricalQuantile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  // Linear interpolation between order statistics, numpy's default.
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
}

function normalQuantile(values: Float64Array, q: number): number {
  let mean = 0;
  for (const v of values) mean += v / values.length;
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2 / (values.length - 1);
  return mean + Math.sqrt(variance) * inverseStandardNormal(q);
}

/** Φ⁻¹(q) by Acklam's rational approximation (relative error < 1.2e-9). */
export function inverseStandardNormal(q: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const e = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (q < low) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]) / ((((e[0] * t + e[1]) * t + e[2]) * t + e[3]) * t + 1);
  }
  if (q > 1 - low) return -inverseStandardNormal(1 - q);
  const t = q - 0.5;
  const r = t * t;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * t) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
