import * as tf from '@tensorflow/tfjs-core';
import { assertInput, InputError } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { validationAuroc } from './auroc.js';
import { networkFromJson, TrainedModel } from './model.js';
import type { TrainCode } from './error-codes.js';

/**
 * Pruning of the penultimate layer, as fine-pruning (Liu et al. 2018) prunes the units the output reads:
 * a unit is cut by zeroing the output layer's weights from it. For the logit that is a unit whose
 * activation is always zero; the network's layout (and its checkpoint format) stays as it is.
 *
 * Every model kind ends in one dense output layer over its penultimate representation — the MLP's last
 * hidden layer, the LSTM's last hidden state, the TCN's pooled channels (last hour ‖ mean, so 2 units
 * per channel), the TabTransformer's [CLS] output — so all four are supported; a network without that
 * layer is refused with `E_PRUNE_UNSUPPORTED`.
 */
const OUTPUT_KERNEL = 'output/kernel';

/** Index of the output layer's kernel [penultimateSize, 1] in the model's parameters. @throws InputError `E_PRUNE_UNSUPPORTED` */
export function outputKernelIndex(model: TrainedModel, defence = 'pruning'): number {
  const params = model.network.store.params;
  const index = params.findIndex((p) => p.name === OUTPUT_KERNEL);
  const dim = model.network.penultimateSize;
  const shape = index >= 0 ? params[index].variable.shape : [];
  if (index < 0 || shape.length !== 2 || shape[0] !== dim || shape[1] !== 1) {
    throw new InputError<TrainCode>(
      'E_PRUNE_UNSUPPORTED',
      `${defence} needs a model whose output layer '${OUTPUT_KERNEL}' [${dim}×1] reads the penultimate units; this '${model.config.kind}' model has ` +
        `${index < 0 ? 'no such parameter' : `'${OUTPUT_KERNEL}' of shape [${shape.join('×')}]`}. Use a model trained by @ehr-backdoor/train (mlp, tabtransformer, lstm or tcn).`,
    );
  }
  return index;
}

/**
 * Checks, before any work, that `defence` can prune this model's penultimate units.
 * @throws InputError `E_PRUNE_UNSUPPORTED` naming the defence and the model kinds it supports.
 */
export function assertPrunable(model: TrainedModel, defence: string): void {
  outputKernelIndex(model, defence);
}

/** @throws InputError `E_PRUNE_UNITS` unless `units` are distinct integers in [0, penultimateSize). */
export function assertPenultimateUnits(model: TrainedModel, units: readonly number[], what = 'pruned units'): void {
  const dim = model.network.penultimateSize;
  const bad = units.find((u) => !Number.isInteger(u) || u < 0 || u >= dim);
  assertInput<TrainCode>(
    bad === undefined,
    'E_PRUNE_UNITS',
    () => `${what}: ${String(bad)} is not a penultimate unit of this model (integers 0…${dim - 1}).`,
  );
  assertInput<TrainCode>(new Set(units).size === units.length, 'E_PRUNE_UNITS', () => `${what} name a unit twice: ${units.join(', ')}.`);
}

/** An independent copy of a model (same weights, normalisation and metadata); the caller disposes it. */
export function copyModel(model: TrainedModel): TrainedModel {
  const json = model.checkpointJson();
  const network = networkFromJson(json);
  network.store.load(model.network.store.serialise(), json.network.params, 'the copied weights');
  return new TrainedModel(network, model.normalisation, { ...model.meta, history: [...model.meta.history] });
}

/** A copy of `model` with the penultimate `units` cut (their output weights zero); `model` is left as it is. */
export function prunePenultimate(model: TrainedModel, units: readonly number[]): TrainedModel {
  const index = outputKernelIndex(model);
  assertPenultimateUnits(model, units);
  const copy = copyModel(model);
  zeroUnits(copy, index, units);
  return copy;
}

/** @internal Zeroes the output weights of `units` in place. */
export function zeroUnits(model: TrainedModel, kernelIndex: number, units: readonly number[]): void {
  if (units.length === 0) return;
  const variable = model.network.store.params[kernelIndex].variable;
  const values = Float32Array.from(variable.dataSync() as Float32Array);
  for (const u of units) values[u] = 0;
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
}

/** Mean absolute activation of each penultimate unit over `rows` (for ReLU layers, the mean activation). */
export function meanPenultimateActivation(model: TrainedModel, dataset: EhrDataset, rows: ArrayLike<number>): Float64Array {
  const { values, dim } = model.penultimate(dataset, rows);
  return meanAbsColumns(values, rows.length, dim);
}

/** Options of {@link pruneByActivation}. */
export interface ActivationPruningOptions {
  /** The defender's clean validation stays: units are ranked, and the cost measured, on them. */
  readonly rows: ArrayLike<number>;
  /** Largest drop of validation AUROC allowed, in (0, 1). */
  readonly budget: number;
  /** Most units to cut, as a share of the penultimate units in (0, 1]; at least one unit is always kept. Default 1. */
  readonly maxFraction?: number;
}

