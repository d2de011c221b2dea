import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The one mechanism behind this package's WASM kernel fixes (transpose, matmul, slice, identity): a
 * stock kernel is replaced by a function that may call it, and can be put back (the bit-identity tests
 * compare both). Other backends are never touched.
 */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * A kernel's arguments on the WASM backend, as tfjs-backend-wasm's own kernels type them: the backend is
 * its exported `BackendWasm` (outputs in WASM memory, views of it, reference counts).
 */
export interface WasmKernelArgs extends KernelArgs {
  readonly backend: BackendWasm;
}

export type KernelOverride = (args: WasmKernelArgs, original: tf.KernelConfig) => tf.TensorInfo | tf.TensorInfo[];

const originals = new Map<string, tf.KernelConfig>();

/** Replaces the WASM kernel `name` (idempotent). False when the WASM backend has no such kernel. */
export function overrideWasmKernel(name: string, kernel: KernelOverride): boolean {
  if (originals.has(name)) return true;
  const original = tf.getKernel(name, 'wasm');
  if (!original) return false;
  originals.set(name, original);
  tf.unregisterKernel(name, 'wasm');
  // The original set-up binds the C entry point; keep it so a later backend re-initialisation still works.
  // A kernel registered for 'wasm' is only ever called with the WASM backend.
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    setupFunc: original.setupFunc,
    kernelFunc: (args) => kernel(args as WasmKernelArgs, original),
  });
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
