import { assertInput, hashJson } from '@ehr-backdoor/core';
import type { DatasetView } from '@ehr-backdoor/data';
import type { TrainCode } from './error-codes.js';

/**
 * Model and training configurations: discriminated unions with documented defaults. A user config
 * may leave any field out; `resolveModelConfig` / `resolveTrainConfig` fill the defaults and check
 * every value at the entry point, so the rest of the package only ever sees complete configs.
 */

/** Multilayer perceptron on the tabular view (standardised features, NaN imputed to the training mean). */
export interface MlpConfig {
  readonly kind: 'mlp';
  /** Widths of the hidden ReLU layers. Default [128, 64]. */
  readonly hidden: readonly number[];
  /** Dropout after each hidden layer. Default 0.2. */
  readonly dropout: number;
}

/** One-layer LSTM on the hourly series with the observed mask as extra channels (2C inputs). */
export interface LstmConfig {
  readonly kind: 'lstm';
  /** Hidden (and cell) state size. Default 64. */
  readonly hidden: number;
  /** Dropout on the last hidden state before the output layer. Default 0.2. */
  readonly dropout: number;
}

/** Temporal convolutional network: causal dilated convolutions (im2col + matMul), residual blocks. */
export interface TcnConfig {
  readonly kind: 'tcn';
  /** Channels of every residual block. Default 32. */
  readonly channels: number;
  /** Taps per causal convolution. Default 3. */
  readonly kernelSize: number;
  /** One residual block (two convolutions) per dilation. Default [1, 2, 4]. */
  readonly dilations: readonly number[];
  /** Channel-wise (spatial) dropout after each convolution. Default 0.1. */
  readonly dropout: number;
}

/**
 * Transformer over feature tokens of the tabular view: one token per clinical variable (a linear map
 * of its summary statistics) and per static feature, plus a [CLS] token whose final state feeds the
 * output layer. Pre-LayerNorm blocks. Attention weights are exposed for attribution analyses.
 */
export interface TabTransformerConfig {
  readonly kind: 'tabtransformer';
  /** Token width. Default 32. */
  readonly dModel: number;
  /** Attention heads (must divide dModel). Default 4. */
  readonly heads: number;
  /** Transformer blocks. Default 2. */
  readonly layers: number;
  /** Hidden width of each block's feed-forward network. Default 64. */
  readonly ffHidden: number;
  /** Dropout on the attention and feed-forward outputs (residual dropout). Default 0.1. */
  readonly dropout: number;
}

/** A complete model configuration, discriminated by `kind`: each kind accepts only its own fields. */
export type ModelConfig = MlpConfig | LstmConfig | TcnConfig | TabTransformerConfig;
/**
 * The four model families: `mlp` and `tabtransformer` read the tabular view, `lstm` and `tcn` the hourly series.
 */
export type ModelKind = ModelConfig['kind'];
/** What a caller may pass: the kind plus any subset of the fields. */
export type ModelConfigInput =
  | ({ kind: 'mlp' } & Partial<Omit<MlpConfig, 'kind'>>)
  | ({ kind: 'lstm' } & Partial<Omit<LstmConfig, 'kind'>>)
  | ({ kind: 'tcn' } & Partial<Omit<TcnConfig, 'kind'>>)
  | ({ kind: 'tabtransformer' } & Partial<Omit<TabTransformerConfig, 'kind'>>);

/** Every {@link ModelKind}, in the order the runner and the docs list them. */
export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'lstm', 'tcn', 'tabtransformer'];

/** The default configuration of each model kind (the defaults documented on each field). */
export const DEFAULT_MODEL_CONFIGS: { readonly [K in ModelKind]: Extract<ModelConfig, { kind: K }> } = {
  mlp: { kind: 'mlp', hidden: [128, 64], dropout: 0.2 },
  lstm: { kind: 'lstm', hidden: 64, dropout: 0.2 },
  tcn: { kind: 'tcn', channels: 32, kernelSize: 3, dilations: [1, 2, 4], dropout: 0.1 },
  tabtransformer: { kind: 'tabtransformer', dModel: 32, heads: 4, layers: 2, ffHidden: 64, dropout: 0.1 },
};

/** The dataset view a model reads. */
export function viewOf(kind: ModelKind): DatasetView {
  return kind === 'mlp' || kind === 'tabtransformer' ? 'tabular' : 'timeseries';
}

/**
 * How a model is trained: AdamW, class-weighted binary cross-entropy, early stopping and epoch selection on validation AUROC, checkpoint retention.
 */
