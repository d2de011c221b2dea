import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import type { BackendName } from './backend.js';
import {
  assertCompatible,
  readCheckpoint,
  writeCheckpoint,
  listEpochCheckpoints,
  type CheckpointJson,
  type WeightsCheckpointJson,
} from './checkpoint.js';
import { viewOf, type ModelConfig } from './config.js';
import { assertDatasetMatches, assertRows, inputShape, normaliseRows, type InputNormalisation } from './inputs.js';
import { buildNetwork } from './models/build.js';
import type { Network, NetworkSpec } from './models/network.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import type { TrainCode } from './error-codes.js';

/**
 * A trained network with the normalisation it was fitted with: everything evaluation, explanation and
 * detection need. Inputs always go through `prepareInputs` (raw dataset rows → normalised tensor);
 * `forwardLogits` takes such tensors, so gradient-based attributions can differentiate through it.
 */
export class TrainedModel {
  readonly view: DatasetView;

  /** @internal Built by trainModel / loadModel. */
  constructor(
    /** @internal */ readonly network: Network,
    readonly normalisation: InputNormalisation,
    readonly meta: Omit<WeightsCheckpointJson, 'formatVersion' | 'kind' | 'createdBy' | 'network'>,
  ) {
    this.view = viewOf(network.config.kind);
  }

  /** The resolved model configuration the network was built from. */
  get config(): ModelConfig {
    return this.network.config;
  }
  /** Number of trainable scalars, summed over all parameter tensors. */
  get parameterCount(): number {
    return this.network.store.count();
  }
  /** TabTransformer only: token names, [CLS] first (the order of attention rows and columns). */
  get tokens(): readonly string[] | undefined {
    return this.network.tokens;
  }

  /** Normalised inputs of `rows`: [n, F] (tabular) or [n, T, 2C] (time series). The caller disposes it. */
  prepareInputs(dataset: EhrDataset, rows: ArrayLike<number>): tf.Tensor {
    assertDatasetMatches(dataset, this.normalisation);
    assertRows(dataset, rows, 'prepareInputs');
    return tf.tensor(normaliseRows(dataset, this.normalisation, rows), [rows.length, ...inputShape(this.normalisation)]);
  }

  /** Logits [B] of class 1 from normalised inputs, in inference mode (no dropout); differentiable. */
  forwardLogits(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => this.network.forward(x, null).logits);
  }

  /** p(class 1) for each of `rows`. */
  predictProba(dataset: EhrDataset, rows: ArrayLike<number>, batchSize = 1024): Float32Array {
    const out = new Float32Array(rows.length);
    this.batches(dataset, rows, batchSize, (x, start) => {
      const p = tf.tidy(() => tf.sigmoid(this.network.forward(x, null).logits));
      out.set(p.dataSync() as Float32Array, start);
      p.dispose();
    });
    return out;
  }

  /** Logits of class 1 for each of `rows` (float32, as the network computes them). */
  predictLogits(dataset: EhrDataset, rows: ArrayLike<number>, batchSize = 1024): Float32Array {
    const out = new Float32Array(rows.length);
    this.batches(dataset, rows, batchSize, (x, start) => {
      const logits = tf.tidy(() => this.network.forward(x, null).logits);
      out.set(logits.dataSync() as Float32Array, start);
      logits.dispose();
    });
    return out;
  }

  /** The penultimate representation of each row: row-major [rows.length, dim]. */
  penultimate(dataset: EhrDataset, rows: ArrayLike<number>, batchSize = 1024): { values: Float32Array; dim: number } {
    const dim = this.network.penultimateSize;
    const values = new Float32Array(rows.length * dim);
    this.batches(dataset, rows, batchSize, (x, start) => {
      const p = tf.tidy(() => this.network.forward(x, null).penultimate);
      values.set(p.dataSync() as Float32Array, start * dim);
      p.dispose();
    });
    return { values, dim };
  }

  /**
   * TabTransformer only: attention weights per block, each row-major [rows.length, heads, L, L] with
   * L = tokens.length (query token, then key token; each query's weights sum to 1).
   */
  attentionWeights(
    dataset: EhrDataset,
    rows: ArrayLike<number>,
    batchSize = 256,
  ): { tokens: readonly string[]; heads: number; layers: Float32Array[] } {
    if (this.network.config.kind !== 'tabtransformer' || !this.network.tokens) {
      throw new InputError<TrainCode>(
        'E_NO_ATTENTION',
        `attentionWeights needs a tabtransformer model; this one is '${this.network.config.kind}'.`,
      );
    }
    const { heads, layers: nLayers } = this.network.config;
    const L = this.network.tokens.length;
    const per = heads * L * L;
    const layers = Array.from({ length: nLayers }, () => new Float32Array(rows.length * per));
    this.batches(dataset, rows, batchSize, (x, start) => {
      const attention = tf.tidy(() => [...(this.network.forward(x, null).attention ?? [])]);
      attention.forEach((a, i) => layers[i].set(a.dataSync() as Float32Array, start * per));
      tf.dispose(attention as tf.Tensor[]);
    });
    return { tokens: this.network.tokens, heads, layers };
  }

  /** Writes a weights-only checkpoint (for evaluation) to `dir`. */
  async save(dir: string): Promise<void> {
    await writeCheckpoint(dir, this.checkpointJson(), this.network.store.serialise());
  }

  /** @internal */
  checkpointJson(): WeightsCheckpointJson {
    return {
      formatVersion: 1,
      kind: 'weights',
      createdBy: '@ehr-backdoor/train',
      ...this.meta,
      network: networkJson(this.network),
    };
  }

  /** Frees the network's tensors; the model cannot be used afterwards. */
  dispose(): void {
    this.network.dispose();
  }

  private batches(dataset: EhrDataset, rows: ArrayLike<number>, batchSize: number, visit: (x: tf.Tensor, start: number) => void): void {
    assertDatasetMatches(dataset, this.normalisation);
    assertRows(dataset, rows, 'predict');
    const shape = inputShape(this.normalisation);
    const size = shape.reduce((a, b) => a * b, 1);
    const buffer = new Float32Array(Math.min(batchSize, rows.length) * size);
    for (let start = 0; start < rows.length; start += batchSize) {
      const chunk = Array.prototype.slice.call(rows, start, Math.min(rows.length, start + batchSize)) as number[];
      const data = normaliseRows(dataset, this.normalisation, chunk, buffer.subarray(0, chunk.length * size));
      const x = tf.tensor(data, [chunk.length, ...shape]);
      try {
        visit(x, start);
      } finally {
        x.dispose();
      }
    }
  }
}

