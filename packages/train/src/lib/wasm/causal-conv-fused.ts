import * as tf from '@tensorflow/tfjs-core';
import { BugError } from '@ehr-backdoor/core';
import { causalConvBackward } from './causal-conv-fused-backward.js';
import { causalConvKernels, type CausalConvKernels } from './causal-conv-kernels.js';
import { wasmHeap } from './host-heap.js';
import { runKernel } from './run-kernel.js';
import { wholeTerm } from './shifted-sum.js';

/**
 * models/causal-conv.ts's causal dilated convolution with ReLU, for training on the WASM backend of the
 * tfjs version the kernel fixes were measured on (wasmHostBackend), as one op whose forward and
 * backward passes call the backend's kernels directly and do without the padded input and its slices:
 *
 *   forward:  P = x · [W_0 ‖ … ‖ W_{k−1}] + [0 ‖ … ‖ b]   (one _FusedMatMul; x[T·B, Cin], block j [T·B, Cout])
 *             z[t] = ((P_0[t − s_0] + P_1[t − s_1]) + …) + P_{k−1}[t]   with s_j = (k − 1 − j)·d, +0 before hour s_j
 *             y = relu(z)   (the Relu kernel)
 *
 * The tensor-op form (models/causal-conv.ts) pads x, slices k taps and runs k matMuls, the last with the
 * bias, then k − 1 Adds: ≈ 15 kernels through tfjs's engine and tape forward and ≈ 25 backward per
 * layer, which made JavaScript the largest item of a TCN step (docs/results.md). Each element of a
 * product is one float32 accumulator over the inner axis in ascending order, whatever the other
 * columns of the product, so block j of P is tap_j · W_j where tap_j has data (a padding row gives
 * +0, which the sum adds as it adds the padded product's +0), and the last block starts from the bias
 * as the fused matMul of the last tap does. The sum adds the blocks in the tensor-op form's order
 * (shifted-sum.ts). The backward pass (causal-conv-fused-backward.ts) forms autodiff's gradients the
 * same way. Values and gradients are therefore bit-identical to the tensor-op form's for finite
 * gradients (causal-conv-fused.spec.ts); a product that skips padding rows skips 0 · dz, which is only
 * not zero when dz is infinite or NaN.
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
  const [hours, B, Cin] = x.shape;
  const Cout = w.shape[1];
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  // Offsets are read after the allocations before them, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const as = (t: tf.TensorInfo, shape: number[]): tf.TensorInfo => ({ dataId: t.dataId, shape, dtype: 'float32' });
  // [W_0 ‖ … ‖ W_{k−1}] is w[k, Cin, Cout] with its first two axes swapped; the bias is zero but in the last block.
  const wide = k === 1 ? w : runKernel(backend, tf.Transpose, { x: as(w, [k, Cin, Cout]) }, { perm: [1, 0, 2] });
  const bias = k === 1 ? b : backend.makeOutput([k * Cout], 'float32');
  if (bias !== b) {
    const heap = wasmHeap(backend).HEAPF32;
    const at = offset(bias) / 4;
    heap.fill(0, at, at + (k - 1) * Cout);
    heap.copyWithin(at + (k - 1) * Cout, offset(b) / 4, offset(b) / 4 + Cout);
  }
  const products = runKernel(
    backend,
    tf._FusedMatMul,
    { a: as(x, [1, hours * B, Cin]), b: as(wide, [1, Cin, k * Cout]), bias },
    { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 },
  );
  if (wide !== w) free(wide);
  if (bias !== b) free(bias);
  if (k === 1) {
    const y = runKernel(backend, tf.Relu, { x: as(products, [hours, B, Cout]) });
    free(products);
    return y;
  }
  const pre = backend.makeOutput([hours, B, Cout], 'float32');
  const zeros = backend.makeOutput([Cout], 'float32');
  (backend.typedArrayFromHeap(zeros) as Float32Array).fill(0);
  const passes = sum(offset(zeros));
  const stride = k * Cout;
  const tap = (j: number) => {
    const shift = (k - 1 - j) * dilation;
    const base = offset(products) + 4 * j * Cout;
    return { at: (t: number) => base + 4 * (t - shift) * B * stride, stride, from: shift, to: hours };
  };
  const out = offset(pre);
  for (let j = 1; j < k; j++) passes.add(j === 1 ? tap(0) : wholeTerm(out, hours, B, Cout), tap(j), out, hours, B, Cout);
  [products, zeros].forEach(free);
  const y = runKernel(backend, tf.Relu, { x: pre });
  free(pre);
  return y;
}
