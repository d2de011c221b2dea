import * as tf from '@tensorflow/tfjs-core';
import { BugError } from '@ehr-backdoor/core';
import { wasmHeap, wasmHostBackend } from './host-heap.js';
import { rowwiseFunction } from './rowwise-simd.js';
import { opEngine, runKernel } from './run-kernel.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/**
 * The TabTransformer's multi-head attention (models/tabtransformer.ts) for training on the WASM backend
 * of the tfjs version the kernel fixes were measured on (wasmHostBackend), as one op:
 *
 *   q, k, v [B·L, d] ─▶ split heads (Transpose to [B·heads, L, dh]) ─▶ w = softmax(q·kᵀ · scale)
 *     ─▶ w·v ─▶ merge heads (Transpose back) ─▶ context [B·L, d]
 *
 * As tensor ops that is ≈ 17 ops forward and ≈ 16 backward per block (reshapes, transposes, two
 * matMuls, the scale's Mul with a scalar uploaded at each call, the softmax), each through tfjs's engine
 * and tape in JavaScript. Here the forward and backward passes call the same kernels on the same
 * operands directly (run-kernel.ts: the Transposes, the BatchMatMuls with the same transposes, so the
 * matMul override serves them as before, and the Softmax), so the products are the same bits. Two
 * element-wise steps are WebAssembly SIMD passes with the float32 operations of the kernels they
 * replace: the scale's product (the Mul kernel's x·s) and, backward, the softmax gradient
 * dy·y − Σ(dy·y)·y (as wasm/softmax.ts forms it) times s in the same pass, which the Mul's gradient did
 * as a kernel of its own. Values and gradients are bit-identical to the tensor-op form
 * (attention.spec.ts). The weights come back as a plain tensor, outside the tape: nothing in training
 * takes their gradient.
 */
export function attentionAvailable(): boolean {
  const backend = wasmHostBackend();
  return backend !== undefined && kernelsFor(backend) !== undefined;
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
  if (!backend || !simd) throw new BugError('attentionFused needs the WASM backend of tfjs 4.22 and WebAssembly SIMD (attentionAvailable)');
  const [rows, d] = q.shape;
  const [B, L, dh] = [batch, rows / batch, d / heads];
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const view = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: 'float32' });
  const wrap = (t: tf.TensorInfo, shape: number[]) => tf.engine().makeTensorFromTensorInfo(view(t, shape));
  // [B, L, heads, dh] ↔ [B, heads, L, dh]: the heads' split and merge, and the gradients of both.
  const swap = (t: tf.TensorInfo, shape: number[]) => runKernel(backend, tf.Transpose, { x: view(t, shape) }, { perm: [0, 2, 1, 3] });
  const split = (t: tf.TensorInfo) => swap(t, [B, L, heads, dh]);
  const merge = (t: tf.TensorInfo) => swap(t, [B, heads, L, dh]);
  const heads3 = (t: tf.TensorInfo) => view(t, [B * heads, L, dh]);
  const matMul = (a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) =>
    runKernel(backend, tf.BatchMatMul, { a, b }, { transposeA, transposeB });
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
      const [qs, ks, vs] = [q, k, v].map(split);
      const scores = matMul(heads3(qs), heads3(ks), false, true);
      const logits = backend.makeOutput([B * heads, L, L], 'float32');
      withScale((s) => simd.scale(B * heads * L, L, offset(scores), L, s, 0, offset(logits), L));
      free(scores);
      const w = runKernel(backend, tf.Softmax, { logits }, { dim: 2 });
      free(logits);
      const ctx = matMul(w, heads3(vs), false, false);
      const merged = merge(ctx);
      free(ctx);
      // Kept past the tidy that the engine runs this function in; handed to the caller's scope below.
      weights = tf.keep(wrap(w, [B * heads, L, L]));
      save([...[qs, ks, vs].map((t) => wrap(t, [B * heads, L, dh])), weights]);
      return wrap(merged, [B * L, d]);
    },
    backwardsFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [qs, ks, vs, w] = saved;
      const dctx = heads3(split(Array.isArray(dy) ? dy[0] : dy));
      const dw = matMul(dctx, vs, false, true);
      const dvs = matMul(w, dctx, true, false);
      const dscores = backend.makeOutput([B * heads, L, L], 'float32');
      withScale((s) => simd.softmaxGradient(B * heads * L, L, offset(dw), L, offset(w), L, s, 0, offset(dscores), L));
      const dqs = matMul(dscores, ks, false, false);
      const dks = matMul(dscores, qs, true, false);
      const [dq, dk, dv] = [dqs, dks, dvs].map((t) => wrap(merge(t), [B * L, d]));
      [dctx, dw, dscores, dqs, dks, dvs].forEach(free);
      return { q: () => dq, k: () => dk, v: () => dv };
    },
  }) as tf.Tensor2D;
  const weights4 = tf.reshape(weights!, [B, heads, L, L]) as tf.Tensor4D;
  weights!.dispose();
  return { context, weights: weights4 };
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
