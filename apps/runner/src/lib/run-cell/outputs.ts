import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { describeThresholdRule } from '@ehr-backdoor/metrics';
import type { BackendInfo } from '@ehr-backdoor/train';
import { ERROR_FILE, SUMMARY_FILE } from '../cell-state.js';
import { writePredictions } from '../predictions.js';
import { assembleSummary, summaryToCsv, type Summary } from '../summary.js';
import type { EvaluatedCell } from './evaluate-cell.js';
import type { CellMetadata } from './metadata.js';
import type { CellSetup } from './setup.js';
import type { TrainedCell } from './train-cell.js';

/** Reliability-diagram data of the clean test set (top-label and p(target)). */
export const CALIBRATION_FILE = 'calibration.json';

export interface CellResults {
  readonly backend: BackendInfo;
  readonly metadata: CellMetadata;
  readonly trained: TrainedCell;
  readonly evaluated: EvaluatedCell;
  /** When the cell started (Date.now()). */
  readonly started: number;
}

/**
 * predictions.arrow, calibration.json, run_metadata.json (status "done"), summary.csv, then summary.json:
 * written last, it marks the cell done, so a cell stopped anywhere before it is resumed, never half-counted.
 */
export async function writeCellOutputs(
  dir: string,
  setup: CellSetup,
  { backend, metadata, trained: { trained, seconds: trainS }, evaluated, started }: CellResults,
): Promise<Summary> {
  const { cell, dataset, plan, train, trainConfig, modelConfig, trigger, targetLabel, mode, rateBasis, thresholdRule } = setup;
  const { evaluation } = evaluated;
  await writePredictions(join(dir, 'predictions.arrow'), evaluation.predictions);
  await writeJsonAtomic(join(dir, CALIBRATION_FILE), evaluation.calibration);

  const wallTimeS = (Date.now() - started) / 1000;
  const summary: Summary = assembleSummary({
    cell,
    options: { targetLabel, mode, selection: trainConfig.selection },
    kinds: { model: modelConfig.kind, trigger: trigger.name },
    datasetHash: dataset.manifest.contentHash,
    backend: backend.name,
    nTrain: train.rowsOfSplit(dataset, 'train').length,
    nPoisoned: plan.count,
    nEligible: plan.eligible,
    rateBasis,
    thresholdRule: describeThresholdRule(thresholdRule),
    labelDefinition: dataset.manifest.labelDefinition ?? 'hospital_mortality',
    nTest: evaluation.nTest,
    nTriggered: evaluation.triggered.rowIndices.length,
    epochsRun: trained.epochsRun,
    bestEpoch: trained.bestEpoch,
    evaluatedEpoch: trained.selectedEpoch,
    wallTimeS,
    rows: [...evaluation.summaryRows, ...evaluated.rows],
  });
  await writeJsonAtomic(join(dir, 'run_metadata.json'), {
    ...metadata,
    status: 'done',
    timings: {
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      wallTimeS,
      trainS,
      evalS: evaluated.seconds,
    },
  });
  await writeFileAtomic(join(dir, 'summary.csv'), summaryToCsv(summary));
  await rm(join(dir, ERROR_FILE), { force: true });
  await writeJsonAtomic(join(dir, SUMMARY_FILE), summary);
  return summary;
}
