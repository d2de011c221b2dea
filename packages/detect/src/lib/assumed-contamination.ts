import { assertInput } from '@ehr-backdoor/core';
import { precisionAtFlagged, recallAtFlagged } from './detection-metrics.js';
import { topScoring } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * The defender's assumed contamination: the share of training stays a defender believes poisoned, the
 * only thing that sets how many stays a detector flags. It never comes from the true poison count (the
 * truth is used for scoring only). Valid in (0, 0.5): at 0 nothing would be flagged, and a "poison" that
 * is half the data is the majority.
 */
export const DEFAULT_ASSUMED_CONTAMINATION = 0.01;

/** The contaminations of the sensitivity curve every detector reports: 0.5, 1, 5 and 10 %. */
export const SENSITIVITY_CONTAMINATIONS = [0.005, 0.01, 0.05, 0.1] as const;

/**
 * Checks an assumed contamination; `who` names the defence or option in the message.
 * @throws InputError `E_DETECT_CONTAMINATION` outside (0, 0.5).
 */
export function assertAssumedContamination(value: number, who: string): void {
  assertInput<DetectCode>(
    typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 0.5,
    'E_DETECT_CONTAMINATION',
    () =>
      `${who}: the assumed contamination must be a share in (0, 0.5) (e.g. 0.01 for 1 % of the training stays), got ${String(value)}. ` +
      "It is the defender's guess, not the true poison rate; pass --assumed-contamination 0.01 or another value in range.",
  );
}

/** Stays flagged for an assumed contamination c of n stays: round(c · n), at least 1. */
export function budgetOf(contamination: number, n: number): number {
  return Math.min(n, Math.max(1, Math.round(contamination * n)));
}

/** Column tag of a contamination: 0.005 → `0p5pct`, 0.05 → `5pct`. */
export function contaminationTag(contamination: number): string {
  return `${String(Math.round(contamination * 1000) / 10).replace('.', 'p')}pct`;
}

/** Precision and recall when the defender removes the top round(c · n) stays, per assumed contamination c. */
export interface SensitivityPoint {
  readonly contamination: number;
  readonly flagged: number;
  readonly precision: number;
  readonly recall: number;
}

/**
 * The sensitivity curve of one detector's ranking: for each c in {@link SENSITIVITY_CONTAMINATIONS},
 * precision and recall of its round(c · n) highest-scoring stays (NaN scores last).
 */
export function sensitivityCurve(
  scores: Float64Array,
  truth: Uint8Array,
  contaminations: readonly number[] = SENSITIVITY_CONTAMINATIONS,
): SensitivityPoint[] {
  const n = scores.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const ranked = topScoring(scores, all, n);
  return contaminations.map((contamination) => {
    const flagged = ranked.slice(0, budgetOf(contamination, n));
    return {
      contamination,
      flagged: flagged.length,
      precision: precisionAtFlagged(flagged, truth).value,
      recall: recallAtFlagged(flagged, truth).value,
    };
  });
}
