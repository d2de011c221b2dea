import * as tf from '@tensorflow/tfjs-core';
import { assertInput, Random } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { AdamW } from './adamw.js';
import { validationAuroc } from './auroc.js';
import type { EpochRecord } from './checkpoint.js';
import { assertDatasetMatches, assertRows, inputShape, inputSize, normaliseRows } from './inputs.js';
import { Dropout } from './models/network.js';
import type { TrainedModel } from './model.js';
import { assertPenultimateUnits, copyModel, outputKernelIndex } from './prune.js';
import { applyCut, layerCut, type WeightCut } from './prune-layer.js';
import type { TrainCode } from './error-codes.js';
import { classWeightsOf, weightedBce } from './training/loss.js';

/**
 * Training that starts from a trained model's weights instead of seeded initial ones, for model repair
 * (fine-pruning's fine-tuning, Liu et al. 2018):
 *
 *   copy of the model (its normalisation kept, never refitted) ─▶ cut `prunedUnits` (output weights 0)
 *     ─▶ `epochs` × [shuffle ─▶ batches: forward (dropout) ─▶ weighted BCE ─▶ grads, pruned rows masked ─▶ AdamW]
 *     ─▶ the last epoch's weights
 *
 * A fresh AdamW state (a weights checkpoint keeps none) with the model's own β, ε, weight decay and
 * batch size at `learningRate`; class weights by the model's rule on the fine-tuning rows. The pruned
 * units' gradients are masked to zero, so Adam's moments for them stay zero and their weights stay
 * exactly zero (decay of 0 is 0). Deterministic for a given seed and backend; the streams
 * ('fine-tune/shuffle', 'fine-tune/dropout') are apart from training's.
 */
export interface FineTuneOptions {
  /** The starting weights; left unchanged. */
  readonly model: TrainedModel;
  readonly dataset: EhrDataset;
  /** Rows to fine-tune on, and validation rows whose AUROC each epoch records (may be empty). */
  readonly rows: { readonly train: ArrayLike<number>; readonly val: ArrayLike<number> };
  /** Epochs over the fine-tuning rows, a positive integer. */
  readonly epochs: number;
  /** AdamW step size, > 0. */
  readonly learningRate: number;
  readonly seed: number;
  /** Penultimate units held at zero (see `prunePenultimate`). */
  readonly prunedUnits?: readonly number[];
  /**
   * Units of the model's pruned layer held cut (see `pruneLayer`: a TCN's channels, an LSTM's hidden
   * units in its output and recurrent weights).
   */
  readonly prunedLayerUnits?: readonly number[];
  /** Called after each epoch with its record (losses and validation AUROC). */
  readonly onEpoch?: (record: EpochRecord) => void;
}

/** The outcome of {@link fineTuneModel}. */
export interface FineTuneResult {
  /** A new model with the last epoch's weights; the caller disposes it. */
  readonly model: TrainedModel;
  readonly history: readonly EpochRecord[];
}

/**
 * Fine-tunes a copy of a trained model (phases drawn above).
 * @throws InputError `E_FINE_TUNE` (epochs, learning rate, seed or no rows), `E_ROWS`, `E_DATASET_LAYOUT`,
 * `E_PRUNE_UNITS`, `E_PRUNE_UNSUPPORTED`.
 */
export async function fineTuneModel(options: FineTuneOptions): Promise<FineTuneResult> {
  const { trainRows, valRows, cut } = checkedInputs(options);
  const model = copyModel(options.model);
  applyCut(model, cut);
  const run = prepareRun(options, model, trainRows, cut);
  const history: EpochRecord[] = [];
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const trainLoss = trainEpoch(run);
      const record = { epoch, trainLoss, ...validation(model, options.dataset, valRows, run.config.evalBatchSize) };
      history.push(record);
      options.onEpoch?.(record);
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    run.optimizer.dispose();
    for (const mask of run.masks.values()) mask.dispose();
  }
  return { model, history };
}

/** The options checked before any tensor is made, so a bad call leaves nothing to dispose. */
function checkedInputs(options: FineTuneOptions): { trainRows: Int32Array; valRows: Int32Array; cut: WeightCut[] } {
  const { dataset, epochs, learningRate, seed } = options;
  const pruned = options.prunedUnits ?? [];
  assertInput<TrainCode>(
    Number.isInteger(epochs) && epochs > 0,
    'E_FINE_TUNE',
    () => `Fine-tuning epochs must be a positive integer; got ${String(epochs)}.`,
  );
  assertInput<TrainCode>(
    Number.isFinite(learningRate) && learningRate > 0,
    'E_FINE_TUNE',
    () => `The fine-tuning learning rate must be a positive number, e.g. 0.001; got ${String(learningRate)}.`,
  );
  assertInput<TrainCode>(Number.isInteger(seed), 'E_FINE_TUNE', () => `seed must be an integer, got ${String(seed)}.`);
  const trainRows = Int32Array.from(options.rows.train);
  const valRows = Int32Array.from(options.rows.val);
  assertInput<TrainCode>(trainRows.length > 0, 'E_FINE_TUNE', () => 'Fine-tuning was given no rows to train on.');
  assertDatasetMatches(dataset, options.model.normalisation);
  assertRows(dataset, trainRows, 'fine-tuning rows');
  assertRows(dataset, valRows, 'validation rows');
  const cut = pruned.length ? [{ param: outputKernelIndex(options.model, 'fine-tuning with pruned units'), rows: pruned }] : [];
  assertPenultimateUnits(options.model, pruned);
  if (options.prunedLayerUnits?.length) cut.push(...layerCut(options.model, options.prunedLayerUnits));
  return { trainRows, valRows, cut };
}

