import { join } from 'node:path';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { assertInput, BugError, CompatibilityError, InputError, Random } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { AdamW } from './adamw.js';
import { validationAuroc } from './auroc.js';
import { activeBackend, describeBackend, selectBackend, type BackendChoice, type BackendInfo } from './backend.js';
import {
  assertCompatible,
  epochDirName,
  listEpochCheckpoints,
  pruneCheckpoints,
  readCheckpoint,
  writeCheckpoint,
  type EpochRecord,
  type FullCheckpointJson,
} from './checkpoint.js';
import { configHash, resolveModelConfig, resolveTrainConfig, viewOf, type ModelConfigInput, type TrainConfig } from './config.js';
import { assertRows, datasetHash, fitNormalisation, inputShape, inputSize, normaliseRows, rowsOfSplit, type InputNormalisation } from './inputs.js';
import { networkFromJson, networkJson, TrainedModel } from './model.js';
import { buildNetwork } from './models/build.js';
import { Dropout, type Network } from './models/network.js';
import { tokenLayoutOf } from './models/tabtransformer.js';
import type { TrainCode } from './error-codes.js';

/**
 * Training, one epoch at a time, with a full checkpoint after each:
 *
 *   check inputs ─▶ backend ─▶ resume? (verify hashes, restore weights, Adam state, PRNGs, history)
 *     │                         else: fit normalisation on the training rows, seeded initial weights
 *     ▼
 *   epoch: shuffle (PRNG) ─▶ batches: forward (seeded dropout) ─▶ weighted BCE ─▶ grads ─▶ AdamW
 *     ─▶ validation AUROC ─▶ best? ─▶ checkpoint epoch-NNNN (atomic), prune ─▶ early stop?
 *     ▼
 *   selected epoch's weights (best or last) ─▶ final/ (weights only) ─▶ TrainedModel
 *
 * Everything random comes from three named streams of the seed ('init', 'shuffle', 'dropout'), and
 * the two that advance during training are saved with each epoch, so a run stopped after any epoch —
 * or killed mid-epoch, which loses only that epoch's unsaved work — resumes to bit-identical weights.
 */
export interface TrainOptions {
  readonly dataset: EhrDataset;
  readonly model: ModelConfigInput;
  readonly train?: Partial<TrainConfig>;
  readonly seed: number;
  /** Backend to select first; default: the one already selected with `selectBackend`, else 'auto'. */
  readonly backend?: BackendChoice;
  /** Directory for epoch checkpoints; none are written without it. */
  readonly checkpointDir?: string;
  /** Continue from the last checkpoint in `checkpointDir` (starts afresh if there is none). */
  readonly resume?: boolean;
  /** Rows to train and validate on; default the dataset's 'train' and 'val' splits. */
  readonly rows?: { readonly train: ArrayLike<number>; readonly val: ArrayLike<number> };
  /**
   * Pause after this many epochs of this call (the run continues later with `resume`). Not part of
   * the configuration: a paused and resumed run equals an uninterrupted one.
   */
  readonly stopAfterEpochs?: number;
  /** Called once per epoch with its record and {@link EpochInfo}. */
  readonly onEpoch?: (record: EpochRecord, info: EpochInfo) => void;
  /** Called after each training batch, e.g. for a progress bar. */
  readonly onBatch?: (progress: { epoch: number; batch: number; batches: number }) => void;
  /** Receives readable progress notes (the backend chosen, where a resume starts). */
  readonly log?: (message: string) => void;
}

/**
 * What `onEpoch` learns besides the epoch's record: whether validation AUROC improved, the best epoch so far, speed, and why training stops (null while it goes on).
 */
export interface EpochInfo {
  readonly improved: boolean;
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly stopped: FullCheckpointJson['stopped'];
}

/**
 * The outcome of {@link trainModel}: the model with the selected epoch's weights, the history and how training ended.
 */
