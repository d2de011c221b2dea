/**
 * @ehr-backdoor/detect/names — the detector names, without the detectors (and TensorFlow.js) behind them.
 *
 * @packageDocumentation
 */
export { DETECTOR_NAMES } from './lib/types.js';
export type { DetectorName } from './lib/types.js';
export { MODEL_REPAIR_NAMES, isModelRepairName } from './lib/model-repair-names.js';
export type { ModelRepairName } from './lib/model-repair-names.js';
export { checkFinePruningSettings, DEFAULT_FINE_PRUNING } from './lib/fine-pruning-settings.js';
export type { FinePruningSettings } from './lib/fine-pruning-settings.js';
