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

/** The engine's entry for an op with its own backward pass, as tf.customGrad calls it. */
interface OpEngine {
  runKernelFunc(invocation: {
    inputs: tf.NamedTensorMap;
    forwardFunc: (backend: unknown, save: tf.GradSaveFunc) => tf.Tensor | tf.Tensor[];
    backwardsFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  }): tf.Tensor | tf.Tensor[];
}

/**
 * tfjs's engine, typed for ops with their own backward pass and any number of outputs (customGrad
 * allows one): `runKernelFunc` is public in tfjs-core's JavaScript, private in its typings.
 */
export function opEngine(): OpEngine {
  return tf.engine() as unknown as OpEngine;
}
