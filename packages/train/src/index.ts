/**
 * @ehr-backdoor/train — the study's four models in TensorFlow.js, with deterministic training and
 * checkpoints that resume bit-identically.
 *
 *   EhrDataset (raw units, maybe poisoned) ─▶ normalisation fitted on its training rows
 *     ─▶ mlp | tabtransformer (tabular view) · lstm | tcn (time series + mask)
 *     ─▶ AdamW, class-weighted BCE, early stopping on validation AUROC ─▶ epoch checkpoints ─▶ TrainedModel
 *
 * @packageDocumentation
 */
export { selectBackend, activeBackend, describeBackend, BACKEND_CHOICES } from './lib/backend.js';
export type { BackendChoice, BackendInfo, BackendName } from './lib/backend.js';
export { wasmSimdOps } from './lib/wasm/simd-ops.js';
export type { WasmSimdOps } from './lib/wasm/simd-ops.js';
export {
  DEFAULT_MODEL_CONFIGS,
  DEFAULT_TRAIN_CONFIG,
  MODEL_KINDS,
  configHash,
  resolveModelConfig,
  resolveTrainConfig,
  viewOf,
} from './lib/config.js';
export type {
  LstmConfig,
  MlpConfig,
  ModelConfig,
  ModelConfigInput,
  ModelKind,
  TabTransformerConfig,
  TcnConfig,
  TrainConfig,
} from './lib/config.js';
export { trainModel } from './lib/train.js';
export type { EpochInfo, TrainOptions, TrainResult } from './lib/train.js';
export { TrainedModel, loadModel } from './lib/model.js';
export { fineTuneModel } from './lib/fine-tune.js';
export type { FineTuneOptions, FineTuneResult } from './lib/fine-tune.js';
export {
  assertPrunable,
  copyModel,
  meanPenultimateActivation,
  pruneByActivation,
  prunePenultimate,
  unitContribution,
} from './lib/prune.js';
export type { ActivationPruning, ActivationPruningOptions } from './lib/prune.js';
export { layerCut, pruneLayer, pruneLayerByActivation, prunedLayerOf } from './lib/prune-layer.js';
export type { LayerPruning, PrunedLayer, WeightCut } from './lib/prune-layer.js';
export { exportOnnx } from './lib/onnx/export-onnx.js';
export type { OnnxExport } from './lib/onnx/export-onnx.js';
export type { LoadModelOptions } from './lib/model.js';
export { datasetHash, rowsOfSplit } from './lib/inputs.js';
export type { InputNormalisation, InputShape } from './lib/inputs.js';
export { CHECKPOINT_FORMAT_VERSION } from './lib/checkpoint.js';
export type { CheckpointJson, EpochRecord, FullCheckpointJson, WeightsCheckpointJson } from './lib/checkpoint.js';
export type { ParamSpec } from './lib/params.js';
export type { TokenLayout } from './lib/models/network.js';
