import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { heapView, releaseView } from './heap-view.js';
import { runKernel } from './run-kernel.js';

describe('heapView', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  const backend = () => tf.backend() as BackendWasm;
  const offset = (t: tf.TensorInfo) => backend().typedArrayFromHeap(t).byteOffset;

  it('lets a kernel read a row range in place, as it reads a copy of it', () => {
    tf.tidy(() => {
      const a = tf.tensor2d(
        Float32Array.from({ length: 6 * 5 }, (_, i) => Math.sin(i) * 3),
        [6, 5],
      );
      const b = tf.tensor2d(
        Float32Array.from({ length: 5 * 4 }, (_, i) => Math.cos(i)),
        [5, 4],
      );
      const copy = tf.slice(a, [2, 0], [3, 5]);
      const view = heapView(backend(), offset(a) + 4 * 2 * 5, [1, 3, 5]);
      const product = runKernel(backend(), tf.BatchMatMul, { a: view, b }, { transposeA: false, transposeB: false });
      releaseView(backend(), view);
      const expected = tf.matMul(copy, b).dataSync();
      expect(Array.from(backend().typedArrayFromHeap(product))).toEqual(Array.from(expected));
      backend().disposeData(product.dataId);
    });
  });

  it('is released without freeing the memory it reads', () => {
    const a = tf.tensor1d([1, 2, 3, 4]);
    const before = backend().numDataIds();
    const view = heapView(backend(), offset(a) + 4, [2]);
    expect(backend().numDataIds()).toBe(before + 1);
    releaseView(backend(), view);
    expect(backend().numDataIds()).toBe(before);
    // Memory the view read is still a's: a later allocation does not take it over.
    const other = tf.fill([4], 7);
    expect(Array.from(a.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([a, other]);
  });
});
