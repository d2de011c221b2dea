import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { elementwiseFunction } from './elementwise-simd.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/** out = (a − 1)·b + a, with b's row read with its stride (0: one row for all). */
const fused = elementwiseFunction('fma', ['a', 'b', 'out'], (x) => {
  const a = x.let(x.load('a'));
  x.store('out', x.add(x.mul(x.sub(a, x.constant(1)), x.load('b')), a));
});
const kernelFor = instanceCache(
  () => assembleModule([fused]),
  (e) => e.fma as (...args: number[]) => void,
);

describe('elementwiseFunction', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    [3, 8, 8],
    [2, 7, 7],
    [4, 1, 1],
    [3, 6, 0],
  ])('runs the statements on every element, rounding each operation to float32 (rows %i, cols %i, b stride %i)', (rows, cols, bStride) => {
    const backend = tf.backend() as BackendWasm;
    const a = tf.tensor2d(
      Float32Array.from({ length: rows * cols }, (_, k) => 0.1 * k - 1.3),
      [rows, cols],
    );
    const b = tf.tensor1d(Float32Array.from({ length: Math.max(1, rows) * cols }, (_, k) => 1 / (k + 3)));
    const out = tf.zeros([rows, cols + 2]);
    const at = (t: tf.Tensor) => backend.typedArrayFromHeap(t).byteOffset;
    kernelFor(backend)!(rows, cols, at(a), cols, at(b), bStride, at(out), cols + 2);
    const av = a.dataSync();
    const bv = b.dataSync();
    const f = Math.fround;
    const expected = Array.from({ length: rows * (cols + 2) }, (_, k) => {
      const [r, j] = [Math.floor(k / (cols + 2)), k % (cols + 2)];
      if (j >= cols) return 0;
      const x = av[r * cols + j];
      return f(f(f(x - 1) * bv[r * bStride + j]) + x);
    });
    expect(Array.from(out.dataSync())).toEqual(expected);
    tf.dispose([a, b, out]);
  });

  it('names an unknown array', () => {
    expect(() => elementwiseFunction('bad', ['a'], (x) => x.store('b' as 'a', x.load('a')))).toThrow('elementwise bad: no array b');
  });
});
