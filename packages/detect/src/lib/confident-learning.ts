import { assertInput, Random } from '@ehr-backdoor/core';
import { assertAssumedContamination } from './assumed-contamination.js';
import { clinicalDesignMatrix } from './clinical-design-matrix.js';
import { confidentJoint, estimatedLabelIssues } from './confident-joint.js';
import { fitLogistic, predictLogistic } from './logistic-regression.js';
import { topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Confident learning (Northcutt, Jiang & Chuang, JAIR 2021): dirty-label poisoning is label noise
 * with a pattern, so stays whose given label an out-of-fold model finds implausible are suspects.
 *
 *   features (clinical values, NaN = not measured) ─▶ median-imputed, standardised, + one
 *     "not measured" indicator per variable
 *   K stratified folds ─▶ L2 logistic regression on K − 1 folds ─▶ p̂(y | x) of the held-out fold
 *   per class j: threshold t_j = mean p̂_j over stays labelled j
 *   confident joint C[i][j]: stays labelled i whose p̂_j ≥ t_j (the larger p̂ when both are), calibrated
 *     to the label counts ─▶ the number of label issues CL estimates (prune by noise rate)
 *   score = 1 − p̂(given label) (cleanlab's self-confidence ranking); flag the assumed contamination × n
 *     highest, or with `flagRule: 'confident-joint'` CL's own estimated count, per label by margin
 *
 * The out-of-fold model is the defender's own, not the attacked model: it never saw a stay it scores,
 * so a trigger it might learn from the other folds' poisoned stays helps it only as much as those
 * few stays can teach a regularised linear model.
 */
export interface ConfidentLearningOptions {
  /** n × F clinical features of the training stays, row-major, NaN where not measured. */
  readonly features: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** Variable of each feature column (for the "not measured" indicators); default one per column. */
  readonly variables?: readonly string[];
  /** Training labels as trained on (0/1), length n. */
  readonly labels: ArrayLike<number>;
  /** The defender's assumed contamination in (0, 0.5): how many stays the budget rule flags. */
  readonly assumedContamination: number;
  /** Folds for the out-of-fold probabilities. Default 5 (cleanlab's cv_n_folds). */
  readonly folds?: number;
  /** L2 penalty λ = 1 / C of the logistic regression. Default 1 (scikit-learn's C = 1). */
  readonly lambda?: number;
  /** 'budget' (default): the assumed contamination's count; 'confident-joint': CL's own estimated count. */
  readonly flagRule?: 'budget' | 'confident-joint';
  readonly seed?: number;
}

/**
 * Confident learning over the training stays, as described under {@link ConfidentLearningOptions}.
 * Deterministic for a given `seed`.
 * @throws InputError `E_DETECT_INPUT` for a malformed feature matrix, labels that are not 0/1 or of
 * another length, a label with fewer stays than folds, `folds` < 2, `lambda` ≤ 0, an unknown flag rule,
 * or an assumed contamination outside (0, 0.5).
 */
export function confidentLearning(options: ConfidentLearningOptions): DetectorResult {
  const { features, rows: n, cols: F, labels } = options;
  const { folds, lambda, flagRule } = checkedSettings(options);
  const byLabel = stratified(labels, n, folds);
  const { design, width } = clinicalDesignMatrix(features, n, F, options.variables);
  const random = Random.fromSeed(options.seed ?? 0, 'confident-learning');
  const fold = assignFolds(byLabel, n, folds, random);
  const warnings: string[] = [];
  const p1 = outOfFoldProbabilities(design, width, labels, fold, folds, lambda, warnings);
  const probability = (i: number, j: number) => (j === 1 ? p1[i] : 1 - p1[i]);
  const thresholds = [0, 1].map((j) => byLabel[j].reduce((s, i) => s + probability(i, j), 0) / byLabel[j].length);
  const joint = confidentJoint(probability, thresholds, labels, n);
  const estimatedIssues = estimatedLabelIssues(joint, [byLabel[0].length, byLabel[1].length]);
  const scores = Float64Array.from({ length: n }, (_, i) => 1 - probability(i, labels[i]));
  let flagged: number[];
  if (flagRule === 'budget')
    flagged = topScoring(
      scores,
      Array.from({ length: n }, (_, i) => i),
      Math.round(options.assumedContamination * n),
    );
  else flagged = [0, 1].flatMap((y) => topScoring(scores, byLabel[y], estimatedIssues[y]));
  flagged.sort((a, b) => a - b);
  const perLabel = [0, 1].map((y) => ({
    label: y,
    n: byLabel[y].length,
    threshold: thresholds[y],
    confidentSame: joint[y][y],
    confidentOther: joint[y][1 - y],
    estimatedIssues: estimatedIssues[y],
    flagged: flagged.filter((i) => labels[i] === y).length,
  }));
  return { detector: 'confident_learning', scores, flagged: Int32Array.from(flagged), perLabel, warnings };
}

function checkedSettings(options: ConfidentLearningOptions): {
  folds: number;
  lambda: number;
  flagRule: 'budget' | 'confident-joint';
} {
  const { features, rows: n, cols: F, labels } = options;
  const folds = options.folds ?? 5;
  const lambda = options.lambda ?? 1;
  const flagRule = options.flagRule ?? 'budget';
  assertInput<DetectCode>(
    Number.isInteger(n) && Number.isInteger(F) && n >= 1 && F >= 1 && features.length === n * F,
    'E_DETECT_INPUT',
    () => `confident_learning: features must hold rows × cols = ${n} × ${F} values, got ${features.length}.`,
  );
  assertInput<DetectCode>(labels.length === n, 'E_DETECT_INPUT', () => `confident_learning: ${labels.length} labels for ${n} stays.`);
  assertInput<DetectCode>(
    Number.isInteger(folds) && folds >= 2,
    'E_DETECT_INPUT',
    () => `confident_learning: folds must be an integer ≥ 2, got ${folds}.`,
  );
  assertInput<DetectCode>(lambda > 0, 'E_DETECT_INPUT', () => `confident_learning: lambda must be > 0, got ${lambda}.`);
  assertInput<DetectCode>(
    flagRule === 'budget' || flagRule === 'confident-joint',
    'E_DETECT_INPUT',
    () => `confident_learning: flagRule must be budget or confident-joint, got ${String(flagRule)}.`,
  );
  assertAssumedContamination(options.assumedContamination, 'confident_learning');
  return { folds, lambda, flagRule };
}

/** The stays of each label, in order; every label needs a stay in every fold. */
function stratified(labels: ArrayLike<number>, n: number, folds: number): number[][] {
  const byLabel: number[][] = [[], []];
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    assertInput<DetectCode>(y === 0 || y === 1, 'E_DETECT_INPUT', () => `confident_learning: labels must be 0 or 1; stay ${i} has ${y}.`);
    byLabel[y].push(i);
  }
  for (const y of [0, 1])
    assertInput<DetectCode>(
      byLabel[y].length >= folds,
      'E_DETECT_INPUT',
      () => `confident_learning: label ${y} has ${byLabel[y].length} stays, fewer than the ${folds} folds; lower folds.`,
    );
  return byLabel;
}

/** Stratified folds: each label's stays shuffled, then dealt round-robin, so folds keep the label balance. */
function assignFolds(byLabel: number[][], n: number, folds: number, random: Random): Int32Array {
  const fold = new Int32Array(n);
  for (const y of [0, 1]) {
    const members = random.shuffle(byLabel[y].slice());
    members.forEach((i, k) => (fold[i] = k % folds));
  }
  return fold;
}

/** p̂(y = 1 | x) of every stay from a model that never saw it. */
function outOfFoldProbabilities(
  design: Float64Array,
  width: number,
  labels: ArrayLike<number>,
  fold: Int32Array,
  folds: number,
  lambda: number,
  warnings: string[],
): Float64Array {
  const n = fold.length;
  const p1 = new Float64Array(n);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? held : train).push(i);
    const X = new Float64Array(train.length * width);
    train.forEach((i, k) => X.set(design.subarray(i * width, (i + 1) * width), k * width));
    const model = fitLogistic(
      X,
      train.length,
      width,
      Uint8Array.from(train, (i) => labels[i]),
      { lambda, maxIterations: 30, tolerance: 1e-6 },
    );
    if (!model.converged) warnings.push(`fold ${f}: logistic regression did not converge in ${model.iterations} Newton steps`);
    const H = new Float64Array(held.length * width);
    held.forEach((i, k) => H.set(design.subarray(i * width, (i + 1) * width), k * width));
    const p = predictLogistic(model, H, held.length, width);
    held.forEach((i, k) => (p1[i] = p[k]));
  }
  return p1;
}
