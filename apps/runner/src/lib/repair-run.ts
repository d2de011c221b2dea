import { join } from 'node:path';
import { writeJsonAtomic } from '@ehr-backdoor/core';
import {
  checkFinePruningSettings,
  defenceEffectivenessRating,
  finePrune,
  isModelRepairName,
  type FinePruningSettings,
  type ModelRepairName,
} from '@ehr-backdoor/detect';
import { applyPoisoning } from '@ehr-backdoor/poison';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import { defenceFigures, type DefenceFigures } from './defence-figures.js';
import type { DetectOptions } from './detect-options.js';
import type { AnalysisColumns, RunContext } from './run-context.js';

/**
 * Model-repair defences of `detect` (`--detectors fine_pruning`), beside the stay-ranking detectors:
 *
 *   settings checked ─▶ [the detectors named with it] ─▶ fine-prune the run's model on its (poisoned)
 *     training split and clean validation split ─▶ evaluate before / pruned / repaired on the clean test
 *     split and its triggered copy ─▶ defence_fine_pruning_* columns, RUN/fine-pruning.json
 *
 * ASR and clean accuracy are read at each model's own operating threshold (chosen on clean validation,
 * as every reported figure) and at 0.5 (`*_at_0_5`, as the retraining defences report them).
 */
export const FINE_PRUNING_FILE = 'fine-pruning.json';

/** The model-repair names in a `--detectors` list, and the detectors left (undefined: none were named). */
export function splitModelRepairs(names: readonly string[] | undefined): { repairs: ModelRepairName[]; detectors: string[] | undefined } {
  if (!names || names.length === 0) return { repairs: [], detectors: names ? [...names] : undefined };
  return { repairs: names.filter(isModelRepairName), detectors: names.filter((n) => !isModelRepairName(n)) };
}

/**
 * Runs `detect` (the detectors, when any were named with the repairs) and then each model repair; the
 * repair's settings are checked first, so bad settings stop the command before anything is written.
 */
export async function detectAndRepair(
  run: RunContext,
  options: DetectOptions,
  repairs: readonly ModelRepairName[],
  detect: (() => Promise<AnalysisColumns>) | null,
): Promise<AnalysisColumns> {
  const settings = checkFinePruningSettings(options.detectorOptions?.fine_pruning, 'options.fine_pruning');
  const columns: AnalysisColumns[] = detect ? [await detect()] : [];
  if (repairs.includes('fine_pruning')) columns.push(await finePruneRun(run, options, settings));
  return { metrics: Object.assign({}, ...columns.map((c) => c.metrics)), warnings: columns.flatMap((c) => c.warnings) };
}

async function finePruneRun(run: RunContext, options: DetectOptions, settings: FinePruningSettings): Promise<AnalysisColumns> {
  const held = run.plan.count > 0 ? applyPoisoning(run.dataset, run.plan) : run.dataset;
  const result = await finePrune({
    model: run.model,
    dataset: held,
    trainRows: rowsOfSplit(held, 'train'),
    valRows: rowsOfSplit(held, 'val'),
    assumedContamination: options.assumedContamination ?? 0.01,
    seed: run.seed,
    ...settings,
  });
  const evaluate = (model: TrainedModel) => defenceFigures(run, model);
  let before: DefenceFigures, pruned: DefenceFigures, after: DefenceFigures;
  try {
    before = evaluate(run.model);
    pruned = evaluate(result.prunedModel);
    after = evaluate(result.model);
  } finally {
    result.prunedModel.dispose();
    result.model.dispose();
  }
  const der = defenceEffectivenessRating({ asr: before.asr, clean: before.accuracy }, { asr: after.asr, clean: after.accuracy });
  const der05 = defenceEffectivenessRating(
    { asr: before.asrAt05, clean: before.accuracyAt05 },
    { asr: after.asrAt05, clean: after.accuracyAt05 },
  );
  const poisoned = new Set(run.plan.rowIndices);
  const p = 'defence_fine_pruning';
  const metrics: Record<string, number> = {
    [`${p}_asr`]: after.asr,
    [`${p}_asr_at_0_5`]: after.asrAt05,
    [`${p}_asr_pruned`]: pruned.asr,
    [`${p}_clean_auroc`]: after.cleanAuroc,
    [`${p}_clean_auroc_cost`]: before.cleanAuroc - after.cleanAuroc,
    [`${p}_der`]: der.value,
    [`${p}_der_at_0_5`]: der05.value,
    [`${p}_units_pruned`]: result.pruning.units.length,
    [`${p}_pruned_fraction`]: result.pruning.units.length / result.pruning.penultimateSize,
  };
  const warnings: { metric: string; message: string }[] = [];
  if (der.reason) warnings.push({ metric: `${p}_der`, message: der.reason });
  if (der05.reason) warnings.push({ metric: `${p}_der_at_0_5`, message: der05.reason });
  for (const [metric, value] of Object.entries(metrics)) {
    if (!Number.isFinite(value) && !warnings.some((w) => w.metric === metric))
      warnings.push({ metric, message: `${metric} is undefined for this run (see ${FINE_PRUNING_FILE})` });
  }
  await writeJsonAtomic(join(run.runDir, FINE_PRUNING_FILE), {
    formatVersion: 1,
    settings: result.settings,
    pruning: {
      layer: result.pruning.layer.description,
      layerUnits: result.pruning.layerUnits,
      layerActivation: Array.from(result.pruning.layerActivation),
      units: result.pruning.units,
      penultimateSize: result.pruning.penultimateSize,
      valAurocBefore: result.pruning.valAurocBefore,
      valAurocAfter: result.pruning.valAurocAfter,
      curve: result.pruning.curve,
      meanActivation: Array.from(result.pruning.meanActivation),
    },
    fineTuning: {
      stays: result.tuneRows.length,
      leftOut: result.leftOutRows.length,
      // Scored against the truth only here, after the defence chose.
      truePoisonedLeftOut: Array.from(result.leftOutRows).filter((r) => poisoned.has(r)).length,
      history: result.history,
    },
    before,
    pruned,
    after,
    der: der.value,
    derAt05: der05.value,
  });
  return { metrics, warnings };
}
