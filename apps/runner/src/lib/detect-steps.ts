import type { EhrDataset } from '@ehr-backdoor/data';
import { namesTriggerVariables, runModelStripTestTime, runModelTriggerReconstruction } from '@ehr-backdoor/detect';
import { buildTriggeredTestSet, triggeredTestDataset } from '@ehr-backdoor/poison';
import { rowsOfSplit, trainModel, type TrainConfig, type TrainedModel } from '@ehr-backdoor/train';
import type { AnalysisColumns, RunContext } from './run-context.js';

/** A step's summary columns and what it adds to detect.json. */
export type StepResult = AnalysisColumns & { readonly json: unknown };

/** ABL's isolation phase: a fresh model on the same rows and seed, stopped after the first `epochs`. */
export async function trainEarlyModel(run: RunContext, poisoned: EhrDataset, trainRows: Int32Array, epochs: number): Promise<TrainedModel> {
  const trainConfig: TrainConfig = { ...run.trainConfig, epochs, patience: 0, selection: 'last' };
  return (
    await trainModel({
      dataset: poisoned,
      model: run.modelConfig,
      train: trainConfig,
      seed: run.seed,
      rows: { train: trainRows, val: rowsOfSplit(poisoned, 'val') },
    })
  ).model;
}

/** Activation clustering's exclusionary reclassification: retrain without the excluded rows, predict their labels. */
export function reclassifyWithout(
  run: RunContext,
  poisoned: EhrDataset,
  trainRows: Int32Array,
): (excludedRows: Int32Array) => Promise<Uint8Array> {
  return async (excludedRows) => {
    const excluded = new Set(excludedRows);
    const kept = Int32Array.from([...trainRows].filter((r) => !excluded.has(r)));
    const retrained = await trainModel({
      dataset: poisoned,
      model: run.modelConfig,
      train: run.trainConfig,
      seed: run.seed,
      rows: { train: kept, val: rowsOfSplit(poisoned, 'val') },
    });
    const p = retrained.model.predictProba(poisoned, excludedRows);
    retrained.model.dispose();
    return Uint8Array.from(p, (q) => (q >= 0.5 ? 1 : 0));
  };
}

/** STRIP as its paper uses it: screen test stays, clean and triggered, blending with the (clean) validation split. */
export async function stripTestTimeStep(run: RunContext, blends: number | undefined): Promise<StepResult> {
  const metrics: Record<string, number> = {};
  const warnings: AnalysisColumns['warnings'] = [];
  const triggered = buildTriggeredTestSet(run.dataset, run.trigger, run.targetLabel);
  if (triggered.rowIndices.length < 2) {
    for (const metric of ['detect_strip_test_far_at_1frr', 'detect_strip_test_frr', 'detect_strip_test_auroc']) {
      metrics[metric] = NaN;
      warnings.push({ metric, message: 'fewer than 2 test stays with y ≠ target to screen' });
    }
    return { metrics, warnings, json: undefined };
  }
  const screen = await runModelStripTestTime({
    model: run.model,
    cleanDataset: run.dataset,
    cleanRows: triggered.rowIndices,
    triggeredDataset: triggeredTestDataset(run.dataset, triggered),
    triggeredRows: Array.from(triggered.rowIndices, (_, k) => k),
    poolRows: rowsOfSplit(run.dataset, 'val'),
    ...(blends !== undefined ? { blends } : {}),
    seed: run.seed,
  });
  metrics.detect_strip_test_far_at_1frr = screen.far;
  metrics.detect_strip_test_frr = screen.frr;
  metrics.detect_strip_test_auroc = screen.auroc;
  return {
    metrics,
    warnings,
    json: {
      far: screen.far,
      frr: screen.frr,
      auroc: screen.auroc,
      threshold: screen.threshold,
      blends: screen.blends,
      testStays: triggered.rowIndices.length,
    },
  };
}

/** Neural-Cleanse-style reconstruction on the validation stays; the run's trigger and target only score it. */
export async function reconstructRunTrigger(run: RunContext): Promise<StepResult> {
  const metrics: Record<string, number> = {};
  const warnings: AnalysisColumns['warnings'] = [];
  const nc = await runModelTriggerReconstruction({ model: run.model, dataset: run.dataset, rows: rowsOfSplit(run.dataset, 'val') });
  const params = (run.trigger as { params?: { variable?: string; variables?: readonly string[] } }).params ?? {};
  const trueVariables = params.variables ? [...params.variables] : params.variable ? [params.variable] : [];
  const ranking = nc.variables.find((v) => v.target === run.targetLabel)?.ranking ?? [];
  metrics.detect_nc_suspected_target = nc.suspectedTarget;
  metrics.detect_nc_l1_ratio = nc.l1Ratio;
  metrics.detect_nc_target_mask_l1 = nc.triggers[run.targetLabel].maskL1;
  metrics.detect_nc_target_success = nc.triggers[run.targetLabel].successRate;
  metrics.detect_nc_names_trigger = namesTriggerVariables(ranking, trueVariables);
  const ranks = trueVariables.map((v) => ranking.findIndex((r) => r.variable === v) + 1).filter((r) => r > 0);
  metrics.detect_nc_trigger_rank = ranks.length ? Math.min(...ranks) : NaN;
  if (!trueVariables.length)
    for (const metric of ['detect_nc_names_trigger', 'detect_nc_trigger_rank'])
      warnings.push({ metric, message: 'the trigger names no variables to compare with' });
  const json = {
    suspectedTarget: nc.suspectedTarget,
    l1Ratio: nc.l1Ratio,
    anomalyIndex: nc.anomalyIndex,
    triggers: nc.triggers.map((t) => ({
      target: t.target,
      maskL1: t.maskL1,
      successRate: t.successRate,
      stays: t.stays,
      topVariables: nc.variables.find((v) => v.target === t.target)?.ranking.slice(0, 5),
    })),
    trueVariables,
  };
  return { metrics, warnings, json };
}
