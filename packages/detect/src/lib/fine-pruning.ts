import type { EhrDataset } from '@ehr-backdoor/data';
import {
  fineTuneModel,
  pruneLayer,
  pruneLayerByActivation,
  prunedLayerOf,
  unitContribution,
  type LayerPruning,
  type EpochRecord,
  type TrainedModel,
} from '@ehr-backdoor/train';
import { assertAssumedContamination } from './assumed-contamination.js';
import { checkFinePruningSettings, DEFAULT_FINE_PRUNING, type FinePruningSettings } from './fine-pruning-settings.js';
import { topScoring } from './types.js';

/**
 * Fine-pruning (Liu et al. 2018, "Fine-Pruning: Defending Against Backdooring Attacks on Deep Neural
 * Networks"), a model repair:
 *
 *   clean validation stays ─▶ mean activation of each unit of the pruned layer (the paper's last conv
 *     layer: penultimate units of an MLP or TabTransformer, channels of a TCN's last block, hidden units
 *     of an LSTM) ─▶ cut units, least active first, while validation AUROC stays within `budget`
 *   training stays ─▶ leave out the assumed-contamination share whose logit the cut units carried most
 *     ─▶ fine-tune the pruned model on the rest (cut units held at zero) ─▶ repaired model
 *
 * The defender sees its model, its training stays (maybe poisoned, not which), its clean validation
 * split and its assumed contamination; never the poison plan. Departures from the paper are in
 * docs/explain-detect.md. These are the options of {@link finePrune}.
 */
export interface FinePruningOptions extends FinePruningSettings {
  /** The model to repair; left unchanged. */
  readonly model: TrainedModel;
  /** The training data as the defender holds it (poisoned or not; it does not know). */
  readonly dataset: EhrDataset;
  readonly trainRows: ArrayLike<number>;
  /** The defender's clean validation stays: units are ranked and the pruning's cost measured on them. */
  readonly valRows: ArrayLike<number>;
  /** Share of the training stays left out of fine-tuning, in (0, 0.5). */
  readonly assumedContamination: number;
  readonly seed: number;
}

/** What {@link finePrune} did; the caller disposes both models. */
export interface FinePruningResult {
  /** Pruned and fine-tuned. */
  readonly model: TrainedModel;
  /** Pruned only (the paper's pruning defence alone). */
  readonly prunedModel: TrainedModel;
  /** The cut: layer units (`layerUnits`: a TCN's channels, an LSTM's hidden units) and the penultimate units they feed (`units`). */
  readonly pruning: LayerPruning;
  /** Training stays fine-tuned on, and those left out (the cut units carried most of their logit). */
  readonly tuneRows: Int32Array;
  readonly leftOutRows: Int32Array;
  readonly history: readonly EpochRecord[];
  readonly settings: Required<FinePruningSettings>;
}

/**
 * Repairs a model by fine-pruning (phases drawn above).
 * @throws InputError `E_FINE_PRUNING`, `E_DETECT_CONTAMINATION`; train's `E_PRUNE_UNSUPPORTED`,
 * `E_PRUNE_ROWS`, `E_FINE_TUNE`, `E_ROWS` — all before any fine-tuning.
 */
export async function finePrune(options: FinePruningOptions): Promise<FinePruningResult> {
  const { model, dataset, seed } = options;
  checkFinePruningSettings({
    budget: options.budget,
    maxFraction: options.maxFraction,
    epochs: options.epochs,
    learningRate: options.learningRate,
  });
  assertAssumedContamination(options.assumedContamination, 'fine_pruning');
  prunedLayerOf(model, 'fine_pruning');
  const settings: Required<FinePruningSettings> = {
    budget: options.budget ?? DEFAULT_FINE_PRUNING.budget,
    maxFraction: options.maxFraction ?? DEFAULT_FINE_PRUNING.maxFraction,
    epochs: options.epochs ?? DEFAULT_FINE_PRUNING.epochs,
    learningRate: options.learningRate ?? model.meta.trainConfig.learningRate,
  };
  const trainRows = Int32Array.from(options.trainRows);
  const pruning = pruneLayerByActivation(model, dataset, {
    rows: options.valRows,
    budget: settings.budget,
    maxFraction: settings.maxFraction,
  });
  const contribution = unitContribution(model, dataset, trainRows, pruning.units);
  // Nothing cut, nothing to suspect: every training stay is fine-tuned on.
  const leaveOut = pruning.units.length === 0 ? 0 : Math.round(options.assumedContamination * trainRows.length);
  const suspects = topScoring(contribution, Array.from(trainRows.keys()), leaveOut);
  const left = new Set(suspects);
  const tuneRows = trainRows.filter((_, i) => !left.has(i));
  const leftOutRows = Int32Array.from(suspects, (i) => trainRows[i]);
  const prunedModel = pruneLayer(model, pruning.layerUnits);
  try {
    const tuned = await fineTuneModel({
      model,
      dataset,
      rows: { train: tuneRows, val: options.valRows },
      epochs: settings.epochs,
      learningRate: settings.learningRate,
      seed,
      prunedLayerUnits: pruning.layerUnits,
    });
    return { model: tuned.model, prunedModel, pruning, tuneRows, leftOutRows, history: tuned.history, settings };
  } catch (error) {
    prunedModel.dispose();
    throw error;
  }
}
