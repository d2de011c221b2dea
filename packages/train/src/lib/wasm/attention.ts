import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BugError } from '@ehr-backdoor/core';
import { stridedMatMulAvailable, stridedMatMulSimd, type MatrixLayout } from './batched-matmul-simd.js';
import { wasmHeap, wasmHostBackend } from './host-heap.js';
import { rowwiseFunction } from './rowwise-simd.js';
import { opEngine, runKernel } from './run-kernel.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/**
 * The TabTransformer's multi-head attention (models/tabtransformer.ts) for training on the WASM backend
 * of the tfjs version the kernel fixes were measured on (wasmHostBackend), as one op:
 *
 *   q, k, v [B·L, d] ─▶ per sample and head: w = softmax(q·kᵀ · scale) ─▶ w·v ─▶ context [B·L, d]
 *
 * As tensor ops that is ≈ 17 ops forward and ≈ 16 backward per block (reshapes, the heads' split and
 * merge as transposes, two matMuls, the scale's Mul with a scalar uploaded at each call, the softmax),
 * each through tfjs's engine and tape in JavaScript. Here the products run on the kernel the matMul
 * override gives them (batched-matmul-simd.ts, the same order of additions, so the same bits), reading
 * each head of q, k, v and of the upstream gradient in place (rows d apart, sample b's head h at
 * b·L·d + h·dh) and writing the merged context and the gradients of q, k, v in place the same way: no
 * split or merge transposes. Only the two products with a transposed right operand (q·kᵀ and, backward,
 * dctx·vᵀ) transpose it, once, from [B, L, heads, dh] to [B, heads, dh, L], where the tensor-op form
 * transposed twice. Two element-wise steps are WebAssembly SIMD passes with the float32 operations of
 * the kernels they replace: the scale's product (the Mul kernel's x·s) and, backward, the softmax
 * gradient dy·y − Σ(dy·y)·y (as wasm/softmax.ts forms it) times s in the same pass, which the Mul's
 * gradient did as a kernel of its own. Values and gradients are bit-identical to the tensor-op form
 * (attention.spec.ts). The weights come back as a plain tensor, outside the tape: nothing in training
 * takes their gradient. A batch of one sample with one head is left to the tensor ops, whose products
 * then run on other kernels (matmul.ts).
 */
export function attentionAvailable(batch: number, heads: number): boolean {
  const backend = wasmHostBackend();
  return batch * heads > 1 && backend !== undefined && kernelsFor(backend) !== undefined && stridedMatMulAvailable(backend);
}

export interface AttentionOutput {
  /** [B·L, d]: the heads' contexts, merged. */
  readonly context: tf.Tensor2D;
  /** [B, heads, L, L]: the attention weights, without a gradient. */
  readonly weights: tf.Tensor4D;
}

export function attentionFused(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  v: tf.Tensor2D,
  batch: number,
  heads: number,
  scale: number,
): AttentionOutput {
  const backend = wasmHostBackend();
  const simd = backend && kernelsFor(backend);
  if (!backend || !simd || !attentionAvailable(batch, heads))
    throw new BugError(
      'attentionFused needs the WASM backend of tfjs 4.22, WebAssembly SIMD and two heads or samples (attentionAvailable)',
    );
  const [rows, d] = q.shape;
  const [B, L, dh] = [batch, rows / batch, d / heads];
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const wrap = (t: tf.TensorInfo, shape: number[]) => tf.engine().makeTensorFromTensorInfo({ dataId: t.dataId, shape, dtype: 'float32' });
  const { packedProduct, inPlaceProduct, headsTransposed } = headProducts(backend, B, L, heads, dh);
  // The scale as the float32 scalar tf.mul(x, scale) multiplies by, where the passes read it.
  const withScale = <T>(f: (s: number) => T): T => {
    const s = backend.makeOutput([1], 'float32');
    wasmHeap(backend).HEAPF32[offset(s) / 4] = scale;
    try {
      return f(offset(s));
    } finally {
      free(s);
    }
  };
  let weights: tf.Tensor | undefined;
  const context = opEngine().runKernelFunc({
    inputs: { q, k, v },
    forwardFunc: (_: unknown, save: tf.GradSaveFunc) => {
      const kT = headsTransposed(k);
      const scores = packedProduct(q, kT);
      free(kT);
      const logits = backend.makeOutput([B * heads, L, L], 'float32');
      withScale((s) => simd.scale(B * heads * L, L, offset(scores), L, s, 0, offset(logits), L));
      free(scores);
      const w = runKernel(backend, tf.Softmax, { logits }, { dim: 2 });
      free(logits);
      const merged = inPlaceProduct(w, v, false);
      // Kept past the tidy that the engine runs this function in; handed to the caller's scope below.
      weights = tf.keep(wrap(w, [B * heads, L, L]));
      save([q, k, v, weights]);
      return wrap(merged, [B * L, d]);
    },
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [qs, ks, vs, w] = saved;
      const dctx = Array.isArray(dy) ? dy[0] : dy;
      const vT = headsTransposed(vs);
      const dw = packedProduct(dctx, vT);
      free(vT);
      const dv = inPlaceProduct(w, dctx, true);
      const dscores = backend.makeOutput([B * heads, L, L], 'float32');
      withScale((s) => simd.softmaxGradient(B * heads * L, L, offset(dw), L, offset(w), L, s, 0, offset(dscores), L));
      free(dw);
      const dq = inPlaceProduct(dscores, ks, false);
      const dk = inPlaceProduct(dscores, qs, true);
      free(dscores);
      const [gq, gk, gv] = [dq, dk, dv].map((t) => wrap(t, [B * L, d]));
      return { q: () => gq, k: () => gk, v: () => gv };
    },
  }) as tf.Tensor2D;
  const weights4 = tf.reshape(weights!, [B, heads, L, L]) as tf.Tensor4D;
  weights!.dispose();
  return { context, weights: weights4 };
}

