/**
 * @ehr-backdoor/train/names — the package's names and configuration rules without TensorFlow.js: model
 * kinds, backend choices, the model and training defaults and their validation. Importing it registers
 * no backend, so a command line or a study validator can name and check models without loading tfjs.
 *
 * @packageDocumentation
 */
export { BACKEND_CHOICES } from './lib/backend-choices.js';
export type { BackendChoice, BackendName } from './lib/backend-choices.js';
export { DEFAULT_MODEL_CONFIGS, DEFAULT_TRAIN_CONFIG, MODEL_KINDS, resolveModelConfig, resolveTrainConfig, viewOf } from './lib/config.js';
export type { ModelConfig, ModelConfigInput, ModelKind, TrainConfig } from './lib/config.js';