/** What {@link pruneByActivation} chose, and the curve it walked. */
export interface ActivationPruning {
  /** The units cut, in the order they were cut (increasing mean activation). */
  readonly units: readonly number[];
  /** Mean absolute activation of every unit on the validation stays. */
  readonly meanActivation: Float64Array;
  readonly valAurocBefore: number;
  /** Validation AUROC with `units` cut. */
  readonly valAurocAfter: number;
  /** Validation AUROC after cutting the first k units, k = 0, 1, … up to where the walk stopped. */
  readonly curve: readonly number[];
  readonly penultimateSize: number;
}

/**
 * Fine-pruning's pruning step: cut penultimate units in increasing order of mean activation on clean
 * validation stays, and stop before the cut that would lower validation AUROC by more than `budget`
 * (the paper stops on validation accuracy). The logit is linear in the penultimate units, so each step
 * subtracts one unit's contribution from the validation logits instead of running the network again.
 * @throws InputError `E_PRUNE_BUDGET` (budget or maxFraction out of range), `E_PRUNE_ROWS` (validation
 * AUROC undefined: one class or no rows), `E_PRUNE_UNSUPPORTED`.
 */
export function pruneByActivation(model: TrainedModel, dataset: EhrDataset, options: ActivationPruningOptions): ActivationPruning {
  const { budget, maxFraction } = checkedBudget(options);
  const kernel = outputKernelIndex(model);
  const rows = options.rows;
  const labels = validationLabels(dataset, rows);
  const { values, dim } = model.penultimate(dataset, rows);
  const weights = model.network.store.params[kernel].variable.dataSync() as Float32Array;
  const logits = model.predictLogits(dataset, rows);
  const scores = Float64Array.from(logits);
  const meanActivation = meanAbsColumns(values, rows.length, dim);
  const order = Array.from({ length: dim }, (_, u) => u).sort((a, b) => meanActivation[a] - meanActivation[b] || a - b);
  const before = validationAuroc(scores, labels).value;
  const most = Math.min(dim - 1, Math.floor(maxFraction * dim));
  const curve = [before];
  const units: number[] = [];
  for (const u of order.slice(0, most)) {
    for (let i = 0; i < rows.length; i++) scores[i] -= values[i * dim + u] * weights[u];
    const auroc = validationAuroc(scores, labels).value;
    curve.push(auroc);
    if (!(before - auroc <= budget)) break;
    units.push(u);
  }
  return { units, meanActivation, valAurocBefore: before, valAurocAfter: curve[units.length], curve, penultimateSize: dim };
}

/** @internal Mean |x| of each column of a row-major [n, dim] matrix. */
export function meanAbsColumns(values: Float32Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let u = 0; u < dim; u++) mean[u] += Math.abs(values[i * dim + u]);
  for (let u = 0; u < dim; u++) mean[u] /= Math.max(n, 1);
  return mean;
}

/**
 * How much of each row's logit the `units` carry: Σ_u |a_u · w_u| over the units, with w the output
 * weights. A stay that leans on units the clean stays leave dormant is what fine-pruning suspects.
 */
export function unitContribution(
  model: TrainedModel,
  dataset: EhrDataset,
  rows: ArrayLike<number>,
  units: readonly number[],
): Float64Array {
  const kernel = outputKernelIndex(model);
  assertPenultimateUnits(model, units);
  const out = new Float64Array(rows.length);
  if (units.length === 0) return out;
  const weights = model.network.store.params[kernel].variable.dataSync() as Float32Array;
  const { values, dim } = model.penultimate(dataset, rows);
  for (let i = 0; i < rows.length; i++) for (const u of units) out[i] += Math.abs(values[i * dim + u] * weights[u]);
  return out;
}

/** The pruning budget and largest pruned fraction, checked. @throws InputError `E_PRUNE_BUDGET`. */
export function checkedBudget(options: ActivationPruningOptions): { budget: number; maxFraction: number } {
  const { budget } = options;
  const maxFraction = options.maxFraction ?? 1;
  assertInput<TrainCode>(
    Number.isFinite(budget) && budget > 0 && budget < 1,
    'E_PRUNE_BUDGET',
    () => `The pruning budget (largest validation-AUROC drop) must be in (0, 1), e.g. 0.04; got ${String(budget)}.`,
  );
  assertInput<TrainCode>(
    Number.isFinite(maxFraction) && maxFraction > 0 && maxFraction <= 1,
    'E_PRUNE_BUDGET',
    () => `The largest pruned fraction must be in (0, 1]; got ${String(maxFraction)}.`,
  );
  return { budget, maxFraction };
}

/** The validation stays' labels; validation AUROC needs both. @throws InputError `E_PRUNE_ROWS`. */
export function validationLabels(dataset: EhrDataset, rows: ArrayLike<number>): number[] {
  const labels = Array.from(rows, (r) => dataset.labels[r]);
  const positives = labels.reduce((a, b) => a + b, 0);
  assertInput<TrainCode>(
    rows.length > 0 && positives > 0 && positives < rows.length,
    'E_PRUNE_ROWS',
    () =>
      `Pruning measures validation AUROC, which needs both labels among the validation stays; got ${rows.length} stays, ${positives} positive.`,
  );
  return labels;
}
