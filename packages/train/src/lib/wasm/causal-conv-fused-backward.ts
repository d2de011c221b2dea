import * as tf from '@tensorflow/tfjs-core';
import type { CausalConvKernels } from './causal-conv-kernels.js';
import { heapView, releaseView } from './heap-view.js';
import { runKernel } from './run-kernel.js';
import { wholeTerm } from './shifted-sum.js';

/**
 * The gradients of causal-conv-fused.ts's convolution for dy[T, B, Cout], formed as autodiff forms them
 * for the tensor-op convolution (models/causal-conv.ts), with s_j = (k − 1 − j)·d:
 *
 *   dz = dy ⊙ step(y)                               (the Step and Multiply kernels)
 *   dW_j = x[0 : T − s_j]ᵀ · dz[s_j : T]            (the Aᵀ·B kernel, straight into block j of dW)
 *   db = ones · dz                                  (the same kernel, as biasGradient in affine.ts)
 *   Q_j = dz[s_j : T] · W_jᵀ                         (BatchMatMul; W_jᵀ by the Transpose kernel)
 *   dx[t] = ((Q_{k−1}[t] + Q_{k−2}[t]) + …) + Q_0[t]   (+0 for a Q_j from hour T − s_j on)
 *
 * dW_j: the tap's padding rows come first in the tensor-op product, and add 0 · dz = ±0 to an
 * accumulator at +0, which leaves it at +0; so the product may start at the first row of data. dx: the
 * tensor-op form multiplies all of dz by W_jᵀ, pads each tap's gradient back to its place and adds
 * them, last tap first, then drops the padding; Q_j is the part of that product that is not dropped,
 * and the sum adds the same terms and the same +0s in that order (shifted-sum.ts).
 */
export function causalConvBackward(
  { backend, atb, sum }: CausalConvKernels,
  dy: tf.Tensor3D,
  [x, w, y]: [tf.Tensor3D, tf.Tensor2D, tf.Tensor3D],
  k: number,
  dilation: number,
  inputGradient: boolean,
): tf.Tensor[] {
  const [hours, B, Cin] = x.shape;
  const Cout = w.shape[1];
  const rows = hours * B;
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  // Offsets are read after the allocations before them, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const tensor = (t: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(t);
  const step = runKernel(backend, tf.Step, { x: y }, { alpha: 0 });
  const dz = runKernel(backend, tf.Multiply, { a: dy, b: step });
  free(step);
  const dw = backend.makeOutput([k * Cin, Cout], 'float32');
  for (let j = 0; j < k; j++) {
    const shift = Math.min((k - 1 - j) * dilation, hours);
    atb(offset(x), offset(dz) + 4 * shift * B * Cout, offset(dw) + 4 * j * Cin * Cout, Cin, (hours - shift) * B, Cout);
  }
  const ones = backend.makeOutput([rows], 'float32');
  (backend.typedArrayFromHeap(ones) as Float32Array).fill(1);
  const db = backend.makeOutput([Cout], 'float32');
  atb(offset(ones), offset(dz), offset(db), 1, rows, Cout);
  free(ones);
  const dx = inputGradient ? inputGradientOf({ backend, atb, sum }, dz, w, x.shape, k, dilation) : zeros(backend, x.shape);
  free(dz);
  return [tensor(dx), tensor(dw), tensor(db)];
}

function inputGradientOf(
  { backend, sum }: CausalConvKernels,
  dz: tf.TensorInfo,
  w: tf.Tensor2D,
  [hours, B, Cin]: number[],
  k: number,
  dilation: number,
): tf.TensorInfo {
  const Cout = w.shape[1];
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const shift = (j: number) => Math.min((k - 1 - j) * dilation, hours);
  // dz[s_j : T] · W_jᵀ, W_jᵀ by the Transpose kernel as the matMul override transposes it, both operands read in place.
  const parts = Array.from({ length: k }, (_, j) => {
    const rows = (hours - shift(j)) * B;
    if (rows === 0) return backend.makeOutput([0, Cin], 'float32');
    const wj = heapView(backend, offset(w) + 4 * j * Cin * Cout, [Cin, Cout]);
    const wjT = runKernel(backend, tf.Transpose, { x: wj }, { perm: [1, 0] });
    releaseView(backend, wj);
    const dzTail = heapView(backend, offset(dz) + 4 * shift(j) * B * Cout, [1, rows, Cout]);
    const part = runKernel(
      backend,
      tf.BatchMatMul,
      { a: dzTail, b: { dataId: wjT.dataId, shape: [1, Cout, Cin], dtype: 'float32' } },
      { transposeA: false, transposeB: false },
    );
    releaseView(backend, dzTail);
    free(wjT);
    return part;
  });
  if (k === 1) return { dataId: parts[0].dataId, shape: [hours, B, Cin], dtype: 'float32' };
  const dx = backend.makeOutput([hours, B, Cin], 'float32');
  const zerosRow = zeros(backend, [Cin]);
  const passes = sum(offset(zerosRow));
  // Part j's hour t is tap j's gradient at output hour t + s_j, which lands on input hour t; none from hour T − s_j on.
  const tap = (j: number) => {
    const base = offset(parts[j]);
    return { at: (t: number) => base + 4 * t * B * Cin, stride: Cin, from: 0, to: hours - shift(j) };
  };
  const out = offset(dx);
  for (let j = k - 2; j >= 0; j--) passes.add(j === k - 2 ? tap(k - 1) : wholeTerm(out, hours, B, Cin), tap(j), out, hours, B, Cin);
  [...parts, zerosRow].forEach(free);
  return dx;
}

function zeros(backend: CausalConvKernels['backend'], shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
  return out;
}
