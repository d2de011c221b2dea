import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BugError } from '@ehr-backdoor/core';

/**
 * The installed WASM kernel `name` (a stock kernel or one of this package's overrides) called directly,
 * without the engine: no tape, no scope, no tensor bookkeeping. The caller frees the output with
 * `backend.disposeData`. Used inside ops whose backward pass is written out (lstm-recurrence.ts).
 */
export function runKernel(backend: BackendWasm, name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new BugError(`the WASM backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}
