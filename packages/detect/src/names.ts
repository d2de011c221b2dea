/**
 * @ehr-backdoor/detect/names — the detector names, without the detectors (and TensorFlow.js) behind them.
 *
 * @packageDocumentation
 */
export { DETECTOR_NAMES } from './lib/types.js';
export type { DetectorName } from './lib/types.js';
