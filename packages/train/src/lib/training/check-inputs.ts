import { assertInput } from '@ehr-backdoor/core';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import { resolveModelConfig, resolveTrainConfig, viewOf, type ModelConfig, type ModelConfigInput, type TrainConfig } from '../config.js';
import { assertRows, rowsOfSplit } from '../inputs.js';
import type { TrainCode } from '../error-codes.js';

/** The parts of `TrainOptions` checked before any work. */
export interface TrainInputOptions {
  readonly dataset: EhrDataset;
  readonly model: ModelConfigInput;
  readonly train?: Partial<TrainConfig>;
  readonly seed: number;
  readonly checkpointDir?: string;
  readonly resume?: boolean;
  readonly rows?: { readonly train: ArrayLike<number>; readonly val: ArrayLike<number> };
  readonly stopAfterEpochs?: number;
}

export interface TrainInputs {
  readonly modelConfig: ModelConfig;
  readonly trainConfig: TrainConfig;
  readonly view: DatasetView;
  readonly trainRows: Int32Array;
  readonly valRows: Int32Array;
}

/**
 * The first phase of training: configurations resolved, the seed, resume and pause options, the rows and
 * the model's view of the dataset checked.
 * @throws InputError as listed on `trainModel`.
 */
export function checkTrainInputs(options: TrainInputOptions): TrainInputs {
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
  assertInput<TrainCode>(
    trainRows.length > 0,
    'E_NO_TRAINING_ROWS',
    () => 'The dataset has no training rows (split = train); nothing to train on.',
  );
  if (view === 'tabular') {
    assertInput<TrainCode>(
      dataset.tabular.features.length > 0,
      'E_DATASET_VIEW',
      () => `Model '${modelConfig.kind}' reads the tabular view, which has no features.`,
    );
  } else {
    assertInput<TrainCode>(
      dataset.timeSeries.channels.length > 0,
      'E_DATASET_VIEW',
      () => `Model '${modelConfig.kind}' reads the time-series view, which has no channels.`,
    );
  }
  return { modelConfig, trainConfig, view, trainRows, valRows };
}