type FineTuneRun = ReturnType<typeof prepareRun>;

/** What every epoch shares: the optimizer, the cut rows' gradient masks, the random streams and the normalised rows. */
function prepareRun(options: FineTuneOptions, model: TrainedModel, trainRows: Int32Array, cut: readonly WeightCut[]) {
  const { dataset, seed } = options;
  const config = model.meta.trainConfig;
  const optimizer = new AdamW(model.network.store.params, { ...config, learningRate: options.learningRate });
  const norm = model.normalisation;
  return {
    model,
    dataset,
    trainRows,
    config,
    optimizer,
    masks: gradientMasks(model, cut),
    vars: model.network.store.variables,
    shuffle: Random.fromSeed(seed, 'fine-tune/shuffle'),
    dropoutRng: Random.fromSeed(seed, 'fine-tune/dropout'),
    size: inputSize(norm),
    shape: inputShape(norm),
    trainX: normaliseRows(dataset, norm, trainRows),
    classWeights: classWeightsOf(config, dataset.labels, trainRows),
  };
}

/** One pass over the shuffled rows; the mean training loss. */
function trainEpoch(run: FineTuneRun): number {
  const { trainRows, size } = run;
  const { batchSize } = run.config;
  const order = run.shuffle.shuffle(Int32Array.from({ length: trainRows.length }, (_, i) => i));
  const dropout = new Dropout(run.dropoutRng);
  const xBuffer = new Float32Array(batchSize * size);
  let lossSum = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const idx = order.subarray(start, Math.min(order.length, start + batchSize));
    const B = idx.length;
    const y = new Float32Array(B);
    const w = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      xBuffer.set(run.trainX.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
      y[i] = run.dataset.labels[trainRows[idx[i]]];
      w[i] = run.classWeights[y[i]];
    }
    lossSum += trainBatch(run, dropout, xBuffer.subarray(0, B * size), y, w) * B;
  }
  return lossSum / trainRows.length;
}

/** One AdamW step on a batch, with the pruned units' gradients masked so their weights stay 0; the batch's loss. */
function trainBatch(run: FineTuneRun, dropout: Dropout, xs: Float32Array, y: Float32Array, w: Float32Array): number {
  const { model, vars, masks } = run;
  const loss = tf.tidy(() => {
    const x = tf.tensor(xs, [y.length, ...run.shape]);
    const { value, grads } = tf.variableGrads(
      () => weightedBce(model.network.forward(x, dropout).logits, tf.tensor1d(y), tf.tensor1d(w)),
      vars,
    );
    run.optimizer.apply(vars.map((v, i) => (masks.has(i) ? tf.mul(grads[v.name], masks.get(i) as tf.Tensor) : grads[v.name])));
    return value;
  });
  const value = loss.dataSync()[0] as number;
  loss.dispose();
  return value;
}

/** Per cut parameter (by its index in the store, which is its index among `store.variables`), a 0/1 mask of its shape: 0 on the cut rows. */
function gradientMasks(model: TrainedModel, cut: readonly WeightCut[]): Map<number, tf.Tensor> {
  const masks = new Map<number, tf.Tensor>();
  for (const { param: index, rows } of cut) {
    const variable = model.network.store.params[index].variable;
    const width = variable.shape.length === 2 ? variable.shape[1] : 1;
    const values = masks.has(index)
      ? Float32Array.from(masks.get(index)?.dataSync() as Float32Array)
      : new Float32Array(variable.size).fill(1);
    for (const r of rows) values.fill(0, r * width, (r + 1) * width);
    masks.get(index)?.dispose();
    masks.set(index, tf.tensor(values, variable.shape));
  }
  return masks;
}

function validation(model: TrainedModel, dataset: EhrDataset, rows: Int32Array, batchSize: number): { valLoss: number; valAuroc: number } {
  if (rows.length === 0) return { valLoss: NaN, valAuroc: NaN };
  const logits = model.predictLogits(dataset, rows, batchSize);
  const labels = Array.from(rows, (r) => dataset.labels[r]);
  let loss = 0;
  for (let i = 0; i < rows.length; i++) {
    const z = logits[i];
    loss += Math.max(z, 0) - z * labels[i] + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return { valLoss: loss / rows.length, valAuroc: validationAuroc(logits, labels).value };
}
