import { assertInput, Random } from '@ehr-backdoor/core';
import { assertMatrix, centredRows, covarianceOf, rowsByLabel, type Matrix } from './matrix.js';
import { topEigenvectors } from './power-iteration.js';
import { flagCount, topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Spectral signatures (Tran, Li & Madry, NeurIPS 2018, Algorithm 1):
 *
 *   for each label y:
 *     R_y = penultimate representations of the stays labelled y, centred on their mean
 *     v   = top right singular vector of R_y  (top eigenvector of R_yᵀR_y / n_y, by power iteration)
 *     τ_i = ((r_i − r̄) · v)²                  outlier score
 *     remove the 1.5 ε stays with the highest τ, ε = the expected number of poisoned stays
 *
 * The paper removes 1.5 ε from every label. Scores here are τ_i / λ_y (λ_y = mean τ over the label,
 * the top eigenvalue), which leaves each label's ranking unchanged and puts labels on one scale, so a
 * single AUROC over all training stays means something.
 */
export interface SpectralSignatureOptions {
  /** n × d penultimate representations of the training stays. */
  readonly representations: Matrix;
  /**
   * Training labels as trained on (poisoned labels included), length n; each label is analysed separately.
   */
  readonly labels: ArrayLike<number>;
  /** ε: expected number of poisoned training stays (e.g. poison rate × n). */
  readonly expectedPoisonCount: number;
  /** Default 1.5, the paper's. */
  readonly removalFactor?: number;
  /** Seeds the power iteration's start. Default 0. */
  readonly seed?: number;
}

/**
 * Spectral signatures (Tran, Li & Madry 2018) over the training stays; the algorithm and its scaling are
 * described under {@link SpectralSignatureOptions}. A label with fewer than 2 stays gets NaN scores and a
 * warning. Deterministic for a given `seed`.
 * @throws InputError `E_DETECT_INPUT` for a malformed matrix, labels of another length, a negative
 * `expectedPoisonCount` or a non-positive `removalFactor`; `E_DETECT_NOT_FINITE` for a NaN or infinite representation.
 */
export function spectralSignatures(options: SpectralSignatureOptions): DetectorResult {
  const { representations: R, labels, expectedPoisonCount } = options;
  assertMatrix(R, 'representations');
  assertInput<DetectCode>(
    labels.length === R.rows,
    'E_DETECT_INPUT',
    () => `labels has ${labels.length} entries for ${R.rows} representations.`,
  );
  assertInput<DetectCode>(
    Number.isFinite(expectedPoisonCount) && expectedPoisonCount >= 0,
    'E_DETECT_INPUT',
    () => `expectedPoisonCount must be ≥ 0, got ${expectedPoisonCount}.`,
  );
  const factor = options.removalFactor ?? 1.5;
  assertInput<DetectCode>(Number.isFinite(factor) && factor > 0, 'E_DETECT_INPUT', () => `removalFactor must be > 0, got ${factor}.`);
  const random = Random.fromSeed(options.seed ?? 0, 'spectral-signatures');
  const d = R.cols;
  const scores = new Float64Array(R.rows).fill(NaN);
  const flagged: number[] = [];
  const perLabel: Record<string, number | boolean | string>[] = [];
  const warnings: string[] = [];
  for (const [label, rows] of rowsByLabel(labels)) {
    const n = rows.length;
    if (n < 2) {
      warnings.push(`label ${label}: ${n} stay, no spectrum; its score is NaN`);
      perLabel.push({ label, n, skipped: true });
      continue;
    }
    const { centred } = centredRows(R, rows);
    const { vectors, values, converged } = topEigenvectors(covarianceOf(centred, n, d), d, 1, random);
    const v = vectors[0];
    const lambda = values[0];
    if (!converged[0])
      warnings.push(
        `label ${label}: power iteration stopped before converging (top eigenvalues nearly equal); scores use its last iterate`,
      );
    for (let r = 0; r < n; r++) {
      let p = 0;
      for (let j = 0; j < d; j++) p += centred[r * d + j] * v[j];
      scores[rows[r]] = lambda > 0 ? (p * p) / lambda : 0;
    }
    if (!(lambda > 0)) warnings.push(`label ${label}: all representations are equal; every score is 0`);
    const count = flagCount(expectedPoisonCount, factor, n);
    flagged.push(...topScoring(scores, rows, count));
    perLabel.push({ label, n, topEigenvalue: lambda, converged: converged[0], flagged: count });
  }
  return { detector: 'spectral', scores, flagged: Int32Array.from(flagged.sort((a, b) => a - b)), perLabel, warnings };
}
