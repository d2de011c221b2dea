import type { Random } from '@ehr-backdoor/core';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import type { AdamW } from '../adamw.js';
import type { BackendInfo } from '../backend.js';
import type { EpochRecord, FullCheckpointJson } from '../checkpoint.js';
import type { ModelConfig, TrainConfig } from '../config.js';
import type { InputNormalisation } from '../inputs.js';
import type { Network } from '../models/network.js';

/** What a training run is given, checked (check-inputs.ts), with the backend it runs on and its hashes. */
export interface RunContext {
  readonly dataset: EhrDataset;
  readonly seed: number;
  readonly modelConfig: ModelConfig;
  readonly trainConfig: TrainConfig;
  readonly view: DatasetView;
  readonly trainRows: Int32Array;
  readonly valRows: Int32Array;
  readonly backend: BackendInfo;
  readonly hashes: RunHashes;
}

export interface RunHashes {
  readonly configHash: string;
  readonly datasetHash: string;
}

/** Everything a run carries from epoch to epoch, and saves in each epoch checkpoint. */
export interface RunState {
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

/** The run's description shared by its epoch checkpoints and the trained model's metadata. */
export function runMeta(run: RunContext, s: RunState) {
  return {
    modelConfig: run.modelConfig,
    trainConfig: run.trainConfig,
    seed: run.seed,
    ...run.hashes,
    backend: run.backend.name,
    normalisation: s.normalisation,
    classWeights: s.classWeights,
    history: s.history,
  };
}
