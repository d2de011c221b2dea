import { assertInput } from '@ehr-backdoor/core';
import { assertMatrix, rowsByLabel, type Matrix } from './matrix.js';
import { flagCount, topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Attribution outliers: a poisoned training stay is predicted for a reason its label's other stays do
 * not share (the trigger), so its integrated-gradients profile sits apart from theirs.
 *
 *   for each label y: attribution profiles of the stays labelled y (n_y × d, optionally summed into groups)
 *     robust-z            per feature z = (a − median) / (1.4826 · MAD); score = ‖z‖₂ / √d
 *     robust-mahalanobis  (default) one reweighting step: the h = ⌈0.75 n_y⌉ stays with the smallest
 *                         robust-z score give a mean and a ridge-regularised covariance; score =
 *                         Mahalanobis distance / √d. Falls back to robust-z above `maxMahalanobisDims`.
 *   flag the 1.5 ε highest scores over all stays (scores are on one scale across labels).
 */
export type AttributionOutlierMethod = 'robust-mahalanobis' | 'robust-z';

/**
 * Inputs and settings of {@link attributionOutliers}: `expectedPoisonCount` is ε (the defender's
 * expected number of poisoned stays); `removalFactor` (default 1.5) × ε stays are flagged; `method`
 * defaults to `robust-mahalanobis`.
 */
export interface AttributionOutlierOptions {
  /** n × d attribution profiles of the training stays. */
  readonly attributions: Matrix;
  /** Training labels as trained on, length n; profiles are compared within each label. */
  readonly labels: ArrayLike<number>;
  /** ε: the expected number of poisoned training stays (e.g. poison rate × n), ≥ 0. */
  readonly expectedPoisonCount: number;
  /** Flag `removalFactor` × ε stays. Default 1.5, as spectral signatures. */
  readonly removalFactor?: number;
  /** Default `robust-mahalanobis`. */
  readonly method?: AttributionOutlierMethod;
  /** Share of a label's stays that estimate its centre and spread. Default 0.75. */
  readonly supportFraction?: number;
  /** Default 256: above, the covariance is not inverted and robust-z is used. */
  readonly maxMahalanobisDims?: number;
}

/**
 * Scores each training stay by how far its attribution profile lies from its label's robust centre (see
 * {@link AttributionOutlierMethod}) and flags the `removalFactor` × ε highest.
 * @throws InputError `E_DETECT_INPUT` for a malformed matrix, labels of another length, a negative
 * `expectedPoisonCount`, an unknown `method` or `supportFraction` outside (0.5, 1]; `E_DETECT_NOT_FINITE`
 * for a non-finite attribution.
 */
export function attributionOutliers(options: AttributionOutlierOptions): DetectorResult {
  const { attributions: A, labels, expectedPoisonCount } = options;
  assertMatrix(A, 'attributions');
  assertInput<DetectCode>(
    labels.length === A.rows,
    'E_DETECT_INPUT',
    () => `labels has ${labels.length} entries for ${A.rows} attribution profiles.`,
  );
  assertInput<DetectCode>(
    Number.isFinite(expectedPoisonCount) && expectedPoisonCount >= 0,
    'E_DETECT_INPUT',
    () => `expectedPoisonCount must be ≥ 0, got ${expectedPoisonCount}.`,
  );
  const method = options.method ?? 'robust-mahalanobis';
  assertInput<DetectCode>(
    method === 'robust-mahalanobis' || method === 'robust-z',
    'E_DETECT_INPUT',
    () => `method must be robust-mahalanobis or robust-z, got ${String(method)}.`,
  );
  const support = options.supportFraction ?? 0.75;
  assertInput<DetectCode>(support > 0.5 && support <= 1, 'E_DETECT_INPUT', () => `supportFraction must be in (0.5, 1], got ${support}.`);
  const maxDims = options.maxMahalanobisDims ?? 256;
  const d = A.cols;
  const scores = new Float64Array(A.rows).fill(NaN);
  const perLabel: Record<string, number | boolean | string>[] = [];
  const warnings: string[] = [];
  const useMahalanobis = method === 'robust-mahalanobis' && d <= maxDims;
  if (method === 'robust-mahalanobis' && !useMahalanobis)
    warnings.push(
      `${d} attribution dimensions > maxMahalanobisDims ${maxDims}: robust-z used instead (group the attributions to use Mahalanobis)`,
    );
  const scored: number[] = [];
  for (const [label, rows] of rowsByLabel(labels)) {
    const n = rows.length;
    if (n < 3) {
      warnings.push(`label ${label}: ${n} stays, too few for a robust centre; their scores are NaN`);
      perLabel.push({ label, n, skipped: true });
      continue;
    }
    const z = robustZ(A, rows);
    const zScore = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += z.values[r * d + j] ** 2;
      zScore[r] = Math.sqrt(s / d);
    }
    let labelScores: Float64Array = zScore;
    if (useMahalanobis) {
      const h = Math.max(d + 1, Math.ceil(support * n));
      if (h > n) warnings.push(`label ${label}: ${n} stays for ${d} dimensions, too few for a covariance; robust-z used`);
      else labelScores = reweightedMahalanobis(A, rows, zScore, h);
    }
    for (let r = 0; r < n; r++) scores[rows[r]] = labelScores[r];
    scored.push(...rows);
    perLabel.push({ label, n, method: labelScores === zScore ? 'robust-z' : 'robust-mahalanobis', constantFeatures: z.constant });
  }
  const count = flagCount(expectedPoisonCount, options.removalFactor ?? 1.5, scored.length);
  const flagged = topScoring(scores, scored, count).sort((a, b) => a - b);
  return { detector: 'attribution', scores, flagged: Int32Array.from(flagged), perLabel, warnings };
}

