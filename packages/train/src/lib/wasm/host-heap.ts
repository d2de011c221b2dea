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

/** The backend's Emscripten heap: its float view and allocator, which tfjs-backend-wasm's typings leave out. */
export interface WasmHeap {
  /** A view of the whole memory; replaced when the memory grows, so read it after allocating. */
  readonly HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

export function wasmHeap(backend: BackendWasm): WasmHeap {
  return backend.wasm as unknown as WasmHeap;
}