export interface TrainResult {
  /** The network with the selected epoch's weights (see `TrainConfig.selection`). */
  readonly model: TrainedModel;
  readonly history: readonly EpochRecord[];
  /** The epoch with the highest validation AUROC (the last epoch when validation AUROC is undefined). */
  readonly bestEpoch: number;
  /** The epoch whose weights `model` holds: `bestEpoch` or, with selection 'last', the final epoch. */
  readonly selectedEpoch: number;
  /** Epochs run in total (including those before a resume). */
  readonly epochsRun: number;
  /** Epochs run by this call. */
  readonly epochsThisCall: number;
  readonly resumedFromEpoch: number | null;
  /** Why training ended; 'paused' when `stopAfterEpochs` ended this call first. */
  readonly stopped: NonNullable<FullCheckpointJson['stopped']> | 'paused';
  readonly backend: BackendInfo;
  readonly configHash: string;
  readonly datasetHash: string;
  readonly warnings: readonly string[];
}

interface RunState {
  network: Network;
  optimizer: AdamW;
  normalisation: InputNormalisation;
  classWeights: [number, number];
  shuffle: Random;
  dropout: Random;
  history: EpochRecord[];
  epoch: number;
  bestEpoch: number;
  bestScore: number;
  bestWeights: Uint8Array | null;
  stopped: FullCheckpointJson['stopped'];
  /** False when the validation split has one class only: AUROC is undefined, so early stopping is off. */
  validationDefined: boolean;
  warnings: string[];
}

