/**
 * @ehr-backdoor/detect — poison detectors faithful to their papers, each scoring every training stay
 * (higher = more suspicious), and their evaluation against the true poisoned indices.
 *
 * @packageDocumentation
 */
export { runDetectors } from './lib/run-detectors.js';
export type { RunDetectorsOptions, RunDetectorsResult, DetectorRun, DetectorEvaluation } from './lib/run-detectors.js';
export { spectralSignatures } from './lib/spectral-signatures.js';
export type { SpectralSignatureOptions } from './lib/spectral-signatures.js';
export { activationClustering } from './lib/activation-clustering.js';
export type { ActivationClusteringOptions, ClusterAnalysis } from './lib/activation-clustering.js';
export { attributionOutliers } from './lib/attribution-outlier.js';
export type { AttributionOutlierOptions, AttributionOutlierMethod } from './lib/attribution-outlier.js';
export { strip } from './lib/strip.js';
export type { StripOptions, PredictFn } from './lib/strip.js';
export { stripTestTime } from './lib/strip-test-time.js';
export type { StripTestTimeOptions, StripTestTimeResult } from './lib/strip-test-time.js';
export { runModelStripTestTime } from './lib/model-strip-test-time.js';
export type { ModelStripTestTimeOptions } from './lib/model-strip-test-time.js';
export { exclusionaryReclassification } from './lib/exclusionary-reclassification.js';
export type { ExclusionaryReclassificationOptions } from './lib/exclusionary-reclassification.js';
export { confidentLearning } from './lib/confident-learning.js';
export type { ConfidentLearningOptions } from './lib/confident-learning.js';
export { ablIsolation, binaryCrossEntropy } from './lib/abl-isolation.js';
export type { AblIsolationOptions } from './lib/abl-isolation.js';
export { reconstructTrigger, maskByVariable } from './lib/trigger-reconstruction.js';
export type { TriggerReconstructionOptions, TriggerReconstructionResult, ReconstructedTrigger } from './lib/trigger-reconstruction.js';
export { runModelTriggerReconstruction, namesTriggerVariables } from './lib/model-trigger-reconstruction.js';
export type { ModelTriggerReconstructionOptions, ModelTriggerReconstructionResult } from './lib/model-trigger-reconstruction.js';
export { fastIca } from './lib/fast-ica.js';
export type { FastIcaOptions, FastIcaResult } from './lib/fast-ica.js';
export { inputScreening } from './lib/input-screening.js';
export type { InputScreeningOptions, ScreeningData, ScreeningComponent, HourlyData } from './lib/input-screening.js';
export { DEFAULT_ASSUMED_CONTAMINATION, SENSITIVITY_CONTAMINATIONS, assertAssumedContamination } from './lib/assumed-contamination.js';
export type { SensitivityPoint } from './lib/assumed-contamination.js';
export {
  detectionAuroc,
  tprAtFpr,
  precisionAtFlagged,
  recallAtFlagged,
  truthMask,
  defenceEffectivenessRating,
} from './lib/detection-metrics.js';
export type { Scored } from './lib/detection-metrics.js';
export { DETECTOR_NAMES } from './lib/types.js';
export { MODEL_REPAIR_NAMES, isModelRepairName } from './lib/model-repair-names.js';
export type { ModelRepairName } from './lib/model-repair-names.js';
export { finePrune } from './lib/fine-pruning.js';
export type { FinePruningOptions, FinePruningResult } from './lib/fine-pruning.js';
export { checkFinePruningSettings, DEFAULT_FINE_PRUNING } from './lib/fine-pruning-settings.js';
export type { FinePruningSettings } from './lib/fine-pruning-settings.js';
export type { DetectorName, DetectorResult } from './lib/types.js';
export type { Matrix } from './lib/matrix.js';
export { topEigenvectors } from './lib/power-iteration.js';
export type { Eigen, PowerIterationOptions } from './lib/power-iteration.js';
export { runModelDetectors } from './lib/model-detectors.js';
export type { ModelDetectorsOptions, ModelDetectorsResult } from './lib/model-detectors.js';
export type { TrainingAttributionOptions } from './lib/model-detector-inputs.js';
export { toDetectJson } from './lib/report.js';
export type { DetectJson } from './lib/report.js';
