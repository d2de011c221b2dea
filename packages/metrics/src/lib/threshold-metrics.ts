import { checkBinaryInput, checkThreshold, type Labels, type Probabilities } from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';

/** The default decision threshold on p(label 1). */
export const DEFAULT_THRESHOLD = 0.5;

/**
 * A stay is predicted positive when p > threshold (strictly), as sklearn's `predict` for a logistic model
 * (decision function > 0) and Keras' `binary_accuracy` do: p = 0.5 exactly is predicted negative.
 */
export function predictLabel(p: number, threshold: number): 0 | 1 {
  return p > threshold ? 1 : 0;
}

/**
 * Stays counted by true label and predicted label (p > threshold ⇒ predicted 1); label 1 is the positive class.
 */
export interface ConfusionCounts {
  /** True positives: label 1, predicted 1. */
  readonly tp: number;
  /** False positives: label 0, predicted 1. */
  readonly fp: number;
  /** True negatives: label 0, predicted 0. */
  readonly tn: number;
  /** False negatives: label 1, predicted 0. */
  readonly fn: number;
}

/**
 * Confusion counts at `threshold` (default 0.5, strictly greater ⇒ predicted positive).
 * @throws MetricsInputError `E_METRICS_INVALID_LABEL`, `E_METRICS_INVALID_PROBABILITY` or `E_METRICS_LENGTH_MISMATCH` for labels
 * other than 0/1, probabilities outside [0, 1] or arrays of different length; `E_METRICS_INVALID_OPTION` for a threshold
 * outside [0, 1].
 */
export function confusionCounts(yTrue: Labels, pPositive: Probabilities, threshold = DEFAULT_THRESHOLD): ConfusionCounts {
  checkBinaryInput(yTrue, pPositive);
  checkThreshold(threshold);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const predicted = predictLabel(pPositive[i]!, threshold);
    if (yTrue[i] === 1) {
      if (predicted === 1) tp++;
      else fn++;
    } else if (predicted === 1) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

export function accuracyOfCounts({ tp, fp, tn, fn }: ConfusionCounts): MetricResult {
  const n = tp + fp + tn + fn;
  if (n === 0) return undefinedMetric(WARNING.empty, 'accuracy is undefined on an empty set.');
  return defined((tp + tn) / n);
}

/**
 * sklearn's zero_division: precision with no predicted positive (TP + FP = 0), recall with no actual
 * positive (TP + FN = 0) and F1 with neither (TP + FP + FN = 0) divide by zero. sklearn returns 0 with an
 * UndefinedMetricWarning by default (or NaN with zero_division=np.nan); we return NaN with the reason.
 * F1 = 2TP / (2TP + FP + FN), which is defined (0) when only one of precision and recall is undefined,
 * as in sklearn ≥ 1.3.
 */
export function precisionOfCounts({ tp, fp }: ConfusionCounts, threshold = DEFAULT_THRESHOLD): MetricResult {
  if (tp + fp === 0) {
    return undefinedMetric(WARNING.noPredictedPositive, `precision is undefined: no stay has p > ${threshold} (no predicted positive).`);
  }
  return defined(tp / (tp + fp));
}

export function recallOfCounts({ tp, fn }: ConfusionCounts): MetricResult {
  if (tp + fn === 0) return undefinedMetric(WARNING.noActualPositive, 'recall is undefined: the set has no positive stay.');
  return defined(tp / (tp + fn));
}

export function f1OfCounts({ tp, fp, fn }: ConfusionCounts, threshold = DEFAULT_THRESHOLD): MetricResult {
  if (2 * tp + fp + fn === 0) {
    return undefinedMetric(
      WARNING.noPositiveOrPrediction,
      `F1 is undefined: the set has no positive stay and no stay has p > ${threshold}.`,
    );
  }
  return defined((2 * tp) / (2 * tp + fp + fn));
}

/** Share of stays whose predicted label (p > threshold) equals the true label. */
export function accuracy(yTrue: Labels, pPositive: Probabilities, threshold = DEFAULT_THRESHOLD): MetricResult {
  return accuracyOfCounts(confusionCounts(yTrue, pPositive, threshold));
}

/**
 * TP / (TP + FP) at `threshold`: the share of predicted positives that are positive. NaN with
 * `W_NO_PREDICTED_POSITIVE` when no stay is predicted positive. Input errors as {@link confusionCounts}.
 */
export function precision(yTrue: Labels, pPositive: Probabilities, threshold = DEFAULT_THRESHOLD): MetricResult {
  return precisionOfCounts(confusionCounts(yTrue, pPositive, threshold), threshold);
}

/**
 * TP / (TP + FN) at `threshold` (sensitivity). NaN with `W_NO_ACTUAL_POSITIVE` when the set has no
 * positive stay. Input errors as {@link confusionCounts}.
 */
export function recall(yTrue: Labels, pPositive: Probabilities, threshold = DEFAULT_THRESHOLD): MetricResult {
  return recallOfCounts(confusionCounts(yTrue, pPositive, threshold));
}

/**
 * 2·TP / (2·TP + FP + FN) at `threshold`, the harmonic mean of precision and recall. NaN with
 * `W_NO_POSITIVE_OR_PREDICTION` when there is neither a positive stay nor a predicted positive. Input errors as
 * {@link confusionCounts}.
 */
export function f1Score(yTrue: Labels, pPositive: Probabilities, threshold = DEFAULT_THRESHOLD): MetricResult {
  return f1OfCounts(confusionCounts(yTrue, pPositive, threshold), threshold);
}
