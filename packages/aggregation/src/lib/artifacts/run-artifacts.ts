import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CollectedRun, RunCollection } from '../collect/collect-runs.js';
import { WARN, type AggregationWarning } from '../collect/warnings.js';
import { readAttributionMeans, type AttributionMeans } from './attributions.js';
import { readDetectScores, type DetectorScores } from './detect-scores.js';
import { readHistory, type EpochPoint } from './history.js';
import { readPredictions, type RunPredictions } from './predictions.js';

/**
 * What a run directory holds beyond its summary, for the plots that draw from it (curves, reliability,
 * training) and for the Parquet exports:
 *
 *   run dir ─▶ predictions.arrow (every evaluated stay) · checkpoints/…/checkpoint.json (history per epoch)
 *
 * A missing or unreadable file is a warning, never a failure: the statistics come from summaries.
 */
export interface RunArtifacts {
  readonly predictions?: RunPredictions;
  readonly history?: readonly EpochPoint[];
  /** Mean attributions of attributions.arrow (`explain --save-attributions`), when kept. */
  readonly attributions?: AttributionMeans;
  /** Per-stay detector scores with the truth (detect-scores.arrow, from `ehr-backdoor detect`). */
  readonly detectScores?: readonly DetectorScores[];
}

/** Artifacts of every collected run, keyed by run directory, and the warnings raised reading them. */
export interface ArtifactCollection {
  readonly byRun: ReadonlyMap<string, RunArtifacts>;
  readonly warnings: readonly AggregationWarning[];
}

/** Plots that draw from each file, named in the warnings when runs lack it. */
export const PREDICTION_PLOTS = ['roc_curves', 'pr_curves', 'reliability_diagrams'] as const;
export const HISTORY_PLOTS = ['training_curves'] as const;

/**
 * Reads the predictions and training history of each run (by default every collected run). Unreadable
 * files become `W_PREDICTIONS_CORRUPT` / `W_HISTORY_CORRUPT` warnings, and runs lacking a file that
 * others have one `W_ARTIFACT_MISSING` warning; nothing throws for a bad run directory.
 */
export async function readArtifacts(
  collection: RunCollection,
  runs: readonly CollectedRun[] = collection.runs,
): Promise<ArtifactCollection> {
  const byRun = new Map<string, RunArtifacts>();
  const warnings: AggregationWarning[] = [];
  const missing = { predictions: [] as string[], history: [] as string[] };
  for (const run of runs) {
    const dir = join(collection.root, run.dir);
    let predictions: RunPredictions | undefined;
    let history: readonly EpochPoint[] | undefined;
    const predictionsPath = join(dir, 'predictions.arrow');
    if (!existsSync(predictionsPath)) missing.predictions.push(run.dir);
    else {
      try {
        predictions = await readPredictions(predictionsPath);
      } catch (error) {
        warnings.push(WARN.predictionsCorrupt(run.dir, (error as { problem?: string }).problem ?? (error as Error).message));
      }
    }
    try {
      history = await readHistory(dir);
      if (!history) missing.history.push(run.dir);
    } catch (error) {
      warnings.push(WARN.historyCorrupt(run.dir, (error as Error).message));
    }
    let attributions: AttributionMeans | undefined;
    if (existsSync(join(dir, 'attributions.arrow'))) {
      try {
        attributions = await readAttributionMeans(join(dir, 'attributions.arrow'));
      } catch (error) {
        warnings.push(WARN.attributionsCorrupt(run.dir, (error as Error).message));
      }
    }
    let detectScores: DetectorScores[] | undefined;
    if (existsSync(join(dir, 'detect-scores.arrow'))) {
      try {
        detectScores = await readDetectScores(join(dir, 'detect-scores.arrow'));
      } catch (error) {
        warnings.push(WARN.detectScoresCorrupt(run.dir, (error as Error).message));
      }
    }
    byRun.set(run.dir, {
      ...(predictions ? { predictions } : {}),
      ...(history ? { history } : {}),
      ...(attributions ? { attributions } : {}),
      ...(detectScores ? { detectScores } : {}),
    });
  }
  // Only a partial absence is worth a warning; when no run has the file the plot itself says why it is not drawn.
  if (missing.predictions.length > 0 && missing.predictions.length < runs.length) {
    warnings.push(
      WARN.artifactMissing('predictions.arrow', missing.predictions.length, runs.length, PREDICTION_PLOTS, missing.predictions[0]),
    );
  }
  if (missing.history.length > 0 && missing.history.length < runs.length) {
    warnings.push(
      WARN.artifactMissing('checkpoints/ with a training history', missing.history.length, runs.length, HISTORY_PLOTS, missing.history[0]),
    );
  }
  return { byRun, warnings };
}
