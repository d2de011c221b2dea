/**
 * Every `E_*` code that train's errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the throw sites, typed by {@link TrainCode}.
 */
export const TRAIN_CODES = {
  E_BACKEND: 'an unknown TensorFlow.js backend was asked for',
  E_BACKEND_UNAVAILABLE: 'the backend asked for cannot be loaded on this machine',
  E_CHECKPOINT_MISSING: 'no checkpoint (manifest.json) at the given path',
  E_CHECKPOINT_CORRUPT: 'a checkpoint is incomplete or its files do not match their manifest',
  E_CHECKPOINT_CONFIG: 'a checkpoint was written for another model or training configuration',
  E_CHECKPOINT_DATASET: 'a checkpoint was trained on another dataset',
  E_CHECKPOINT_FORMAT: 'a checkpoint has a format version this version cannot read',
  E_CHECKPOINT_SHAPE: "a checkpoint's weights do not fit the model's parameters",
  E_CHECKPOINT_EXISTS: 'a fresh run was pointed at a directory that already holds checkpoints',
  E_CHECKPOINT_KIND: 'training was asked to resume from a weights-only checkpoint',
  E_CHECKPOINT_BACKEND: 'a run is resumed on another backend than the one it was trained on',
  E_CHECKPOINT_MISSING_BEST: "the best epoch's checkpoint, needed to finish a run, is gone",
  E_MODEL_KIND: 'an unknown model kind',
  E_MODEL_CONFIG: 'an unknown or invalid model option',
  E_TRAIN_CONFIG: 'an unknown or invalid training option',
  E_DATASET_LAYOUT: "a dataset's features do not match the ones the model was trained on",
  E_DATASET_VIEW: "the dataset's view the model reads is empty",
  E_ROWS: 'a row index is not a row of the dataset',
  E_NO_ATTENTION: 'attention weights were asked of a model that has none',
  E_NO_TRAINING_ROWS: 'the dataset has no training rows',
  E_SEED: 'the seed is not an integer',
  E_RESUME: 'an invalid resume or pause request (no checkpoint directory, a bad epoch count)',
  E_FINE_TUNE: 'an invalid fine-tuning request (epochs, learning rate, seed, no rows)',
  E_PRUNE_UNSUPPORTED: 'pruning was asked of a network without a dense output layer over its penultimate units',
  E_PRUNE_UNITS: 'a pruned unit is not a penultimate unit of the model, or is named twice',
  E_PRUNE_BUDGET: 'a pruning budget or largest pruned fraction out of range',
  E_PRUNE_ROWS: 'pruning needs validation stays of both labels to measure its cost',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link TRAIN_CODES}. */
export type TrainCode = keyof typeof TRAIN_CODES;
