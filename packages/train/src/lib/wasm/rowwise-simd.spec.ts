import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { rowwiseFunction } from './rowwise-simd.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/** Per row: s = Σ x (from +0, columns ascending); out = (x − s/cols)·w + col, with w a per-row value; col[j] += x. */
const centre = rowwiseFunction('centre', ['x', 'w', 'out', 'col', 'sums'], (x) => {
  const s = x.scalar(x.constant(0));
  x.columns(() => x.accumulate(s, x.load('x')));
  x.store('sums', s);
  const mean = x.scalar(x.div(s, x.cols()));
  x.columns(() => {
    const v = x.let(x.load('x'));
    x.store('out', x.add(x.mul(x.sub(v, mean), x.rowLoad('w')), x.neg(x.neg(x.load('col')))));
    x.store('col', x.add(x.load('col'), v));
  });
});
const kernelFor = instanceCache(
  () => assembleModule([centre]),
  (e) => e.centre as (...args: number[]) => void,
);

describe('rowwiseFunction', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    [3, 8],
    [2, 7],
    [4, 1],
    [1, 13],
  ])('adds a row in ascending column order and runs each pass on every element (rows %i, cols %i)', (rows, cols) => {
    const backend = tf.backend() as BackendWasm;
    // Large and small values, so that any other order of the additions gives other sums.
    const xs = Float32Array.from({ length: rows * cols }, (_, k) => [1e8, 1, -1e8, 3, 0.1, -7e7][k % 6] * (1 + k / 100));
    const ws = Float32Array.from({ length: rows }, (_, r) => 0.5 + r);
    const [x, w, out, col, sums] = [tf.tensor1d(xs), tf.tensor1d(ws), tf.zeros([rows * cols]), tf.zeros([cols]), tf.zeros([rows])];
    const at = (t: tf.Tensor) => backend.typedArrayFromHeap(t).byteOffset;
    kernelFor(backend)!(rows, cols, at(x), cols, at(w), 1, at(out), cols, at(col), 0, at(sums), 1);
    const f = Math.fround;
    const expectedOut: number[] = [];
    const expectedCol = new Array<number>(cols).fill(0);
    const expectedSums: number[] = [];
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s = f(s + xs[r * cols + j]);
      expectedSums.push(s);
      const mean = f(s / cols);
      for (let j = 0; j < cols; j++) {
        expectedOut.push(f(f(f(xs[r * cols + j] - mean) * ws[r]) + expectedCol[j]));
        expectedCol[j] = f(expectedCol[j] + xs[r * cols + j]);
      }
    }
    expect(Array.from(sums.dataSync())).toEqual(expectedSums);
    expect(Array.from(out.dataSync())).toEqual(expectedOut);
    expect(Array.from(col.dataSync())).toEqual(expectedCol);
    tf.dispose([x, w, out, col, sums]);
  });

  it('refuses element loads and accumulations outside a column pass, and nested passes', () => {
    expect(() => rowwiseFunction('a', ['x'], (x) => void x.load('x'))).toThrow('rowwise a: load outside a column pass');
    expect(() => rowwiseFunction('b', ['x'], (x) => x.accumulate(x.scalar(x.constant(0)), x.constant(1)))).toThrow(
      'rowwise b: accumulate outside a column pass',
    );
    expect(() => rowwiseFunction('c', ['x'], (x) => x.columns(() => x.columns(() => undefined)))).toThrow(
      'rowwise c: nested column passes',
    );
    expect(() => rowwiseFunction('d', ['x'], (x) => x.store('y' as 'x', x.constant(0)))).toThrow('rowwise d: no array y');
  });
});
