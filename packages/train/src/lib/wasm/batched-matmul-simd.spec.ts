import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { batchedMatMulSimd, simdAvailable, stridedMatMulAvailable, stridedMatMulSimd, type MatrixLayout } from './batched-matmul-simd.js';
import { installMatMulTransposeFix, uninstallMatMulTransposeFix } from './matmul.js';

function randomTensor(rng: Random, shape: number[]): tf.Tensor {
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()),
    shape,
  );
}

const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).slice().buffer);

// [batch dims, M, K, N]: the TabTransformer's attention (39 tokens, 8 per head), column tails of 1–3,
// K across the stock kernel's block of 48, and a rank-4 batch.
const CASES: [number[], number, number, number][] = [
  [[16], 39, 8, 39],
  [[16], 39, 39, 8],
  [[3], 5, 100, 7],
  [[2], 1, 1, 1],
  [[4], 7, 49, 13],
  [[2, 3], 6, 48, 10],
];

describe('SIMD batched matMul (WASM)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('validates on this runtime', () => {
    expect(simdAvailable()).toBe(true);
  });

  it.each(CASES)('is bit-identical to the stock kernel (batch %j, %i × %i · %i × …)', (outer, m, k, n) => {
    const rng = Random.fromSeed(m * 1000 + k * 10 + n);
    const a = randomTensor(rng, [...outer, m, k]);
    const b = randomTensor(rng, [...outer, k, n]);
    const info = batchedMatMulSimd(a, b, tf.backend() as BackendWasm);
    expect(info).toBeDefined();
    const simd = tf.engine().makeTensorFromTensorInfo(info!);
    expect(simd.shape).toEqual([...outer, m, n]);
    uninstallMatMulTransposeFix();
    const stock = tf.matMul(a, b);
    installMatMulTransposeFix();
    expect(bytes(simd).equals(bytes(stock))).toBe(true);
    tf.dispose([a, b, simd, stock]);
  });

  it('is bit-identical to the stock kernel at every tile edge (M 1–9, N 1–17, K across the block of 48), A as given or transposed', () => {
    const rng = Random.fromSeed(11);
    const differing: string[] = [];
    for (const k of [1, 3, 47, 49])
      for (let m = 1; m <= 9; m++)
        for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 16, 17]) {
          const a = randomTensor(rng, [3, m, k]);
          const b = randomTensor(rng, [3, k, n]);
          const simd = tf.engine().makeTensorFromTensorInfo(batchedMatMulSimd(a, b, tf.backend() as BackendWasm)!);
          uninstallMatMulTransposeFix();
          const stock = tf.matMul(a, b);
          installMatMulTransposeFix();
          if (!bytes(simd).equals(bytes(stock))) differing.push(`${m}×${k}·${k}×${n}`);
          // Aᵀ read in place: the same products, in the same order, as after transposing it.
          const aT = tf.transpose(a, [0, 2, 1]);
          const inPlace = tf.engine().makeTensorFromTensorInfo(batchedMatMulSimd(aT, b, tf.backend() as BackendWasm, true)!);
          if (!bytes(inPlace).equals(bytes(stock))) differing.push(`(${k}×${m})ᵀ·${k}×${n}`);
          tf.dispose([a, b, simd, stock, aT, inPlace]);
        }
    expect(differing).toEqual([]);
  });

  it('leaves products it does not serve to the stock kernel', () => {
    const rng = Random.fromSeed(1);
    const backend = tf.backend() as BackendWasm;
    const shared = [randomTensor(rng, [4, 3, 5]), randomTensor(rng, [5, 2])];
    const single = [randomTensor(rng, [1, 3, 5]), randomTensor(rng, [1, 5, 2])];
    const broadcast = [randomTensor(rng, [4, 3, 5]), randomTensor(rng, [1, 5, 2])];
    for (const [a, b] of [shared, single, broadcast]) expect(batchedMatMulSimd(a, b, backend)).toBeUndefined();
  });

  it('serves attention-shaped products and their gradients through the matMul override, bit-identically', () => {
    const rng = Random.fromSeed(7);
    const q = randomTensor(rng, [32, 39, 8]);
    const k = randomTensor(rng, [32, 39, 8]);
    const v = randomTensor(rng, [32, 39, 8]);
    const attention = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.matMul(tf.softmax(tf.matMul(x, y, false, true)), z);
    const run = () => {
      const out = attention(q, k, v);
      const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.square(attention(x, y, z))))([q, k, v]);
      return [out, ...grads].map(bytes);
    };
    const fixed = run();
    uninstallMatMulTransposeFix();
    const stock = run();
    installMatMulTransposeFix();
    fixed.forEach((values, i) => expect({ i, same: values.equals(stock[i]) }).toEqual({ i, same: true }));
  });

  // [outer, inner, M, K, N, padding]: attention's heads (39 tokens, 4 heads of 8), tails of the tiles, K across
  // the block of 48, one row or column; each operand's matrices lie `padding` floats apart within rows
  // that hold `inner` of them side by side (as heads lie in [B·L, d]).
  it.each([
    [4, 4, 39, 8, 39, 0],
    [3, 2, 5, 49, 7, 3],
    [2, 3, 9, 13, 17, 1],
    [1, 5, 1, 1, 1, 2],
    [2, 1, 6, 4, 12, 5],
  ])(
    'reads and writes strided two-level batches in place with the packed kernel’s bits (%i × %i of %i × %i · × %i, gap %i)',
    (outer, inner, m, k, n, gap) => {
      const backend = tf.backend() as BackendWasm;
      expect(stridedMatMulAvailable(backend)).toBe(true);
      const rng = Random.fromSeed(outer * 100 + m * 10 + n);
      // Packed [outer·inner, rows, columns] and the same matrices strided: matrix (o, i) at row o·rows, column i·(columns + gap).
      const strided = (t: tf.Tensor, rows: number, columns: number) => {
        const row = inner * (columns + gap) + gap;
        const padded = tf.pad(tf.reshape(t, [outer, inner, rows, columns]), [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, gap],
        ]);
        const interleaved = tf.pad(tf.reshape(tf.transpose(padded, [0, 2, 1, 3]), [outer * rows, inner * (columns + gap)]), [
          [0, 0],
          [0, gap],
        ]);
        return {
          tensor: interleaved,
          layout: (offset: number): MatrixLayout => ({ offset, outerStride: rows * row, innerStride: columns + gap, rowStride: row }),
        };
      };
      const heap = (t: tf.Tensor) => backend.typedArrayFromHeap(t).byteOffset / 4;
      for (const transposedA of [false, true]) {
        const a = randomTensor(rng, [outer * inner, ...(transposedA ? [k, m] : [m, k])]);
        const b = randomTensor(rng, [outer * inner, k, n]);
        const packed = tf.engine().makeTensorFromTensorInfo(batchedMatMulSimd(a, b, backend, transposedA)!);
        const [sa, sb] = [strided(a, ...((transposedA ? [k, m] : [m, k]) as [number, number])), strided(b, k, n)];
        // The output's gaps hold a marker that the kernel must leave alone.
        const so = strided(tf.fill([outer * inner, m, n], 7), m, n);
        const before = (so.tensor.dataSync() as Float32Array).map((x) => (x === 0 ? 3 : x));
        const outTensor = tf.tensor(before, so.tensor.shape);
        stridedMatMulSimd(
          backend,
          { batch: [outer, inner], m, k, n, transposedA },
          sa.layout(heap(sa.tensor)),
          sb.layout(heap(sb.tensor)),
          so.layout(heap(outTensor)),
        );
        const after = outTensor.dataSync() as Float32Array;
        const expected = strided(packed, m, n).tensor.dataSync() as Float32Array;
        const differing = Array.from(after.keys()).filter((i) =>
          before[i] === 3
            ? after[i] !== 3
            : Buffer.from(after.buffer, after.byteOffset + 4 * i, 4).compare(
                Buffer.from(expected.buffer, expected.byteOffset + 4 * i, 4),
              ) !== 0,
        );
        expect({ transposedA, differing }).toEqual({ transposedA, differing: [] });
        tf.dispose([a, b, packed, sa.tensor, sb.tensor, so.tensor, outTensor]);
      }
    },
  );
});
