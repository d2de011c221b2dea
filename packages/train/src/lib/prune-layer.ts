import * as tf from '@tensorflow/tfjs-core';
import { assertInput, InputError } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { validationAuroc } from './auroc.js';
import type { TrainedModel } from './model.js';
import {
  checkedBudget,
  copyModel,
  meanAbsColumns,
  outputKernelIndex,
  validationLabels,
  type ActivationPruning,
  type ActivationPruningOptions,
} from './prune.js';
import type { TrainCode } from './error-codes.js';

/**
 * The layer fine-pruning (Liu et al. 2018) prunes in each model kind, and what cutting one of its units
 * means in weights. The paper prunes the feature maps of the last convolutional layer: a map is a channel
 * over every position, and a cut map feeds nothing downstream.
 *
 * | kind | layer unit | cut | activation ranked |
 * |---|---|---|---|
 * | mlp, tabtransformer | a penultimate unit | its output weight | mean \|a\| |
 * | tcn | a channel of the last residual block's output (its last conv layer, with the residual added) | both pooled units it feeds (last hour, mean over hours) | mean over hours and stays (ReLU: ≥ 0), the pooled mean unit's mean |
 * | lstm | a hidden unit | its output weight and its row of the recurrent kernel, so it feeds neither the logit nor any later hour | mean \|h_T\| |
 *
 * Every cut is a weight edit (rows set to zero): the checkpoint format stays, and fine-tuning holds those
 * rows at zero by masking their gradients.
 */
export interface PrunedLayer {
  /** What a unit of the layer is, for reports. */
  readonly description: string;
  /** Units of the layer. */
  readonly size: number;
  /** The penultimate units each layer unit feeds (their output weights are zeroed). */
  readonly penultimate: readonly (readonly number[])[];
  /** Whether a cut changes more than the logit's linear read-out (the LSTM's recurrence). */
  readonly recurrent: boolean;
}

/** Rows of parameter matrices set to zero, and held there in fine-tuning. */
export interface WeightCut {
  /** Index of the parameter in the model's store. */
  readonly param: number;
  readonly rows: readonly number[];
}

const RECURRENT_KERNEL = 'lstm/recurrent_kernel';

/** The layer fine-pruning prunes in `model` (table above). @throws InputError `E_PRUNE_UNSUPPORTED` */
export function prunedLayerOf(model: TrainedModel, defence = 'pruning'): PrunedLayer {
  outputKernelIndex(model, defence);
  const dim = model.network.penultimateSize;
  const config = model.config;
  if (config.kind === 'tcn') {
    const C = dim / 2;
    return {
      description: "channels of the TCN's last residual block",
      size: C,
      penultimate: Array.from({ length: C }, (_, c) => [c, C + c]),
      recurrent: false,
    };
  }
  if (config.kind === 'lstm') {
    recurrentKernelIndex(model, defence);
    return { description: 'hidden units of the LSTM', size: dim, penultimate: Array.from({ length: dim }, (_, u) => [u]), recurrent: true };
  }
  return { description: 'penultimate units', size: dim, penultimate: Array.from({ length: dim }, (_, u) => [u]), recurrent: false };
}

/**
 * Mean activation of each layer unit from the penultimate units' mean absolute activations: the unit's
 * own for singletons; for a TCN channel, its pooled mean-over-hours unit (the channel's mean over every
 * hour and stay, as the paper averages a feature map over its positions).
 */
export function layerActivation(layer: PrunedLayer, penultimateMean: Float64Array): Float64Array {
  return Float64Array.from(layer.penultimate, (units) => penultimateMean[units[units.length - 1]]);
}

/** @throws InputError `E_PRUNE_UNITS` unless `units` are distinct integers in [0, layer.size). */
export function assertLayerUnits(layer: PrunedLayer, units: readonly number[], what = 'pruned units'): void {
  const bad = units.find((u) => !Number.isInteger(u) || u < 0 || u >= layer.size);
  assertInput<TrainCode>(
    bad === undefined,
    'E_PRUNE_UNITS',
    () => `${what}: ${String(bad)} is not one of the ${layer.size} ${layer.description} (integers 0…${layer.size - 1}).`,
  );
  assertInput<TrainCode>(new Set(units).size === units.length, 'E_PRUNE_UNITS', () => `${what} name a unit twice: ${units.join(', ')}.`);
}

/** The weight rows that cut `units` of the model's pruned layer. */
export function layerCut(model: TrainedModel, units: readonly number[]): WeightCut[] {
  const layer = prunedLayerOf(model);
  assertLayerUnits(layer, units);
  const cut: WeightCut[] = [{ param: outputKernelIndex(model), rows: units.flatMap((u) => layer.penultimate[u]) }];
  if (layer.recurrent) cut.push({ param: recurrentKernelIndex(model), rows: [...units] });
  return cut;
}