/**
 * The products of attention per sample and head on the batched matMul kernel, each head read (and
 * written) in place in a [B·L, d] tensor or packed in [B, heads, rows, columns]; and k or v with its heads
 * transposed, [B, L, heads, dh] → [B, heads, dh, L], for the products with a transposed right operand.
 */
function headProducts(backend: BackendWasm, B: number, L: number, heads: number, dh: number) {
  const d = heads * dh;
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset / 4;
  // Head h of sample b, [rows, columns]: in place in a [B·L, d] tensor, or packed in [B, heads, rows, columns].
  const inPlace = (t: tf.TensorInfo): MatrixLayout => ({ offset: offset(t), outerStride: L * d, innerStride: dh, rowStride: d });
  const packed = (t: tf.TensorInfo, columns: number): MatrixLayout => {
    const size = (t.shape[t.shape.length - 2] ?? 1) * columns;
    return { offset: offset(t), outerStride: heads * size, innerStride: size, rowStride: columns };
  };
  // C = A · B per sample and head; Aᵀ given for transposedA. Layouts are read after the output is made.
  const product = (m: number, kk: number, n: number, transposedA: boolean, layouts: () => [MatrixLayout, MatrixLayout, MatrixLayout]) =>
    stridedMatMulSimd(backend, { batch: [B, heads], m, k: kk, n, transposedA }, ...layouts());
  // [B·heads, L, L]: a's heads (in place) times bT's (packed, [dh, L] each).
  const packedProduct = (a: tf.TensorInfo, bT: tf.TensorInfo) => {
    const out = backend.makeOutput([B * heads, L, L], 'float32');
    product(L, dh, L, false, () => [inPlace(a), packed(bT, L), packed(out, L)]);
    return out;
  };
  // [B·L, d]: a's heads (packed, [L, L] each, or their transposes) times b's (in place), written in place.
  const inPlaceProduct = (a: tf.TensorInfo, b: tf.TensorInfo, transposedA: boolean) => {
    const out = backend.makeOutput([B * L, d], 'float32');
    product(L, L, dh, transposedA, () => [packed(a, L), inPlace(b), inPlace(out)]);
    return out;
  };
  // [B, L, heads, dh] → [B, heads, dh, L]: the heads of k or v transposed for a product with Bᵀ.
  const headsTransposed = (t: tf.TensorInfo) =>
    runKernel(backend, tf.Transpose, { x: { dataId: t.dataId, shape: [B, L, heads, dh], dtype: 'float32' } }, { perm: [0, 2, 3, 1] });
  return { packedProduct, inPlaceProduct, headsTransposed };
}

type Fn = (...args: number[]) => void;

/** y = x · s, s one float for all rows (stride 0): the Mul kernel's product with a scalar. */
const scaleFunction = rowwiseFunction('scale', ['x', 's', 'y'], (r) => r.columns(() => r.store('y', r.mul(r.load('x'), r.rowLoad('s')))));

/** dx = (dy·y − Σ(dy·y)·y) · s: softmax.ts's gradient pass, then the scale's Mul gradient. */
const gradientFunction = rowwiseFunction('softmaxGradient', ['dy', 'y', 's', 'dx'], (r) => {
  const sum = r.scalar(r.constant(0));
  r.columns(() => r.accumulate(sum, r.mul(r.load('dy'), r.load('y'))));
  r.columns(() => r.store('dx', r.mul(r.sub(r.mul(r.load('dy'), r.load('y')), r.mul(sum, r.load('y'))), r.rowLoad('s'))));
});

const kernelsFor = instanceCache(
  () => assembleModule([scaleFunction, gradientFunction]),
  (exports) => ({ scale: exports['scale'] as Fn, softmaxGradient: exports['softmaxGradient'] as Fn }),
);