/**
 * Trains one model on a dataset, deterministically for a given seed and backend, with a full checkpoint after
 * every epoch when `checkpointDir` is given (phases drawn above); `resume` continues bit-identically.
 * @throws InputError `E_SEED`, `E_RESUME`, `E_TRAIN_CONFIG`, `E_MODEL_KIND`/`E_MODEL_CONFIG`, `E_BACKEND`,
 * `E_NO_TRAINING_ROWS`, `E_DATASET_VIEW` (the model's view is empty), or `E_CHECKPOINT_EXISTS` (a fresh run into a directory that holds checkpoints).
 * @throws CompatibilityError `E_CHECKPOINT_KIND`, `E_CHECKPOINT_DATASET`, `E_CHECKPOINT_CONFIG`, `E_CHECKPOINT_FORMAT`,
 * `E_CHECKPOINT_BACKEND` or `E_CHECKPOINT_MISSING_BEST` when the checkpoint to resume from belongs to another
 * run, dataset, configuration or backend; DataError `E_CHECKPOINT_CORRUPT` for a damaged one.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { dataset, seed } = options;
  const modelConfig = resolveModelConfig(options.model);
  const trainConfig = resolveTrainConfig(options.train);
  assertInput<TrainCode>(Number.isInteger(seed), 'E_SEED', () => `seed must be an integer, got ${String(seed)}.`);
  assertInput<TrainCode>(!options.resume || options.checkpointDir, 'E_RESUME', () => 'resume needs a checkpointDir to resume from.');
  assertInput<TrainCode>(
    options.stopAfterEpochs === undefined || (Number.isInteger(options.stopAfterEpochs) && options.stopAfterEpochs > 0),
    'E_TRAIN_CONFIG',
    () => `stopAfterEpochs must be a positive integer, got ${String(options.stopAfterEpochs)}.`,
  );
  const view = viewOf(modelConfig.kind);
  const trainRows = Int32Array.from(options.rows?.train ?? rowsOfSplit(dataset, 'train'));
  const valRows = Int32Array.from(options.rows?.val ?? rowsOfSplit(dataset, 'val'));
  assertRows(dataset, trainRows, 'training rows');
  assertRows(dataset, valRows, 'validation rows');
  assertInput<TrainCode>(trainRows.length > 0, 'E_NO_TRAINING_ROWS', () => 'The dataset has no training rows (split = train); nothing to train on.');
  if (view === 'tabular') {
    assertInput<TrainCode>(dataset.tabular.features.length > 0, 'E_DATASET_VIEW', () => `Model '${modelConfig.kind}' reads the tabular view, which has no features.`);
  } else {
    assertInput<TrainCode>(dataset.timeSeries.channels.length > 0, 'E_DATASET_VIEW', () => `Model '${modelConfig.kind}' reads the time-series view, which has no channels.`);
  }

  const backend = options.backend ? await selectBackend(options.backend) : (activeBackend() ?? (await selectBackend('auto')));
  options.log?.(`train: ${modelConfig.kind} on ${describeBackend(backend)}`);
  const hashes = { configHash: configHash(modelConfig, trainConfig, seed), datasetHash: datasetHash(dataset, view) };
  const labels = dataset.labels;

  // ── start or resume ──
  let state: RunState | null = null;
  let resumedFromEpoch: number | null = null;
  if (options.checkpointDir) {
    const existing = await listEpochCheckpoints(options.checkpointDir);
    if (existing.length > 0 && !options.resume) {
      throw new InputError<TrainCode>(
        'E_CHECKPOINT_EXISTS',
        `${options.checkpointDir} already holds checkpoints (last: epoch ${existing[existing.length - 1].epoch}). Pass resume to continue that run, or choose an empty directory.`,
      );
    }
    if (existing.length > 0) {
      state = await resumeState(options.checkpointDir, existing[existing.length - 1].dir, hashes, backend, trainRows.length, trainConfig);
      resumedFromEpoch = state.epoch;
      options.log?.(`train: resumed after epoch ${state.epoch} from ${options.checkpointDir}`);
    }
  }
  if (!state) {
    const normalisation = fitNormalisation(dataset, view, trainRows);
    const tokenLayout = modelConfig.kind === 'tabtransformer' ? tokenLayoutOf(dataset.tabular.features) : undefined;
    const network = buildNetwork({ model: modelConfig, inputShape: inputShape(normalisation), ...(tokenLayout ? { tokenLayout } : {}) }, Random.fromSeed(seed, 'init'));
    state = {
      network,
      optimizer: new AdamW(network.store.params, trainConfig),
      normalisation,
      classWeights: classWeightsOf(trainConfig, labels, trainRows),
      shuffle: Random.fromSeed(seed, 'shuffle'),
      dropout: Random.fromSeed(seed, 'dropout'),
      history: [],
      epoch: 0,
      bestEpoch: 0,
      bestScore: -Infinity,
      bestWeights: null,
      stopped: null,
      validationDefined: true,
      warnings: [],
    };
    const valPositives = Array.from(valRows, (r) => labels[r]).reduce((a, b) => a + b, 0);
    if (valRows.length === 0 || valPositives === 0 || valPositives === valRows.length) {
      state.validationDefined = false;
      state.warnings.push(
        `validation AUROC is undefined (${valRows.length} validation rows, ${valPositives} positive): early stopping is off and the last epoch counts as best`,
      );
    }
  }
  const s = state;
  // The best epoch is the one with the highest validation AUROC whether or not training stops early
  // (`patience` decides when to stop, `selection` which weights to return).
  const earlyStopping = s.validationDefined && trainConfig.patience > 0;

  const meta = () => ({
    modelConfig,
    trainConfig,
    seed,
    ...hashes,
    backend: backend.name,
    normalisation: s.normalisation,
    classWeights: s.classWeights,
    history: s.history,
  });

  // ── epochs ──
  const size = inputSize(s.normalisation);
  const shape = inputShape(s.normalisation);
  const trainX = s.stopped ? new Float32Array(0) : normaliseRows(dataset, s.normalisation, trainRows);
  const sampleWeight = Float32Array.from(trainRows, (r) => s.classWeights[labels[r]]);
  const trainY = Float32Array.from(trainRows, (r) => labels[r]);
  const { batchSize } = trainConfig;
  const batches = Math.ceil(trainRows.length / batchSize);
  const vars = s.network.store.variables;
  let epochsThisCall = 0;
  const pauseAfter = options.stopAfterEpochs ?? Infinity;
  while (!s.stopped && epochsThisCall < pauseAfter) {
    const epoch = s.epoch + 1;
    const started = performance.now();
    const order = s.shuffle.shuffle(Int32Array.from({ length: trainRows.length }, (_, i) => i));
    const dropout = new Dropout(s.dropout);
    let lossSum = 0;
    const xBuffer = new Float32Array(batchSize * size);
    for (let b = 0; b < batches; b++) {
      const idx = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
      const B = idx.length;
      const yb = new Float32Array(B);
      const wb = new Float32Array(B);
      for (let i = 0; i < B; i++) {
        xBuffer.set(trainX.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
        yb[i] = trainY[idx[i]];
        wb[i] = sampleWeight[idx[i]];
      }
      const loss = tf.tidy(() => {
        const x = tf.tensor(xBuffer.subarray(0, B * size), [B, ...shape]);
        const y = tf.tensor1d(yb);
        const w = tf.tensor1d(wb);
        const { value, grads } = tf.variableGrads(() => weightedBce(s.network.forward(x, dropout).logits, y, w), vars);
        s.optimizer.apply(vars.map((v) => grads[v.name]));
        return value;
      });
      lossSum += (loss.dataSync()[0] as number) * B;
      loss.dispose();
      options.onBatch?.({ epoch, batch: b + 1, batches });
    }
    const val = evaluate(s.network, dataset, s.normalisation, valRows, trainConfig.evalBatchSize);
    const record: EpochRecord = { epoch, trainLoss: lossSum / trainRows.length, valLoss: val.loss, valAuroc: val.auroc };
    s.history.push(record);
    s.epoch = epoch;
    const score = s.validationDefined ? val.auroc : epoch;
    const improved = s.bestEpoch === 0 || (!Number.isNaN(score) && score > s.bestScore + trainConfig.minDelta);
    if (improved) {
      s.bestEpoch = epoch;
      s.bestScore = Number.isNaN(score) ? -Infinity : score;
      s.bestWeights = s.network.store.serialise();
    }
    if (earlyStopping && epoch - s.bestEpoch >= trainConfig.patience) s.stopped = 'early-stopping';
    else if (epoch >= trainConfig.epochs) s.stopped = 'max-epochs';
    epochsThisCall++;

    if (options.checkpointDir) {
      const json: FullCheckpointJson = {
        formatVersion: 1,
        kind: 'full',
        createdBy: '@ehr-backdoor/train',
        ...meta(),
        network: networkJson(s.network),
        epoch,
        bestEpoch: s.bestEpoch,
        bestScore: s.bestScore,
        rng: { shuffle: s.shuffle.getState(), dropout: s.dropout.getState() },
        dataOrder: { nextEpoch: epoch + 1, batch: 0, trainRows: trainRows.length },
        optimizer: { algorithm: 'adamw', step: s.optimizer.step },
        stopped: s.stopped,
        validationDefined: s.validationDefined,
        warnings: s.warnings,
      };
      await writeCheckpoint(join(options.checkpointDir, epochDirName(epoch)), json, s.network.store.serialise(), s.optimizer.serialise());
      await pruneCheckpoints(options.checkpointDir, trainConfig.keepLast, s.bestEpoch);
    }
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.(record, { improved, bestEpoch: s.bestEpoch, seconds, samplesPerSecond: trainRows.length / seconds, stopped: s.stopped });
  }

  // ── selected weights ──
  // A paused run returns the weights selected so far; its final/ is written when it finishes.
  const selectedEpoch = trainConfig.selection === 'last' ? s.epoch : s.bestEpoch;
  if (trainConfig.selection === 'best') {
    if (!s.bestWeights) throw new BugError('no best weights recorded');
    s.network.store.load(s.bestWeights, s.network.store.specs(), 'best weights');
  }
  s.optimizer.dispose();
  const model = new TrainedModel(s.network, s.normalisation, { ...meta(), history: [...s.history], epoch: selectedEpoch, bestEpoch: s.bestEpoch });
  if (options.checkpointDir && s.stopped) await model.save(join(options.checkpointDir, 'final'));
  return {
    model,
    history: [...s.history],
    bestEpoch: s.bestEpoch,
    selectedEpoch,
    epochsRun: s.epoch,
    epochsThisCall,
    resumedFromEpoch,
    stopped: s.stopped ?? 'paused',
    backend,
    ...hashes,
    warnings: s.warnings,
  };
}

async function resumeState(
  runDir: string,
  lastDir: string,
  hashes: { configHash: string; datasetHash: string },
  backend: BackendInfo,
  trainRows: number,
  trainConfig: TrainConfig,
): Promise<RunState> {
  const last = await readCheckpoint(lastDir);
  const json = last.json as FullCheckpointJson;
  if (json.kind !== 'full' || !last.optimizer) {
    throw new CompatibilityError<TrainCode>('E_CHECKPOINT_KIND', `${lastDir} is a weights-only checkpoint; training can only resume from a full epoch checkpoint.`);
  }
  assertCompatible(json, lastDir, hashes);
  if (json.backend !== backend.name) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_BACKEND',
      `The run in ${runDir} was trained on the ${json.backend} backend, and this process runs ${backend.name}. ` +
        `Results are bit-reproducible per backend only: resume with --backend ${json.backend}, or start a new run.`,
    );
  }
  if (json.dataOrder.trainRows !== trainRows) {
    throw new CompatibilityError<TrainCode>('E_CHECKPOINT_DATASET', `${lastDir} was trained on ${json.dataOrder.trainRows} training rows; ${trainRows} were given.`);
  }
  const network = networkFromJson(json);
  network.store.load(last.weights, json.network.params, `${lastDir}/weights.bin`);
  const optimizer = new AdamW(network.store.params, trainConfig);
  optimizer.load(last.optimizer, json.optimizer.step, json.network.params, `${lastDir}/optimizer.bin`);
  let bestWeights = last.weights;
  if (json.bestEpoch !== json.epoch) {
    const bestDir = join(runDir, epochDirName(json.bestEpoch));
    if (!existsSync(bestDir)) {
      throw new CompatibilityError<TrainCode>('E_CHECKPOINT_MISSING_BEST', `The best epoch's checkpoint ${bestDir} is missing; it is needed to finish the run.`);
    }
    bestWeights = (await readCheckpoint(bestDir)).weights;
  }
  return {
    network,
    optimizer,
    normalisation: json.normalisation,
    classWeights: [json.classWeights[0], json.classWeights[1]],
    shuffle: Random.fromState(json.rng.shuffle),
    dropout: Random.fromState(json.rng.dropout),
    history: [...json.history],
    epoch: json.epoch,
    bestEpoch: json.bestEpoch,
    bestScore: json.bestScore,
    bestWeights,
    stopped: json.stopped,
    // Checkpoints written before the field existed said so only in a warning's wording.
    validationDefined: json.validationDefined ?? json.warnings.every((w) => !w.startsWith('validation AUROC is undefined')),
    warnings: [...json.warnings],
  };
}

/** Mean over the batch of w_i · BCE(σ(z_i), y_i), in the overflow-free form max(z, 0) − z·y + log(1 + e^−|z|). */
function weightedBce(logits: tf.Tensor1D, y: tf.Tensor1D, w: tf.Tensor1D): tf.Scalar {
  const perRow = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.mean(tf.mul(perRow, w));
}

