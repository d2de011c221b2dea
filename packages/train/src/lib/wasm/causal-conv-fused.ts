import * as tf from '@tensorflow/tfjs-core';
import { BugError } from '@ehr-backdoor/core';
import { causalConvBackward } from './causal-conv-fused-backward.js';
import { causalConvKernels, type CausalConvKernels } from './causal-conv-kernels.js';
import { heapView, releaseView } from './heap-view.js';
import { runKernel } from './run-kernel.js';
import { wholeTerm } from './shifted-sum.js';

/**
 * models/causal-conv.ts's causal dilated convolution with ReLU, for training on the WASM backend of the
 * tfjs version the kernel fixes were measured on (wasmHostBackend), as one op whose forward and
 * backward passes call the backend's kernels directly, without the padded input or any slice of it:
 *
 *   forward:  P_j = x[0 : T − s_j] · W_j  (+ b for j = k − 1)     s_j = (k − 1 − j)·d; W_j rows j·Cin… of w
 *             z[t] = ((P_0[t − s_0] + P_1[t − s_1]) + …) + P_{k−1}[t]   (+0 for a P_j before hour s_j)
 *             y = relu(z)
 *
 * The tensor-op form pads x, slices k taps and k weight blocks, runs k matMuls (the last fused with
 * the bias) and k − 1 Adds: ≈ 15 kernels through tfjs's engine and tape forward and ≈ 25 backward per
 * layer, which made JavaScript the largest item of a TCN step (docs/results.md). Here tap j's product
 * is the same BatchMatMul (or _FusedMatMul) over the hours of tap j that are data: x's first T − s_j
 * hours are a prefix of x, and W_j a row range of w, read in place (heap-view.ts). Each element of a
 * product is one float32 accumulator over the inner axis, so it does not depend on how many rows the
 * product has; the padding rows' products are +0, which the sum adds where the tensor-op form added
 * them, in its order (shifted-sum.ts). The backward pass (causal-conv-fused-backward.ts) forms
 * autodiff's gradients the same way. Values and gradients are therefore bit-identical to the tensor-op
 * form's for finite gradients (causal-conv-fused.spec.ts); a weight gradient that skips padding rows
 * skips 0 · dz, which is not +0 or −0 only when dz is infinite or NaN.
 */
export function causalConvFusedAvailable(): boolean {
  return causalConvKernels() !== undefined;
}

/** The convolution of x[T, B, Cin] with w[k·Cin, Cout] and b[Cout]; `inputGradient: false` gives x a zero gradient. */
export function causalConvFused(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  kernelSize: number,
  dilation: number,
  inputGradient: boolean,
): tf.Tensor3D {
  const k = causalConvKernels();
  if (!k) throw new BugError('causalConvFused needs the WASM backend of tfjs 4.22 and WebAssembly SIMD (causalConvFusedAvailable)');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, wIn, bIn, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.engine().makeTensorFromTensorInfo(causalConvForward(k, xIn, wIn, bIn, kernelSize, dilation)) as tf.Tensor3D;
    save([xIn, wIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        causalConvBackward(k, dy as tf.Tensor3D, saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor3D], kernelSize, dilation, inputGradient),
    };
  });
  return op(x, w, b) as tf.Tensor3D;
}

function causalConvForward(
  { backend, sum }: CausalConvKernels,
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  k: number,
  dilation: number,
): tf.TensorInfo {
  const [hours, B] = x.shape;
  const Cout = w.shape[1];
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const products = tapProducts(backend, x, w, b, k, dilation);
  if (k === 1) {
    const y = runKernel(backend, tf.Relu, { x: { dataId: products[0].dataId, shape: [hours, B, Cout], dtype: 'float32' } });
    free(products[0]);
    return y;
  }
  const pre = backend.makeOutput([hours, B, Cout], 'float32');
  const zeros = backend.makeOutput([Cout], 'float32');
  (backend.typedArrayFromHeap(zeros) as Float32Array).fill(0);
  const passes = sum(offset(zeros));
  // Tap j's product row r is output row r + shift; its first `shift` hours read padding.
  const tap = (j: number) => {
    const shift = (k - 1 - j) * dilation;
    const base = offset(products[j]);
    return { at: (t: number) => base + 4 * (t - shift) * B * Cout, stride: Cout, from: shift, to: hours };
  };
  const out = offset(pre);
  for (let j = 1; j < k; j++) passes.add(j === 1 ? tap(0) : wholeTerm(out, hours, B, Cout), tap(j), out, hours, B, Cout);
  [...products, zeros].forEach(free);
  const y = runKernel(backend, tf.Relu, { x: pre });
  free(pre);
  return y;
}

/**
 * tap_j · W_j for the rows of tap j that are data: the first T − s_j hours of x (a prefix, so x itself
 * with a shorter shape) times rows [j·Cin, (j + 1)·Cin) of w (read in place), the last with the bias.
 * A tap that is all padding gets an empty product.
 */
function tapProducts(backend: CausalConvKernels['backend'], x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D, k: number, dilation: number) {
  const [hours, B, Cin] = x.shape;
  const Cout = w.shape[1];
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  return Array.from({ length: k }, (_, j) => {
    const rows = Math.max(hours - (k - 1 - j) * dilation, 0) * B;
    if (rows === 0) return backend.makeOutput([0, Cout], 'float32');
    const wj = heapView(backend, offset(w) + 4 * j * Cin * Cout, [1, Cin, Cout]);
    const a: tf.TensorInfo = { dataId: x.dataId, shape: [1, rows, Cin], dtype: 'float32' };
    const product =
      j < k - 1
        ? runKernel(backend, tf.BatchMatMul, { a, b: wj }, { transposeA: false, transposeB: false })
        : runKernel(
            backend,
            tf._FusedMatMul,
            { a, b: wj, bias: b },
            { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 },
          );
    releaseView(backend, wj);
    return product;
  });
}
