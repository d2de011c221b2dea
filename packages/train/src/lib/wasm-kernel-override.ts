import * as tf from '@tensorflow/tfjs-core';

/**
 * The one mechanism behind this package's WASM kernel fixes (matmul-fix, slice-fix, identity-fix): a
 * stock kernel is replaced by a function that may call it, and can be put back (the bit-identity tests
 * compare both). Other backends are never touched.
 */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * The parts of tfjs-backend-wasm's BackendWasm that the fixes (and AdamW's host loop) use: outputs in
 * WASM memory, views of it, and reference counts. Not in its public typings, hence declared once here.
 */
export interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of the tensor's data; invalid once the memory grows (after any later makeOutput). */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}
export type KernelOverride = (args: KernelArgs, original: tf.KernelConfig) => tf.TensorInfo | tf.TensorInfo[];

const originals = new Map<string, tf.KernelConfig>();

/** Replaces the WASM kernel `name` (idempotent). False when the WASM backend has no such kernel. */
export function overrideWasmKernel(name: string, kernel: KernelOverride): boolean {
  if (originals.has(name)) return true;
  const original = tf.getKernel(name, 'wasm');
  if (!original) return false;
  originals.set(name, original);
  tf.unregisterKernel(name, 'wasm');
  // The original set-up binds the C entry point; keep it so a later backend re-initialisation still works.
  tf.registerKernel({ kernelName: name, backendName: 'wasm', setupFunc: original.setupFunc, kernelFunc: (args) => kernel(args, original) });
  return true;
}

/** Puts the stock WASM kernel `name` back. */
export function restoreWasmKernel(name: string): void {
  const original = originals.get(name);
  if (!original) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(original);
  originals.delete(name);
}
