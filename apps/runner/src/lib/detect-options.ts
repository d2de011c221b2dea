import type { DetectorName, ModelRepairName } from '@ehr-backdoor/detect';
import type { DefenceSettings } from './cell-config.js';

/** What `ehr-backdoor detect` (and a study's `analyses.detect`) asks of a finished run: the detectors and repairs, their options and the defender's settings. */
export interface DetectOptions extends DefenceSettings {
  readonly detectors?: readonly string[];
  /** Options of each detector, handed to it as they are (e.g. `{ spectral: { removalFactor: 3 } }`). */
  readonly detectorOptions?: Readonly<Partial<Record<DetectorName | ModelRepairName, Readonly<Record<string, unknown>>>>>;
  /** Remove each detector's flagged stays, retrain and measure the defence. */
  readonly retrain?: boolean;
}
