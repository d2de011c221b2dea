import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelFixesSkipReason } from './kernel-fixes.js';

/**
 * The active backend when host code may work on views of its WASM memory (AdamW's update of small
 * tensors): the WASM backend of the tfjs version the kernel fixes were measured on. Undefined otherwise,
 * and the caller takes its tensor-op path.
 */
export function wasmHostBackend(): BackendWasm | undefined {
  return tf.getBackend() === 'wasm' && kernelFixesSkipReason() === undefined ? (tf.backend() as BackendWasm) : undefined;
}