export function networkJson(network: Network): WeightsCheckpointJson['network'] {
  const spec = { inputShape: network.inputShape, params: network.store.specs() };
  return network.tokenLayout ? { ...spec, tokenLayout: network.tokenLayout } : spec;
}

/** Builds a network for a saved spec (weights are then loaded over the seeded initial values). */
export function networkFromJson(json: CheckpointJson): Network {
  const spec: NetworkSpec = {
    model: json.modelConfig,
    inputShape: json.network.inputShape,
    ...(json.network.tokenLayout ? { tokenLayout: json.network.tokenLayout } : {}),
  };
  return buildNetwork(spec, Random.fromSeed(json.seed, 'init'));
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Reject a checkpoint written for another configuration hash. */
  readonly expectConfigHash?: string;
  /** Reject a checkpoint trained on another dataset (see `datasetHash`). */
  readonly expectDatasetHash?: string;
  /**
   * In a run directory: the weights the run selected (default: its `final/`, or while it is still
   * training the epoch its `selection` names), the best validation epoch's, or the last epoch's.
   */
  readonly which?: 'selected' | 'best' | 'last';
}

/**
 * Loads weights for evaluation from a checkpoint directory (epoch-NNNN, final, or one written by
 * `TrainedModel.save`) or a run's checkpoint directory (then the epoch `which` names).
 * Verifies every file's sha256 and, if asked, the config and dataset hashes. Uses the active backend.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<TrainedModel> {
  const target = await resolveCheckpointDir(dir, options.which ?? 'selected');
  const loaded = await readCheckpoint(target);
  assertCompatible(loaded.json, target, { configHash: options.expectConfigHash, datasetHash: options.expectDatasetHash });
  const network = networkFromJson(loaded.json);
  network.store.load(loaded.weights, loaded.json.network.params, `${target}/weights.bin`);
  const { formatVersion: _v, kind: _k, createdBy: _c, network: _n, ...rest } = loaded.json as WeightsCheckpointJson;
  const meta = pickMeta(rest);
  return new TrainedModel(network, loaded.json.normalisation, meta);
}

export function pickMeta(json: Omit<WeightsCheckpointJson, 'formatVersion' | 'kind' | 'createdBy' | 'network'>): TrainedModel['meta'] {
  return {
    modelConfig: json.modelConfig,
    trainConfig: json.trainConfig,
    seed: json.seed,
    configHash: json.configHash,
    datasetHash: json.datasetHash,
    backend: json.backend as BackendName,
    normalisation: json.normalisation,
    classWeights: json.classWeights,
    epoch: json.epoch,
    history: json.history,
    bestEpoch: json.bestEpoch,
  };
}

async function resolveCheckpointDir(dir: string, which: 'selected' | 'best' | 'last'): Promise<string> {
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  if (which === 'selected' && existsSync(join(dir, 'final', 'manifest.json'))) return join(dir, 'final');
  const epochs = await listEpochCheckpoints(dir);
  if (epochs.length === 0) {
    throw new InputError<TrainCode>(
      'E_CHECKPOINT_MISSING',
      `No checkpoint in ${dir}: expected manifest.json, final/ or epoch-NNNN/ directories.`,
    );
  }
  const last = epochs[epochs.length - 1];
  if (which === 'last') return last.dir;
  const { json } = await readCheckpoint(last.dir);
  // Checkpoints from before the selection option have no 'selection': they selected the best epoch.
  if (which === 'selected' && (json.trainConfig as { selection?: string }).selection === 'last') return last.dir;
  const best = epochs.find((e) => e.epoch === json.bestEpoch);
  return best ? best.dir : last.dir;
}
