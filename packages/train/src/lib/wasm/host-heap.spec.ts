import * as tf from '@tensorflow/tfjs-core';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { wasmHostBackend } from './host-heap.js';

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
