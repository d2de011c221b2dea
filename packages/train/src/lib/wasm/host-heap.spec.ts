import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { wasmHeap, wasmHostBackend } from './host-heap.js';

describe('wasmHostBackend', () => {
  it('is the WASM backend, with views of its memory, when WASM runs', async () => {
    await selectBackend('wasm');
    const heap = wasmHostBackend();
    expect(heap).toBeInstanceOf(BackendWasm);
    const x = tf.tensor([1, 2, 3]);
    expect(Array.from(heap!.typedArrayFromHeap(x))).toEqual([1, 2, 3]);
    x.dispose();
  });

  it('is undefined on another backend', async () => {
    await selectBackend('cpu');
    expect(wasmHostBackend()).toBeUndefined();
  });
});

describe('wasmHeap', () => {
  it('views the same memory as the tensors and allocates and frees blocks in it', async () => {
    await selectBackend('wasm');
    const backend = wasmHostBackend()!;
    const heap = wasmHeap(backend);
    const x = tf.tensor([4, 5, 6]);
    const at = backend.typedArrayFromHeap(x).byteOffset / 4;
    expect(Array.from(heap.HEAPF32.subarray(at, at + 3))).toEqual([4, 5, 6]);
    const block = heap._malloc(64);
    expect(block).toBeGreaterThan(0);
    expect(block % 8).toBe(0);
    heap._free(block);
    x.dispose();
  });
});
