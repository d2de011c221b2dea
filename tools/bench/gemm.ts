/**
 * The project's GEMM kernels (packages/train/src/lib/wasm/gemm-simd.ts) beside tfjs-backend-wasm's
 * XNNPACK path on the products the four models' training runs, in one process, alternating:
 *
 *   node --import ./tools/node/source-loader.js tools/bench/gemm.ts [--rounds 7]
 *
 * Each product is called through tf.matMul / tf.fused.matMul twice per round: once with the matMul
 * override installed (our kernels) and once with the stock kernels (XNNPACK; for Aᵀ·B the stock
 * transposed path, which the override replaced first by a Transpose then XNNPACK, so that is the
 * reference here too). The right-hand operand is the same tensor across calls, as a weight matrix is
 * within a step, so XNNPACK packs it once. Prints GFLOP/s per CPU-second (2·M·K·N per call) and the
 * ratio ours / XNNPACK, the median over rounds. Both sides give the same bits (gemm-simd.spec.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpuUsage } from 'node:process';
import { selectBackend } from '@ehr-backdoor/train';
import { installMatMulTransposeFix, uninstallMatMulTransposeFix } from '../../packages/train/src/lib/wasm/matmul.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rounds = Number(arg('rounds', '7'));
await selectBackend('wasm');

interface Product {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly run: (a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor;
}
const plain = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.matMul(a, b);
const fused = (activation: 'linear' | 'relu') => (a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor1D) =>
  tf.fused.matMul({ a, b, bias, activation });
// Aᵀ·B: a is stored [k, m].
const transposedA = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.matMul(a, b, true, false);
const products: Product[] = [
  { name: 'LSTM h·Wh (per hour)', m: 128, k: 64, n: 256, run: plain },
  { name: 'LSTM dz·Whᵀ (per hour)', m: 128, k: 256, n: 64, run: plain },
  { name: 'LSTM x·Wx + b', m: 3072, k: 72, n: 256, run: fused('linear') },
  { name: 'LSTM xᵀ·dz (Aᵀ·B)', m: 72, k: 3072, n: 256, run: transposedA },
  { name: 'TCN tap·W (Cin 32)', m: 3072, k: 32, n: 32, run: plain },
  { name: 'TabTransformer FF relu', m: 4992, k: 32, n: 64, run: fused('relu') },
  { name: 'TabTransformer xᵀ·dz (Aᵀ·B)', m: 32, k: 4992, n: 64, run: transposedA },
];

const filled = (shape: [number, number] | [number], seed: number) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i * 0.37 + seed)),
    shape,
  );
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

console.log('product                         M     K     N   ours GFLOP/s  XNNPACK GFLOP/s  ours / XNNPACK');
for (const p of products) {
  const transposed = p.run === transposedA;
  const a = filled(transposed ? [p.k, p.m] : [p.m, p.k], 1) as tf.Tensor2D;
  const b = filled([p.k, p.n], 2) as tf.Tensor2D;
  const bias = filled([p.n], 3) as tf.Tensor1D;
  const calls = Math.max(3, Math.round(3e8 / (2 * p.m * p.k * p.n)));
  const gflops = (stock: boolean) => {
    if (stock) uninstallMatMulTransposeFix();
    try {
      p.run(a, b, bias).dispose();
      const start = cpuUsage();
      for (let i = 0; i < calls; i++) p.run(a, b, bias).dispose();
      const used = cpuUsage(start);
      return (2 * p.m * p.k * p.n * calls) / ((used.user + used.system) / 1e6) / 1e9;
    } finally {
      if (stock) installMatMulTransposeFix();
    }
  };
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const o = gflops(false);
    const x = gflops(true);
    ours.push(o);
    theirs.push(x);
    ratios.push(o / x);
  }
  console.log(
    `${p.name.padEnd(30)}${String(p.m).padStart(5)} ${String(p.k).padStart(5)} ${String(p.n).padStart(5)}   ${median(ours).toFixed(1).padStart(12)}  ${median(theirs).toFixed(1).padStart(15)}  ${median(ratios).toFixed(2).padStart(14)}×`,
  );
  tf.dispose([a, b, bias]);
}