export interface TrainConfig {
  /** Adam step size. Default 1e-3. */
  readonly learningRate: number;
  /** Training rows per step. Default 128. */
  readonly batchSize: number;
  /** Maximum epochs. Default 30. */
  readonly epochs: number;
  /**
   * Decoupled weight decay (AdamW, Loshchilov & Hutter 2019): each step multiplies weight matrices by
   * (1 − learningRate × weightDecay) besides the Adam update. Biases, LayerNorm gains and embeddings'
   * offsets are not decayed. Default 1e-4.
   */
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /**
   * Per-class loss weights: 'balanced' gives class c the weight n / (2 n_c) on the training rows
   * (as scikit-learn's class_weight='balanced'), 'none' weights all rows 1, or explicit [w0, w1].
   */
  readonly classWeights: 'balanced' | 'none' | readonly [number, number];
  /** Stop when validation AUROC has not improved by more than `minDelta` for this many epochs. Default 5. */
  readonly patience: number;
  readonly minDelta: number;
  /**
   * Which epoch's weights the run returns and evaluates: 'best' (highest validation AUROC; with
   * `patience` this is early stopping with weight restoring) or 'last' (the final epoch, the
   * fixed-epoch protocol of the backdoor literature). The choice matters for a backdoor study:
   * selecting on clean validation AUROC tends to pick an epoch before a rare trigger is learned, so
   * it acts as a weak defence. Default 'best'.
   */
  readonly selection: 'best' | 'last';
  /** Epoch checkpoints to keep besides the best one. Default 2. */
  readonly keepLast: number;
  /** Rows per forward pass when predicting. Default 1024. */
  readonly evalBatchSize: number;
}

/** The training defaults documented on each {@link TrainConfig} field. */
export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  learningRate: 1e-3,
  batchSize: 128,
  epochs: 30,
  weightDecay: 1e-4,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  classWeights: 'balanced',
  patience: 5,
  minDelta: 0,
  selection: 'best',
  keepLast: 2,
  evalBatchSize: 1024,
};

const positiveInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;
const inUnit = (x: unknown, closedRight = false): x is number =>
  typeof x === 'number' && Number.isFinite(x) && x >= 0 && (closedRight ? x <= 1 : x < 1);

/**
 * Fills the defaults of `input.kind` into a partial model configuration and checks every value. The result
 * is typed by the kind passed in: `resolveModelConfig({ kind: 'lstm' })` is an {@link LstmConfig}; a kind known
 * only at run time (a union, or a value cast to `never`) gives {@link ModelConfig}.
 * @throws InputError `E_MODEL_KIND` for an unknown kind; `E_MODEL_CONFIG` for a field of another kind or a
 * value out of range (dropout outside [0, 1), non-positive sizes, TabTransformer heads not dividing dModel).
 */
export function resolveModelConfig<K extends ModelKind>(
  input: ModelConfigInput & { readonly kind: K },
): [K] extends [never] ? ModelConfig : Extract<ModelConfig, { readonly kind: K }>;
export function resolveModelConfig(input: ModelConfigInput): ModelConfig {
  assertInput<TrainCode>(
    input && MODEL_KINDS.includes(input.kind),
    'E_MODEL_KIND',
    () => `Unknown model kind ${JSON.stringify(input?.kind)}; choose one of ${MODEL_KINDS.join(', ')}.`,
  );
  const known = new Set(Object.keys(DEFAULT_MODEL_CONFIGS[input.kind]));
  for (const key of Object.keys(input)) {
    assertInput<TrainCode>(
      known.has(key),
      'E_MODEL_CONFIG',
      () => `Unknown option '${key}' for model '${input.kind}'; known: ${[...known].join(', ')}.`,
    );
  }
  const config = { ...DEFAULT_MODEL_CONFIGS[input.kind], ...stripUndefined(input) } as ModelConfig;
  const bad = (field: string, value: unknown, want: string) => () =>
    `Model '${config.kind}': ${field} must be ${want}, got ${JSON.stringify(value)}.`;
  assertInput<TrainCode>(inUnit(config.dropout), 'E_MODEL_CONFIG', bad('dropout', config.dropout, 'a number in [0, 1)'));
  switch (config.kind) {
    case 'mlp':
      assertInput<TrainCode>(
        Array.isArray(config.hidden) && config.hidden.length > 0 && config.hidden.every(positiveInt),
        'E_MODEL_CONFIG',
        bad('hidden', config.hidden, 'a non-empty list of positive integers'),
      );
      return { kind: 'mlp', hidden: [...config.hidden], dropout: config.dropout };
    case 'lstm':
      assertInput<TrainCode>(positiveInt(config.hidden), 'E_MODEL_CONFIG', bad('hidden', config.hidden, 'a positive integer'));
      return { kind: 'lstm', hidden: config.hidden, dropout: config.dropout };
    case 'tcn':
      assertInput<TrainCode>(positiveInt(config.channels), 'E_MODEL_CONFIG', bad('channels', config.channels, 'a positive integer'));
      assertInput<TrainCode>(positiveInt(config.kernelSize), 'E_MODEL_CONFIG', bad('kernelSize', config.kernelSize, 'a positive integer'));
      assertInput<TrainCode>(
        Array.isArray(config.dilations) && config.dilations.length > 0 && config.dilations.every(positiveInt),
        'E_MODEL_CONFIG',
        bad('dilations', config.dilations, 'a non-empty list of positive integers'),
      );
      return {
        kind: 'tcn',
        channels: config.channels,
        kernelSize: config.kernelSize,
        dilations: [...config.dilations],
        dropout: config.dropout,
      };
    case 'tabtransformer':
      for (const field of ['dModel', 'heads', 'layers', 'ffHidden'] as const) {
        assertInput<TrainCode>(positiveInt(config[field]), 'E_MODEL_CONFIG', bad(field, config[field], 'a positive integer'));
      }
      assertInput<TrainCode>(
        config.dModel % config.heads === 0,
        'E_MODEL_CONFIG',
        () => `Model 'tabtransformer': heads (${config.heads}) must divide dModel (${config.dModel}).`,
      );
      return {
        kind: 'tabtransformer',
        dModel: config.dModel,
        heads: config.heads,
        layers: config.layers,
        ffHidden: config.ffHidden,
        dropout: config.dropout,
      };
  }
}

