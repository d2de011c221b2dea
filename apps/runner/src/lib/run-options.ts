import type { ThresholdRule } from '@ehr-backdoor/metrics';
import type { RateBasis } from '@ehr-backdoor/poison';

/**
 * The options a plan's cells share (`SweepPlan.options`), from which a cell without its own config gets one
 * (`cellConfigFromOptions`). Apart from `plan.ts` so that `cell-config.ts` does not import the plan back.
 */
export interface RunOptions {
  readonly epochs: number;
  readonly backend: string;
  readonly targetLabel: number;
  readonly mode: 'dirty-label' | 'clean-label';
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Early-stopping patience in epochs; 0 trains every epoch. Plans written before it existed: train's default. */
  readonly patience?: number;
  /** Which epoch a cell evaluates (train's `TrainConfig.selection`). Plans written before it existed: 'best'. */
  readonly selection?: 'best' | 'last';
  /** How each model's operating threshold is chosen on its validation split. Plans written before it existed: FPR 5 %. */
  readonly thresholdRule?: ThresholdRule;
  /** What the poison rate is a share of. Plans written before it existed: `eligible`. */
  readonly rateBasis?: RateBasis;
  readonly explain: boolean;
  /** With `explain`: also write each cell's attributions.arrow (raw attributions, baselines, deltas). */
  readonly saveAttributions?: boolean;
  readonly detect: boolean;
  readonly detectors?: readonly string[];
  /** The defender's assumed contamination for `detect` (default 0.01): how many stays detectors flag. */
  readonly assumedContamination?: number;
  readonly retrain: boolean;
  /**
   * Triggers of the grid: a clean (rate 0) cell also evaluates each one on its model, writing
   * `asr@{trigger}` and `confidence_shift@{trigger}`, the baselines of the ASR curves and tests.
   */
  readonly baselineTriggers?: readonly string[];
}
