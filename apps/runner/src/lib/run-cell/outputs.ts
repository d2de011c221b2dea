import { join } from 'node:path';
import { writeJsonAtomic } from '@ehr-backdoor/core';
import { describeThresholdRule } from '@ehr-backdoor/metrics';
import type { BackendInfo } from '@ehr-backdoor/train';
import { writePredictions } from '../predictions.js';
import type { Summary } from '../summary.js';
import { cleanReferenceOf } from './clean-reference.js';
import type { EvaluatedCell } from './evaluate-cell.js';
import { finishCell, writeAwaiting, type FinishedCell } from './finish-cell.js';
import type { CellMetadata } from './metadata.js';
import type { CellRequest } from './request.js';
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
 * predictions.arrow, calibration.json, then the summary (finish-cell.ts). A poisoned cell reads its clean
 * baseline here; with `deferBaseline`, one that has not finished yet leaves the summary's inputs in
 * awaiting-baseline.json and returns null, and the sweep finishes the cell once the baseline is there.
 */
export async function writeCellOutputs(
  dir: string,
  request: CellRequest,
  setup: CellSetup,
  { backend, metadata, trained: { trained, seconds: trainS }, evaluated, started }: CellResults,
): Promise<Summary | null> {
  const { cell, dataset, plan, train, trainConfig, modelConfig, trigger, targetLabel, mode, rateBasis, thresholdRule } = setup;
  const { evaluation } = evaluated;
  await writePredictions(join(dir, 'predictions.arrow'), evaluation.predictions);
  await writeJsonAtomic(join(dir, CALIBRATION_FILE), evaluation.calibration);

  const wallTimeS = (Date.now() - started) / 1000;
  const inputs = {
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
  };
  const finishedMetadata = {
    ...metadata,
    status: 'done',
    timings: {
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date().toISOString(),
      wallTimeS,
      trainS,
      evalS: evaluated.seconds,
    },
  };
  return settleCell(dir, request, { inputs, own: evaluated.own, metadata: finishedMetadata });
}

/** Writes the cell's summary now if it can (see writeCellOutputs), or keeps its inputs until it can. */
export async function settleCell(dir: string, request: CellRequest, finished: FinishedCell): Promise<Summary | null> {
  if (finished.inputs.cell.rate === 0) return finishCell(dir, finished, null);
  const reference = await cleanReferenceOf(request.runsRoot, finished.inputs.cell);
  if (reference === null && request.deferBaseline) {
    await writeAwaiting(dir, finished);
    return null;
  }
  return finishCell(dir, finished, reference);
}