function classWeightsOf(config: TrainConfig, labels: Uint8Array, rows: Int32Array): [number, number] {
  if (config.classWeights === 'none') return [1, 1];
  if (Array.isArray(config.classWeights)) return [config.classWeights[0], config.classWeights[1]];
  let positives = 0;
  for (const r of rows) positives += labels[r];
  const negatives = rows.length - positives;
  // A class absent from training gets weight 1 (nothing to weigh); n / (2 n_c) otherwise.
  return [negatives > 0 ? rows.length / (2 * negatives) : 1, positives > 0 ? rows.length / (2 * positives) : 1];
}

function evaluate(network: Network, dataset: EhrDataset, norm: InputNormalisation, rows: Int32Array, batchSize: number): { loss: number; auroc: number } {
  if (rows.length === 0) return { loss: NaN, auroc: NaN };
  const logits = new Float32Array(rows.length);
  const shape = inputShape(norm);
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.subarray(start, Math.min(rows.length, start + batchSize));
    const out = tf.tidy(() => network.forward(tf.tensor(normaliseRows(dataset, norm, chunk), [chunk.length, ...shape]), null).logits);
    logits.set(out.dataSync() as Float32Array, start);
    out.dispose();
  }
  let loss = 0;
  const labels = Array.from(rows, (r) => dataset.labels[r]);
  for (let i = 0; i < rows.length; i++) {
    const z = logits[i];
    loss += Math.max(z, 0) - z * labels[i] + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return { loss: loss / rows.length, auroc: validationAuroc(logits, labels).value };
}
