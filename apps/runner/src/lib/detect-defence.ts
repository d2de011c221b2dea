import type { EhrDataset } from '@ehr-backdoor/data';
import { defenceEffectivenessRating, type DetectorName } from '@ehr-backdoor/detect';
import { rowsOfSplit, trainModel } from '@ehr-backdoor/train';
import { defenceFigures } from './defence-figures.js';
import type { AnalysisColumns, RunContext } from './run-context.js';

/**
 * Removal and retraining, per detector: its flagged stays dropped from the training split, the model
 * retrained with the run's configuration and seed, and measured as the run was. ASR, clean accuracy and
 * DER are read at the retrained model's own operating threshold (chosen on its clean validation split by
 * the run's rule, `validationThreshold`), and again at 0.5 as `*_at_0_5`.
 */
export async function defenceByRemoval(
  run: RunContext,
  poisoned: EhrDataset,
  trainRows: Int32Array,
  detectors: readonly DetectorName[],
  flaggedRows: Partial<Record<DetectorName, Int32Array>>,
): Promise<AnalysisColumns & { json: Record<string, unknown> }> {
  const metrics: Record<string, number> = {};
  const warnings: AnalysisColumns['warnings'] = [];
  const json: Record<string, unknown> = {};
  const before = defenceFigures(run, run.model);
  const valRows = rowsOfSplit(poisoned, 'val');
  for (const detector of detectors) {
    const flagged = new Set(flaggedRows[detector] ?? []);
    const kept = Int32Array.from([...trainRows].filter((r) => !flagged.has(r)));
    const retrained = await trainModel({
      dataset: poisoned,
      model: run.modelConfig,
      train: run.trainConfig,
      seed: run.seed,
      rows: { train: kept, val: valRows },
    });
    const after = defenceFigures(run, retrained.model);
    retrained.model.dispose();
    // BackdoorBench's DER uses the clean accuracy (C-Acc); the clean AUROC after removal is its own column.
    const der = defenceEffectivenessRating({ asr: before.asr, clean: before.accuracy }, { asr: after.asr, clean: after.accuracy });
    const derAt05 = defenceEffectivenessRating(
      { asr: before.asrAt05, clean: before.accuracyAt05 },
      { asr: after.asrAt05, clean: after.accuracyAt05 },
    );
    const column = (name: string) => `defence_${detector}_${name}`;
    Object.assign(metrics, {
      [column('asr')]: after.asr,
      [column('asr_at_0_5')]: after.asrAt05,
      [column('accuracy')]: after.accuracy,
      [column('accuracy_at_0_5')]: after.accuracyAt05,
      [column('clean_auroc')]: after.cleanAuroc,
      [column('der')]: der.value,
      [column('der_at_0_5')]: derAt05.value,
    });
    if (der.reason) warnings.push({ metric: column('der'), message: der.reason });
    if (derAt05.reason) warnings.push({ metric: column('der_at_0_5'), message: derAt05.reason });
    for (const name of ['asr', 'accuracy'])
      if (!Number.isFinite(metrics[column(name)]))
        warnings.push({ metric: column(name), message: 'the retrained model has no operating threshold on its validation split' });
    json[detector] = {
      removed: flagged.size,
      kept: kept.length,
      truePoisonedRemoved: run.plan.rowIndices.filter((r) => flagged.has(r)).length,
      thresholdBefore: before.threshold,
      thresholdAfter: after.threshold,
      asrBefore: before.asr,
      asrAfter: after.asr,
      asrBeforeAt05: before.asrAt05,
      asrAfterAt05: after.asrAt05,
      cleanAccuracyBefore: before.accuracy,
      cleanAccuracyAfter: after.accuracy,
      cleanAccuracyBeforeAt05: before.accuracyAt05,
      cleanAccuracyAfterAt05: after.accuracyAt05,
      cleanAurocAfter: after.cleanAuroc,
      der: der.value,
      derAt05: derAt05.value,
    };
  }
  return { metrics, warnings, json };
}
