import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { installMatMulTransposeFix, uninstallMatMulTransposeFix } from './matmul.js';
import { plainMatMulSimd, transposedMatMulSimd } from './gemm-simd.js';

function randomTensor(rng: Random, shape: number[]): tf.Tensor {
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
}

const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer);

/** The stock kernels, XNNPACK for an unbatched product, without the override. */
function stock<T>(f: () => T): T {
  uninstallMatMulTransposeFix();
  try {
    return f();
  } finally {
    installMatMulTransposeFix();
  }
}

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

  /** Shapes across the tiles' edges (rows of 4, columns of 8 and 4), the blocks of K, and the models' products. */
  const plainShapes = (): [number, number, number][] => {
    const shapes: [number, number, number][] = [];
    for (const k of [1, 3, 64, 257]) for (const m of [1, 3, 4, 5, 9]) for (const n of [1, 4, 5, 8, 9, 13, 17]) shapes.push([m, k, n]);
    shapes.push([128, 64, 256], [128, 256, 64], [3072, 72, 256], [2944, 32, 32], [4992, 32, 96], [600, 513, 12]);
    return shapes;
  };

  it('computes A · B with XNNPACK’s bits for plain operands, rank 2 and rank 3 with a batch of one', () => {
    const rng = Random.fromSeed(11);
    const differing: string[] = [];
    for (const [m, k, n] of plainShapes()) {
      const rank3 = (m + k + n) % 2 === 0;
      const a = randomTensor(rng, rank3 ? [1, m, k] : [m, k]);
      const b = randomTensor(rng, rank3 ? [1, k, n] : [k, n]);
      const simd = tf.engine().makeTensorFromTensorInfo(plainMatMulSimd(a, b, tf.backend() as BackendWasm)!);
      const reference = stock(() => tf.matMul(a, b));
      if (!bytes(simd).equals(bytes(reference)) || simd.shape.join() !== reference.shape.join()) differing.push(`${m}×${k}·${k}×${n}`);
      tf.dispose([a, b, simd, reference]);
    }
    expect(differing).toEqual([]);
  });

  it('adds a bias as XNNPACK’s fused product does: the accumulator starts at the bias, before the products; relu after the sum', () => {
    const rng = Random.fromSeed(12);
    const differing: string[] = [];
    for (const [m, k, n] of plainShapes()) {
      const a = randomTensor(rng, [m, k]);
      const b = randomTensor(rng, [k, n]);
      const bias = tf.mul(randomTensor(rng, [n]), 100) as tf.Tensor1D;
      for (const activation of ['linear', 'relu'] as const) {
        const simd = tf.engine().makeTensorFromTensorInfo(plainMatMulSimd(a, b, tf.backend() as BackendWasm, bias, activation)!);
        const reference = stock(() => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation }));
        if (!bytes(simd).equals(bytes(reference))) differing.push(`${m}×${k}·${k}×${n} ${activation}`);
        tf.dispose([simd, reference]);
      }
      tf.dispose([a, b, bias]);
    }
    expect(differing).toEqual([]);
    // (1e8 + 3) + 3 rounds to 1e8 in float32; (3 + 3) + 1e8 to 1e8 + 8: the order shows.
    const [a, b, bias] = [tf.tensor2d([3, 3], [1, 2]), tf.tensor2d([1, 1], [2, 1]), tf.tensor1d([1e8])];
    const first = tf.engine().makeTensorFromTensorInfo(plainMatMulSimd(a, b, tf.backend() as BackendWasm, bias)!);
    expect(first.dataSync()[0]).toBe(1e8);
    expect(bytes(first).equals(bytes(stock(() => tf.fused.matMul({ a, b, bias }))))).toBe(true);
  });

  it('keeps XNNPACK’s results for zeros, infinities and NaN in plain products, with and without a bias', () => {
    const a = tf.tensor2d([NaN, 1, Infinity, -Infinity, -0, 1, 1, 1, 1, -0], [5, 2]);
    const b = tf.tensor2d([-0, 2, 3, 4, 5, 6, 7, 8, 9, -0, 1, 1, 1, 1, 1, 1, 1, 1], [2, 9]);
    const bias = tf.tensor1d([-0, 0, -0, NaN, Infinity, -Infinity, 1, -1, -0]);
    const backend = tf.backend() as BackendWasm;
    const plain = tf.engine().makeTensorFromTensorInfo(plainMatMulSimd(a, b, backend)!);
    expect(bytes(plain).equals(bytes(stock(() => tf.matMul(a, b))))).toBe(true);
    const withBias = tf.engine().makeTensorFromTensorInfo(plainMatMulSimd(a, b, backend, bias)!);
    expect(bytes(withBias).equals(bytes(stock(() => tf.fused.matMul({ a, b, bias }))))).toBe(true);
    // relu as XNNPACK clamps: NaN of either sign, −0 and negatives become +0 (45 outputs: vectors and a tail of 1).
    const relu = tf.engine().makeTensorFromTensorInfo(plainMatMulSimd(a, b, backend, bias, 'relu')!);
    expect(bytes(relu).equals(bytes(stock(() => tf.fused.matMul({ a, b, bias, activation: 'relu' }))))).toBe(true);
    const negativeNaN = new Float32Array(Uint32Array.of(0xffc00000).buffer)[0];
    const signs = tf.tensor2d([NaN, negativeNaN, -0, -1, 2, 0, Infinity], [1, 7]);
    const reluOfSigns = plainMatMulSimd(tf.ones([1, 1]), signs, backend, tf.zeros([7]), 'relu')!;
    // toEqual tells +0 from −0 (Object.is).
    expect(Array.from(tf.engine().makeTensorFromTensorInfo(reluOfSigns).dataSync())).toEqual([0, 0, 0, 0, 2, 0, Infinity]);
  });

  it('leaves what it does not compute to the caller: batches, transposes’ shapes, other biases, empty products', () => {
    const backend = tf.backend() as BackendWasm;
    const [a, b] = [tf.ones([2, 3, 4]), tf.ones([2, 4, 5])];
    expect(plainMatMulSimd(a, b, backend)).toBeUndefined();
    expect(plainMatMulSimd(tf.ones([3, 4]), tf.ones([5, 4]), backend)).toBeUndefined();
    expect(plainMatMulSimd(tf.ones([3, 4]), tf.ones([4, 5]), backend, tf.ones([1]))).toBeUndefined();
    expect(plainMatMulSimd(tf.ones([3, 4]), tf.ones([4, 5]), backend, tf.ones([1, 5]))).toBeUndefined();
    expect(plainMatMulSimd(tf.ones([3, 0]), tf.ones([0, 5]), backend)).toBeUndefined();
    expect(plainMatMulSimd(tf.ones([3, 4], 'int32'), tf.ones([4, 5]), backend)).toBeUndefined();
    expect(plainMatMulSimd(tf.ones([3, 4]), tf.ones([4, 5]), backend, undefined, 'relu')).toBeUndefined();
  });

  it('serves unbatched plain products and linear fused products through the matMul override', () => {
    const rng = Random.fromSeed(13);
    const [x, w, bias] = [randomTensor(rng, [300, 24]), randomTensor(rng, [24, 20]), randomTensor(rng, [20])] as [
      tf.Tensor2D,
      tf.Tensor2D,
      tf.Tensor1D,
    ];
    expect(bytes(tf.matMul(x, w)).equals(bytes(stock(() => tf.matMul(x, w))))).toBe(true);
    expect(bytes(tf.fused.matMul({ a: x, b: w, bias })).equals(bytes(stock(() => tf.fused.matMul({ a: x, b: w, bias }))))).toBe(true);
    const relu = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' });
    expect(bytes(relu).equals(bytes(stock(() => tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }))))).toBe(true);
  });
});
