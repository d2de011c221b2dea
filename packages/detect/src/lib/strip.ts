import { assertInput, Random } from '@ehr-backdoor/core';
import { assertMatrix, rowsByLabel, type Matrix } from './matrix.js';
import { flagCount, topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * STRIP (Gao et al., ACSAC 2019) adapted to tabular and time-series stays. A trigger dominates the
 * prediction whatever else the input holds, so blends of a poisoned stay with other stays keep
 * predicting the target class: their prediction entropy is LOW.
 *
 *   for each training stay x_i:
 *     N blends  x' = α x_i + (1 − α) x_j, j drawn uniformly from the other stays (normalised input space;
 *               images are superimposed pixel-wise in the paper, here stays are averaged feature-wise)
 *     H_i = (1/N) Σ_n entropy(predict(x'_n))   (bits; binary models: entropy of (1 − p, p))
 *   score = −H_i; flag the 1.5 ε lowest-entropy stays.
 *
 * Training-set adaptation (`normalise: 'per-label'`, the default when labels are given): on a
 * clinical binary task most entropy differences come from how confidently each class is predicted
 * (most survivors are confidently negative), not from triggers. Entropies are therefore standardised
 * within each training label, score = −(H_i − mean_y) / sd_y, which leaves every label's ranking as
 * the paper's and makes labels comparable. `normalise: 'none'` gives the paper's raw −H.
 *
 * The paper flags inputs below an entropy threshold set from clean inputs' false rejection rate; with
 * the training set itself under scrutiny there is no clean reference, so the count rule of the other
 * detectors is used and the score (for AUROC) is unaffected.
 */
export type PredictFn = (batch: Float32Array, rows: number) => Float32Array | Promise<Float32Array>;

/**
 * Inputs and settings of {@link strip}. `expectedPoisonCount` is ε; `removalFactor` (default 1.5) × ε
 * lowest-entropy stays are flagged. `seed` (default 0) fixes which stays are blended.
 */
export interface StripOptions {
  /** n × d inputs as the model reads them (normalised), one row per training stay. */
  readonly inputs: Matrix;
  /** Batch of rows × d inputs → rows probabilities of class 1 (binary) or rows × K class probabilities. */
  readonly predict: PredictFn;
  /** ε: the expected number of poisoned training stays, ≥ 0. */
  readonly expectedPoisonCount: number;
  /** Flag the `removalFactor` × ε lowest-entropy stays. Default 1.5. */
  readonly removalFactor?: number;
  /** Blends per stay. Default 16 (the paper uses 100 per test input; 16 keeps a training-set scan affordable). */
  readonly blends?: number;
  /** Weight of the stay itself. Default 0.5. */
  readonly alpha?: number;
  /**
   * 'average' (default): x' = α x_i + (1 − α) x_j. 'crossover': each input element comes from x_i with
   * probability α, else from x_j, so a trigger element survives whole (not halved) in a share α of the
   * blends — closer to the paper's superimposition, where the trigger stays at full strength.
   * 'superimpose': x' = x_i + x_j, both at full strength as the reference code's addWeighted(1, 1) (α unused).
   */
  readonly blend?: 'average' | 'crossover' | 'superimpose';
  /** Rows per predict call. Default 4096. */
  readonly batchSize?: number;
  /** Seeds which stays are blended (and the crossover draws). Default 0. */
  readonly seed?: number;
  /** Training labels (length n); needed for 'per-label'. */
  readonly labels?: ArrayLike<number>;
  /** Default 'per-label' when labels are given, else 'none'. */
  readonly normalise?: 'per-label' | 'none';
}

/**
 * STRIP (Gao et al. 2019) on the training set, as described under {@link PredictFn}: blends each stay
 * with random others, and scores it by the negated (optionally per-label standardised) mean prediction
 * entropy in bits, so a trigger that dominates the prediction ranks first.
 * @throws InputError `E_DETECT_INPUT` for a malformed matrix, a missing `predict`, fewer than 2 stays,
 * `blends` < 1, `alpha` outside (0, 1), an unknown `blend` or `normalise`, or `per-label` without labels;
 * `E_DETECT_PREDICT` when `predict` returns a length that is neither rows nor a multiple of rows.
 */
export async function strip(options: StripOptions): Promise<DetectorResult> {
  const settings = stripSettings(options);
  const { n, blends: N, alpha, blend, normalise } = settings;
  const random = Random.fromSeed(options.seed ?? 0, 'strip');
  const { entropy, classes } = await blendEntropies(options.inputs, options.predict, settings, random);
  const scores = Float64Array.from(entropy, (h) => -h);
  const warnings: string[] = [];
  const perLabel = normalise === 'per-label' ? standardisePerLabel(entropy, options.labels as ArrayLike<number>, scores, warnings) : [];
  const count = flagCount(options.expectedPoisonCount, options.removalFactor ?? 1.5, n);
  const flagged = topScoring(
    scores,
    Array.from({ length: n }, (_, i) => i),
    count,
  ).sort((a, b) => a - b);
  return {
    detector: 'strip',
    scores,
    flagged: Int32Array.from(flagged),
    perLabel: perLabel.length ? perLabel : [{ n, blends: N, alpha, blend, classes }],
    warnings,
  };
}

/** {@link StripOptions} with its defaults filled in, once every one is known to be usable. */
interface StripSettings {
  readonly n: number;
  readonly d: number;
  readonly blends: number;
  readonly alpha: number;
  readonly batchSize: number;
  readonly blend: 'average' | 'crossover' | 'superimpose';
  readonly normalise: 'per-label' | 'none';
}

function stripSettings(options: StripOptions): StripSettings {
  const { inputs: X, predict, expectedPoisonCount } = options;
  assertMatrix(X, 'inputs');
  assertInput<DetectCode>(
    typeof predict === 'function',
    'E_DETECT_INPUT',
    () => 'predict must be a function (batch, rows) → probabilities.',
  );
  assertInput<DetectCode>(
    Number.isFinite(expectedPoisonCount) && expectedPoisonCount >= 0,
    'E_DETECT_INPUT',
    () => `expectedPoisonCount must be ≥ 0, got ${expectedPoisonCount}.`,
  );
  const N = options.blends ?? 16;
  const alpha = options.alpha ?? 0.5;
  const batchSize = options.batchSize ?? 4096;
  assertInput<DetectCode>(Number.isInteger(N) && N >= 1, 'E_DETECT_INPUT', () => `blends must be an integer ≥ 1, got ${N}.`);
  assertInput<DetectCode>(alpha > 0 && alpha < 1, 'E_DETECT_INPUT', () => `alpha must be in (0, 1), got ${alpha}.`);
  const blend = options.blend ?? 'average';
  assertInput<DetectCode>(
    blend === 'average' || blend === 'crossover' || blend === 'superimpose',
    'E_DETECT_INPUT',
    () => `blend must be average, crossover or superimpose, got ${String(blend)}.`,
  );
  assertInput<DetectCode>(
    Number.isInteger(batchSize) && batchSize >= 1,
    'E_DETECT_INPUT',
    () => `batchSize must be an integer ≥ 1, got ${batchSize}.`,
  );
  const n = X.rows;
  const normalise = options.normalise ?? (options.labels ? 'per-label' : 'none');
  assertInput<DetectCode>(
    normalise === 'none' || normalise === 'per-label',
    'E_DETECT_INPUT',
    () => `normalise must be per-label or none, got ${String(normalise)}.`,
  );
  assertInput<DetectCode>(
    normalise === 'none' || options.labels?.length === n,
    'E_DETECT_INPUT',
    () => `normalise 'per-label' needs labels for the ${n} stays, got ${options.labels?.length ?? 'none'}.`,
  );
  assertInput<DetectCode>(n >= 2, 'E_DETECT_INPUT', () => 'STRIP needs at least 2 training stays to blend.');
  return { n, d: X.cols, blends: N, alpha, batchSize, blend, normalise };
}

/**
 * Mean prediction entropy (bits) of each stay's blends. Blends are drawn stay by stay in row order
 * across batches, so the draws, and with them the scores, do not depend on `batchSize`.
 */
async function blendEntropies(
  X: Matrix,
  predict: PredictFn,
  { n, d, blends: N, alpha, batchSize, blend }: StripSettings,
  random: Random,
): Promise<{ entropy: Float64Array; classes: number }> {
  const entropy = new Float64Array(n);
  const total = n * N;
  let classes = 0;
  for (let start = 0; start < total; start += batchSize) {
    const rows = Math.min(batchSize, total - start);
    const batch = new Float32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      const i = Math.floor((start + r) / N);
      let j = random.int(n - 1);
      if (j >= i) j++;
      blendInto(batch, r * d, X.values, i * d, X.values, j * d, d, blend, alpha, random);
    }
    const probabilities = await predict(batch, rows);
    const K = probabilities.length / rows;
    assertInput<DetectCode>(
      Number.isInteger(K) && K >= 1,
      'E_DETECT_PREDICT',
      () => `predict returned ${probabilities.length} values for ${rows} rows; expected rows or rows × classes.`,
    );
    classes = K === 1 ? 2 : K;
    for (let r = 0; r < rows; r++) entropy[Math.floor((start + r) / N)] += rowEntropy(probabilities, r, K) / N;
  }
  return { entropy, classes };
}

/** Overwrites `scores` with −(H − mean_y) / sd_y within each label; returns each label's mean and sd. */
function standardisePerLabel(
  entropy: Float64Array,
  labels: ArrayLike<number>,
  scores: Float64Array,
  warnings: string[],
): Record<string, number | boolean | string>[] {
  const perLabel: Record<string, number | boolean | string>[] = [];
  for (const [label, rows] of rowsByLabel(labels)) {
    let mean = 0;
    for (const i of rows) mean += entropy[i] / rows.length;
    let variance = 0;
    for (const i of rows) variance += (entropy[i] - mean) ** 2 / Math.max(1, rows.length - 1);
    const sd = Math.sqrt(variance);
    if (!(sd > 0)) warnings.push(`label ${label}: every stay has the same blend entropy; scores 0`);
    for (const i of rows) scores[i] = sd > 0 ? -(entropy[i] - mean) / sd : 0;
    perLabel.push({ label, n: rows.length, meanEntropy: mean, sdEntropy: sd });
  }
  return perLabel;
}

/** Writes the blend of x (at xo) with the overlay o (at oo) into out at `at` (see {@link StripOptions.blend}). */
export function blendInto(
  out: Float32Array,
  at: number,
  x: ArrayLike<number>,
  xo: number,
  o: ArrayLike<number>,
  oo: number,
  d: number,
  blend: 'average' | 'crossover' | 'superimpose',
  alpha: number,
  random: Random,
): void {
  if (blend === 'average') for (let c = 0; c < d; c++) out[at + c] = alpha * x[xo + c] + (1 - alpha) * o[oo + c];
  else if (blend === 'superimpose') for (let c = 0; c < d; c++) out[at + c] = x[xo + c] + o[oo + c];
  else for (let c = 0; c < d; c++) out[at + c] = random.next() < alpha ? x[xo + c] : o[oo + c];
}

export function rowEntropy(p: Float32Array, r: number, K: number): number {
  const h = (q: number) => (q > 0 ? -q * Math.log2(q) : 0);
  if (K === 1) {
    const q = Math.min(1, Math.max(0, p[r]));
    return h(q) + h(1 - q);
  }
  let s = 0;
  for (let k = 0; k < K; k++) s += h(p[r * K + k]);
  return s;
}
