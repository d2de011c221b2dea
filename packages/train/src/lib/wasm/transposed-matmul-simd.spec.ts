import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { installMatMulTransposeFix, uninstallMatMulTransposeFix } from './matmul.js';
import { transposedMatMulSimd } from './transposed-matmul-simd.js';

function randomTensor(rng: Random, shape: number[]): tf.Tensor {
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
}

const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer);

/** What the matMul override did before this kernel: transpose A, then the stock kernel's unbatched product on XNNPACK. */
function throughXnnpack(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  uninstallMatMulTransposeFix();
  try {
    return tf.matMul(tf.transpose(a), b);
  } finally {
    installMatMulTransposeFix();
  }
}

describe('SIMD Aᵀ · B (WASM)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('adds the products as XNNPACK does, at every tile edge, across blocks of K and for K up to a weight gradient of 39 × 128 rows', () => {
    const rng = Random.fromSeed(5);
    const differing: string[] = [];
    const shapes: [number, number, number][] = [];
    for (const k of [1, 2, 49, 130]) for (let m = 1; m <= 9; m++) for (const n of [1, 3, 4, 5, 8, 9, 12, 13, 17]) shapes.push([k, m, n]);
    // K blocks of 256: one row short of a block, exactly one, one row into the next, a ragged last block.
    for (const k of [255, 256, 257, 600]) for (const m of [1, 4, 5]) for (const n of [1, 8, 13]) shapes.push([k, m, n]);
    shapes.push([4992, 32, 32], [4992, 64, 32], [4992, 32, 64], [128, 182, 37], [3072, 72, 256]);
    for (const [k, m, n] of shapes) {
      const a = randomTensor(rng, [k, m]);
      const b = randomTensor(rng, [k, n]);
      const info = transposedMatMulSimd({ a, b, k, m, n, outShape: [m, n] }, tf.backend() as BackendWasm);
      const simd = tf.engine().makeTensorFromTensorInfo(info!);
      const reference = throughXnnpack(a, b);
      if (!bytes(simd).equals(bytes(reference)) || simd.size !== m * n) differing.push(`${k}×${m}ᵀ·${k}×${n}`);
      tf.dispose([a, b, simd, reference]);
    }
    expect(differing).toEqual([]);
  });

  it('keeps XNNPACK’s results for zeros, infinities and NaN (an accumulator from +0, no clamping)', () => {
    const a = tf.tensor2d([NaN, 1, Infinity, -Infinity, -0, 1, 1, 1, 1, -0], [2, 5]);
    const b = tf.tensor2d([-0, 2, 3, 4, 5, 6, 7, 8, 9, -0, 1, 1, 1, 1, 1, 1, 1, 1], [2, 9]);
    const simd = tf
      .engine()
      .makeTensorFromTensorInfo(transposedMatMulSimd({ a, b, k: 2, m: 5, n: 9, outShape: [5, 9] }, tf.backend() as BackendWasm)!);
    expect(bytes(simd).equals(bytes(throughXnnpack(a, b)))).toBe(true);
  });

  it('serves weight and bias gradients through the matMul override, as transpose-then-XNNPACK computed them', () => {
    const rng = Random.fromSeed(9);
    const x = randomTensor(rng, [300, 24]);
    const dz = randomTensor(rng, [300, 20]);
    expect(bytes(tf.matMul(x, dz, true, false)).equals(bytes(throughXnnpack(x, dz)))).toBe(true);
    const ones = tf.ones([1, 300]);
    const columnSums = tf.matMul(ones, dz);
    expect(bytes(columnSums).equals(bytes(throughXnnpack(tf.transpose(ones), dz)))).toBe(true);
    const values = dz.dataSync();
    const expected = Float32Array.from({ length: 20 }, (_, j) => {
      let sum = 0;
      for (let k = 0; k < 300; k++) sum = Math.fround(sum + values[k * 20 + j]);
      return sum;
    });
    expect(Buffer.from(expected.buffer).equals(bytes(columnSums))).toBe(true);
  });
});
