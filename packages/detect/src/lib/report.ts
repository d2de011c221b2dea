import type { RunDetectorsResult } from './run-detectors.js';
import type { DetectorName } from './types.js';

/**
 * `detect.json` (formatVersion 1): the run's detection summary in plain JSON. NaN becomes null with
 * its reason, as in summary.json; per-stay scores are kept (they are what a reader re-thresholds).
 */
export interface DetectJson {
  readonly formatVersion: 1;
  readonly expectedPoisonCount: number;
  /** The defender's assumed contamination ε was set from (never the true poison rate). */
  readonly assumedContamination: number;
  readonly columns: Record<string, number | null>;
  readonly reasons: Record<string, string>;
  readonly detectors: Record<
    string,
    {
      readonly auroc: number | null;
      readonly tprAt5Fpr: number | null;
      readonly precisionAtFlagged: number | null;
      readonly recallAtFlagged: number | null;
      readonly flaggedCount: number;
      readonly seconds: number;
      readonly flagged: number[];
      readonly scores: (number | null)[];
      readonly perLabel: readonly Readonly<Record<string, number | boolean | string | null>>[];
      readonly warnings: readonly string[];
      /** Precision and recall of the top c · n stays, per assumed contamination c. */
      readonly sensitivity: readonly { contamination: number; flagged: number; precision: number | null; recall: number | null }[];
    }
  >;
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** `flaggedRows` (dataset rows), when given, replace the training positions in `flagged`. */
export function toDetectJson(result: RunDetectorsResult & { flaggedRows?: Partial<Record<DetectorName, Int32Array>> }): DetectJson {
  const detectors: DetectJson['detectors'] = {};
  for (const [name, run] of Object.entries(result.results)) {
    if (!run) continue;
    const flagged = result.flaggedRows?.[name as DetectorName] ?? run.flagged;
    detectors[name] = {
      auroc: num(run.evaluation.auroc),
      tprAt5Fpr: num(run.evaluation.tprAt5Fpr),
      precisionAtFlagged: num(run.evaluation.precisionAtFlagged),
      recallAtFlagged: num(run.evaluation.recallAtFlagged),
      flaggedCount: run.evaluation.flaggedCount,
      seconds: run.seconds,
      flagged: Array.from(flagged),
      scores: Array.from(run.scores, num),
      perLabel: run.perLabel.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === 'number' ? num(v) : v]))),
      warnings: run.warnings,
      sensitivity: (result.sensitivity?.[name as DetectorName] ?? []).map((p) => ({
        ...p,
        precision: num(p.precision),
        recall: num(p.recall),
      })),
    };
  }
  return {
    formatVersion: 1,
    expectedPoisonCount: result.expectedPoisonCount,
    assumedContamination: result.assumedContamination,
    columns: Object.fromEntries(Object.entries(result.columns).map(([k, v]) => [k, num(v)])),
    reasons: { ...result.reasons },
    detectors,
  };
}
