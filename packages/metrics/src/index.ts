/**
 * @ehr-backdoor/metrics — the single definition of every figure a study reports.
 *
 * Clean metrics (accuracy, AUROC, AUPRC, precision/recall/F1, Brier, ECE), backdoor metrics (ASR,
 * confidence shift, clean-AUROC drop, poisoned-set AUROC/accuracy) and seeded percentile-bootstrap
 * intervals. Depends on nothing else in the workspace. Definitions and references: docs/metrics.md.
 *
 * @packageDocumentation
 */
export { MetricsInputError } from './lib/errors.js';
export type { MetricsErrorCode } from './lib/errors.js';
export { METRICS_CODES } from './lib/error-codes.js';
export { WARNING, nullReasons } from './lib/result.js';
export type { MetricResult, MetricWarning, WarningCode } from './lib/result.js';
export type { Labels, Probabilities } from './lib/validate.js';

export { auroc } from './lib/auroc.js';
export { averagePrecision } from './lib/average-precision.js';
export { accuracy, precision, recall, f1Score, confusionCounts, predictLabel, DEFAULT_THRESHOLD } from './lib/threshold-metrics.js';
export type { ConfusionCounts } from './lib/threshold-metrics.js';
export { brierScore } from './lib/brier.js';
export { expectedCalibrationError, reliabilityDiagram, DEFAULT_CALIBRATION_BINS } from './lib/calibration.js';
export type { ReliabilityBin } from './lib/calibration.js';

export {
  attackSuccessRate,
  confidenceShift,
  cleanAurocDrop,
  bootstrapAsr,
  probabilityOfTarget,
  predictsTarget,
  DEFAULT_TARGET_LABEL,
} from './lib/backdoor.js';
export type { AttackSuccessRate, AttackSuccessRateInterval, AttackOptions, TargetDecision } from './lib/backdoor.js';
export { flipRate } from './lib/flip-rate.js';
export type { FlipRate } from './lib/flip-rate.js';

export {
  operatingThreshold,
  operatingPointMetrics,
  predictAtTargetThreshold,
  checkThresholdRule,
  describeThresholdRule,
  DEFAULT_THRESHOLD_RULE,
} from './lib/operating-point.js';
export type { ThresholdRule, OperatingThreshold, OperatingPointMetrics } from './lib/operating-point.js';
export { targetReliabilityDiagram, targetCalibrationError } from './lib/target-calibration.js';
export type { ProbabilityBin } from './lib/target-calibration.js';

export {
  bootstrapAuroc,
  bootstrapAuprc,
  bootstrapRankingMetrics,
  DEFAULT_BOOTSTRAP_RESAMPLES,
  DEFAULT_BOOTSTRAP_SEED,
  DEFAULT_CONFIDENCE_LEVEL,
} from './lib/bootstrap.js';
export type { BootstrapOptions, ConfidenceInterval, RankingIntervals } from './lib/bootstrap.js';

export { computeClassificationMetrics } from './lib/classification-metrics.js';
export type { ClassificationMetrics, ClassificationMetricsOptions, ClassificationMetricsRow } from './lib/classification-metrics.js';
export { computeBackdoorMetrics } from './lib/backdoor-metrics.js';
export type { BackdoorMetrics, BackdoorMetricsInput, BackdoorMetricsOptions, BackdoorMetricsRow } from './lib/backdoor-metrics.js';
