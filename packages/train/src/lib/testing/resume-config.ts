import type { TrainOptions } from '../train.js';

/** The run the resume tests repeat: small, on WASM (fast and deterministic), no early stop. */
export const RESUME_TEST_CONFIG = {
  model: { kind: 'mlp', hidden: [16, 8], dropout: 0.2 },
  train: { epochs: 5, batchSize: 16, learningRate: 0.01, patience: 10, keepLast: 2 },
  seed: 11,
  backend: 'wasm',
} as const satisfies Omit<TrainOptions, 'dataset'>;