/** @internal Sets the rows of `cut` to zero in place. */
export function applyCut(model: TrainedModel, cut: readonly WeightCut[]): void {
  for (const { param, rows } of cut) {
    if (rows.length === 0) continue;
    const variable = model.network.store.params[param].variable;
    const width = variable.shape.length === 2 ? variable.shape[1] : 1;
    const values = Float32Array.from(variable.dataSync() as Float32Array);
    for (const r of rows) values.fill(0, r * width, (r + 1) * width);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  }
}

/** What {@link pruneLayerByActivation} chose: {@link ActivationPruning} (its `units` the penultimate units cut) and the layer's own units. */
export interface LayerPruning extends ActivationPruning {
  readonly layer: PrunedLayer;
  /** The layer units cut, in the order they were cut (increasing mean activation). */
  readonly layerUnits: readonly number[];
  /** Mean activation of every layer unit on the validation stays. */
  readonly layerActivation: Float64Array;
}

/**
 * Fine-pruning's pruning step on the model kind's pruned layer ({@link prunedLayerOf}): cut layer units
 * in increasing order of mean activation on clean validation stays, and stop before the cut that would
 * lower validation AUROC by more than `budget`; `curve[k]` is the AUROC with the first k cut. Where the
 * logit is linear in the cut (MLP, TabTransformer, TCN) each step subtracts the unit's part from the
 * validation logits; for the LSTM, whose cut also leaves the recurrence, each step runs the network again.
 * On an MLP or TabTransformer this is `pruneByActivation` unit for unit.
 * @throws InputError as `pruneByActivation`.
 */
export function pruneLayerByActivation(model: TrainedModel, dataset: EhrDataset, options: ActivationPruningOptions): LayerPruning {
  const { budget, maxFraction } = checkedBudget(options);
  const layer = prunedLayerOf(model);
  const kernel = outputKernelIndex(model);
  const rows = options.rows;
  const labels = validationLabels(dataset, rows);
  const penultimate = model.penultimate(dataset, rows);
  const meanActivation = meanAbsColumns(penultimate.values, rows.length, penultimate.dim);
  const activation = layerActivation(layer, meanActivation);
  const order = Array.from({ length: layer.size }, (_, u) => u).sort((a, b) => activation[a] - activation[b] || a - b);
  const most = Math.min(layer.size - 1, Math.floor(maxFraction * layer.size));
  const step = layer.recurrent ? rerunStep(model, dataset, rows) : linearStep(model, dataset, rows, kernel, layer, penultimate);
  const before = validationAuroc(step.scores, labels).value;
  const curve = [before];
  const layerUnits: number[] = [];
  try {
    for (const u of order.slice(0, most)) {
      const auroc = validationAuroc(step.cut(u), labels).value;
      curve.push(auroc);
      if (!(before - auroc <= budget)) break;
      layerUnits.push(u);
    }
  } finally {
    step.dispose();
  }
  return {
    units: layerUnits.flatMap((u) => layer.penultimate[u]),
    meanActivation,
    valAurocBefore: before,
    valAurocAfter: curve[layerUnits.length],
    curve,
    penultimateSize: model.network.penultimateSize,
    layer,
    layerUnits,
    layerActivation: activation,
  };
}

interface WalkStep {
  readonly scores: ArrayLike<number>;
  /** The validation logits with `unit` cut as well as every unit before it. */
  cut(unit: number): ArrayLike<number>;
  dispose(): void;
}

function linearStep(
  model: TrainedModel,
  dataset: EhrDataset,
  rows: ArrayLike<number>,
  kernel: number,
  layer: PrunedLayer,
  { values, dim }: { values: Float32Array; dim: number },
): WalkStep {
  const weights = model.network.store.params[kernel].variable.dataSync() as Float32Array;
  const scores = Float64Array.from(model.predictLogits(dataset, rows));
  return {
    scores,
    cut(unit) {
      for (const p of layer.penultimate[unit]) for (let i = 0; i < rows.length; i++) scores[i] -= values[i * dim + p] * weights[p];
      return scores;
    },
    dispose: () => undefined,
  };
}

function rerunStep(model: TrainedModel, dataset: EhrDataset, rows: ArrayLike<number>): WalkStep {
  const work = copyModel(model);
  return {
    scores: model.predictLogits(dataset, rows),
    cut(unit) {
      applyCut(work, layerCut(work, [unit]));
      return work.predictLogits(dataset, rows);
    },
    dispose: () => work.dispose(),
  };
}

/** A copy of `model` with `units` of its pruned layer cut ({@link layerCut}); `model` is left as it is. */
export function pruneLayer(model: TrainedModel, units: readonly number[]): TrainedModel {
  const cut = layerCut(model, units);
  const copy = copyModel(model);
  applyCut(copy, cut);
  return copy;
}

function recurrentKernelIndex(model: TrainedModel, defence = 'pruning'): number {
  const index = model.network.store.params.findIndex((p) => p.name === RECURRENT_KERNEL);
  if (index < 0)
    throw new InputError<TrainCode>(
      'E_PRUNE_UNSUPPORTED',
      `${defence} prunes an LSTM's hidden units in its output and recurrent weights, but this model has no '${RECURRENT_KERNEL}'. Use an LSTM trained by @ehr-backdoor/train.`,
    );
  return index;
}
