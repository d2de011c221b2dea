import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * A float32 tensor of `shape` over memory that another tensor owns (a row range of it), for the
 * backend's kernels to read in place: registered with the backend, as makeOutput registers a tensor at
 * a given offset, and unregistered by `releaseView` without freeing the memory (disposeData would free
 * it). Kernels that reshape it take and give back a reference, so they leave it registered.
 */
export function heapView(backend: BackendWasm, byteOffset: number, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32', byteOffset);
}

/** Unregisters a view; the backend's own registry also drops anything cached for it (XNNPACK operators). */
export function releaseView(backend: BackendWasm, view: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(view.dataId);
  if (!data) return;
  (backend.wasm as unknown as { tfjs: { disposeData(id: number): void } }).tfjs.disposeData(data.id);
  backend.dataIdMap.delete(view.dataId);
}