/** Per-feature median/MAD z-scores of the chosen rows; a feature with MAD 0 uses its mean absolute deviation, and is ignored if that is 0 too. */
function robustZ(A: Matrix, rows: Int32Array): { values: Float64Array; constant: number } {
  const d = A.cols;
  const n = rows.length;
  const values = new Float64Array(n * d);
  const column = new Float64Array(n);
  let constant = 0;
  for (let j = 0; j < d; j++) {
    for (let r = 0; r < n; r++) column[r] = A.values[rows[r] * d + j];
    const med = median(column.slice());
    const deviations = column.map((x) => Math.abs(x - med));
    const meanDeviation = deviations.reduce((a, b) => a + b, 0) / n;
    let scale = 1.4826 * median(deviations);
    if (!(scale > 0)) scale = 1.2533 * meanDeviation;
    if (!(scale > 0)) {
      constant++;
      continue;
    }
    for (let r = 0; r < n; r++) values[r * d + j] = (column[r] - med) / scale;
  }
  return { values, constant };
}

function reweightedMahalanobis(A: Matrix, rows: Int32Array, initial: Float64Array, h: number): Float64Array {
  const d = A.cols;
  const n = rows.length;
  // Ties keep stay order: the sort is stable and starts in stay order.
  const core = Array.from({ length: n }, (_, r) => r)
    .sort((a, b) => initial[a] - initial[b])
    .slice(0, h);
  const mean = new Float64Array(d);
  for (const r of core) for (let j = 0; j < d; j++) mean[j] += A.values[rows[r] * d + j] / h;
  const cov = new Float64Array(d * d);
  for (const r of core)
    for (let a = 0; a < d; a++) {
      const xa = A.values[rows[r] * d + a] - mean[a];
      for (let b = a; b < d; b++) cov[a * d + b] += (xa * (A.values[rows[r] * d + b] - mean[b])) / (h - 1);
    }
  let trace = 0;
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) cov[a * d + b] = cov[b * d + a];
    trace += cov[a * d + a];
  }
  // Ridge: keeps the covariance invertible when features are collinear or constant.
  const ridge = Math.max(1e-9, (1e-6 * trace) / d);
  for (let a = 0; a < d; a++) cov[a * d + a] += ridge;
  const L = cholesky(cov, d);
  const out = new Float64Array(n);
  const y = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    // Solve L y = x − μ; the squared Mahalanobis distance is ‖y‖².
    let s = 0;
    for (let a = 0; a < d; a++) {
      let v = A.values[rows[r] * d + a] - mean[a];
      for (let b = 0; b < a; b++) v -= L[a * d + b] * y[b];
      y[a] = v / L[a * d + a];
      s += y[a] * y[a];
    }
    out[r] = Math.sqrt(s / d);
  }
  return out;
}

function cholesky(m: Float64Array, d: number): Float64Array {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = m[i * d + j];
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * d + j];
    }
  return L;
}

function median(values: Float64Array): number {
  values.sort();
  const n = values.length;
  return n % 2 ? values[(n - 1) / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
