import { checkBinaryInput, countPositives, type Labels, type Probabilities } from './validate.js';
import { collect, type MetricWarning } from './result.js';
import { auroc } from './auroc.js';
import { averagePrecision } from './average-precision.js';
import {
  accuracyOfCounts,
  confusionCounts,
  DEFAULT_THRESHOLD,
  f1OfCounts,
  precisionOfCounts,
  recallOfCounts,
} from './threshold-metrics.js';
import { brierScore } from './brier.js';
import { DEFAULT_CALIBRATION_BINS, expectedCalibrationError } from './calibration.js';
import { bootstrapRankingMetrics, type BootstrapOptions } from './bootstrap.js';
import { intervalColumns } from './interval-columns.js';

/** Options of {@link computeClassificationMetrics}. */
export interface ClassificationMetricsOptions {
  /** Decision threshold on p(label 1) for accuracy, precision, recall and F1; default 0.5. */
  readonly threshold?: number;
  /** ECE bins; default 15. */
  readonly calibrationBins?: number;
  /** Bootstrap options for the AUROC/AUPRC intervals, or `false` to skip them (their columns are then NaN). */
  readonly bootstrap?: BootstrapOptions | false;
}

/** One summary row: every value a number (NaN when undefined, with its reason in `warnings`). */
export interface ClassificationMetricsRow {
  /** Stays in the set. */
  readonly n: number;
  /** Stays with label 1. */
  readonly n_positive: number;
  /** Share of stays whose predicted label (p > threshold) is right. */
  readonly accuracy: number;
  /** Area under the ROC curve, ties counted half (NaN with one class). */
  readonly auroc: number;
  /** Lower bound of the AUROC's bootstrap interval (NaN when skipped or undefined). */
  readonly auroc_ci_low: number;
  /** Upper bound of the AUROC's bootstrap interval. */
  readonly auroc_ci_high: number;
  /** Average precision, the step-wise area under the precision–recall curve (NaN with one class). */
  readonly auprc: number;
  /** Lower bound of the AUPRC's bootstrap interval. */
  readonly auprc_ci_low: number;
  /** Upper bound of the AUPRC's bootstrap interval. */
  readonly auprc_ci_high: number;
  /** TP / (TP + FP) at the threshold. */
  readonly precision: number;
  /** TP / (TP + FN) at the threshold. */
  readonly recall: number;
  /** Harmonic mean of precision and recall at the threshold. */
  readonly f1: number;
  /** Mean squared difference between p(label 1) and the label, in [0, 1] (lower is better). */
  readonly brier: number;
  /** Expected calibration error over `calibrationBins` equal-width bins, in [0, 1]. */
  readonly ece: number;
}

/**
 * The result of {@link computeClassificationMetrics}: one row of numbers and the reasons for any NaN in it.
 */
export interface ClassificationMetrics {
  readonly metrics: ClassificationMetricsRow;
  /** One entry per NaN column (under the column's name), plus notes under `{metric}_ci`. */
  readonly warnings: MetricWarning[];
}

/**
 * Every clean metric of one set of predictions at once.
 *
 *   check inputs → confusion counts at the threshold → ranking metrics → calibration → bootstrap CIs
 *
 * `pPositive` is p(label 1) per stay (the runner's `p_target` column when the target label is 1).
 * Throws `MetricsInputError` on malformed input; degenerate input gives NaN entries and warnings.
 */
export function computeClassificationMetrics(
  yTrue: Labels,
  pPositive: Probabilities,
  options: ClassificationMetricsOptions = {},
): ClassificationMetrics {
  checkBinaryInput(yTrue, pPositive);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const bins = options.calibrationBins ?? DEFAULT_CALIBRATION_BINS;
  const warnings: MetricWarning[] = [];

  const counts = confusionCounts(yTrue, pPositive, threshold);
  const intervals = options.bootstrap === false ? undefined : bootstrapRankingMetrics(yTrue, pPositive, options.bootstrap ?? {});
  const accuracyValue = collect('accuracy', accuracyOfCounts(counts), warnings);
  const aurocValue = collect('auroc', auroc(yTrue, pPositive), warnings);
  const auprcValue = collect('auprc', averagePrecision(yTrue, pPositive), warnings);
  const [aurocLow, aurocHigh] = intervalColumns('auroc', intervals?.auroc, warnings);
  const [auprcLow, auprcHigh] = intervalColumns('auprc', intervals?.auprc, warnings);
  const metrics: ClassificationMetricsRow = {
    n: yTrue.length,
    n_positive: countPositives(yTrue),
    accuracy: accuracyValue,
    auroc: aurocValue,
    auroc_ci_low: aurocLow,
    auroc_ci_high: aurocHigh,
    auprc: auprcValue,
    auprc_ci_low: auprcLow,
    auprc_ci_high: auprcHigh,
    precision: collect('precision', precisionOfCounts(counts, threshold), warnings),
    recall: collect('recall', recallOfCounts(counts), warnings),
    f1: collect('f1', f1OfCounts(counts, threshold), warnings),
    brier: collect('brier', brierScore(yTrue, pPositive), warnings),
    ece: collect('ece', expectedCalibrationError(yTrue, pPositive, bins), warnings),
  };
  return { metrics, warnings };
}