/**
 * Fills the training defaults into a partial configuration and checks every value.
 * @throws InputError `E_TRAIN_CONFIG` for an unknown option or a value out of range (non-positive learning
 * rate, batch size or epochs, negative patience or weight decay, betas outside [0, 1), malformed class weights).
 */
export function resolveTrainConfig(input: Partial<TrainConfig> = {}): TrainConfig {
  const known = new Set(Object.keys(DEFAULT_TRAIN_CONFIG));
  for (const key of Object.keys(input)) {
    assertInput<TrainCode>(known.has(key), 'E_TRAIN_CONFIG', () => `Unknown training option '${key}'; known: ${[...known].join(', ')}.`);
  }
  const c: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, ...stripUndefined(input) };
  const bad = (field: string, value: unknown, want: string) => () =>
    `Training option ${field} must be ${want}, got ${JSON.stringify(value)}.`;
  assertInput<TrainCode>(
    c.learningRate > 0 && Number.isFinite(c.learningRate),
    'E_TRAIN_CONFIG',
    bad('learningRate', c.learningRate, 'a positive number'),
  );
  for (const field of ['batchSize', 'epochs', 'evalBatchSize'] as const) {
    assertInput<TrainCode>(positiveInt(c[field]), 'E_TRAIN_CONFIG', bad(field, c[field], 'a positive integer'));
  }
  assertInput<TrainCode>(
    Number.isInteger(c.patience) && c.patience >= 0,
    'E_TRAIN_CONFIG',
    bad('patience', c.patience, 'an integer ≥ 0 (0 disables early stopping)'),
  );
  assertInput<TrainCode>(
    c.selection === 'best' || c.selection === 'last',
    'E_TRAIN_CONFIG',
    bad('selection', c.selection, "'best' or 'last'"),
  );
  assertInput<TrainCode>(Number.isInteger(c.keepLast) && c.keepLast >= 1, 'E_TRAIN_CONFIG', bad('keepLast', c.keepLast, 'an integer ≥ 1'));
  assertInput<TrainCode>(
    c.weightDecay >= 0 && Number.isFinite(c.weightDecay),
    'E_TRAIN_CONFIG',
    bad('weightDecay', c.weightDecay, 'a number ≥ 0'),
  );
  assertInput<TrainCode>(c.minDelta >= 0 && Number.isFinite(c.minDelta), 'E_TRAIN_CONFIG', bad('minDelta', c.minDelta, 'a number ≥ 0'));
  assertInput<TrainCode>(inUnit(c.beta1) && inUnit(c.beta2), 'E_TRAIN_CONFIG', bad('beta1/beta2', [c.beta1, c.beta2], 'numbers in [0, 1)'));
  assertInput<TrainCode>(c.epsilon > 0, 'E_TRAIN_CONFIG', bad('epsilon', c.epsilon, 'a positive number'));
  const w = c.classWeights;
  assertInput<TrainCode>(
    w === 'balanced' || w === 'none' || (Array.isArray(w) && w.length === 2 && w.every((x) => Number.isFinite(x) && x > 0)),
    'E_TRAIN_CONFIG',
    bad('classWeights', w, "'balanced', 'none' or two positive numbers [w0, w1]"),
  );
  return { ...c, classWeights: Array.isArray(w) ? ([w[0], w[1]] as const) : w };
}

/** Identity of a training run's settings: a checkpoint resumes only under the same hash. */
export function configHash(modelConfig: ModelConfig, trainConfig: TrainConfig, seed: number): string {
  // 'best' was the only selection before the option existed: leaving it out keeps those runs' hashes, so
  // they still resume and load.
  const { selection, ...unchanged } = trainConfig;
  return hashJson({ modelConfig, trainConfig: selection === 'best' ? unchanged : trainConfig, seed });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
