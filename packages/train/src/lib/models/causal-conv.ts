import * as tf from '@tensorflow/tfjs-core';
import { causalConvFused, causalConvFusedAvailable } from '../wasm/causal-conv-fused.js';
import { affine, biasGradient } from './affine.js';

/**
 * A causal dilated convolution over time-major input, with ReLU:
 *
 *   x[T, B, Cin] ─▶ left-pad (k − 1)·d hours ─▶ tap j = hours shifted by (k − 1 − j)·d
 *     ─▶ Σ_j tap_j · W[j·Cin : (j+1)·Cin] + b ─▶ relu ─▶ [T, B, Cout]
 *
 * written as a sum of matMuls, one per tap, so output hour t only sees hours t, t − d, …, t − (k − 1)d.
 * In the time-major layout every shifted copy, and every weight block, is a contiguous slice; an im2col
 * concat on the channel axis (and its split in the backward pass) would be strided copies, which the
 * WASM backend does element by element. tfjs has neither causal padding nor gradients for dilated
 * convolutions, and the WASM backend lacks Conv2DBackpropFilter.
 *
 * `gradients` chooses how the backward pass is formed:
 * - 'autodiff': tfjs differentiates the forward ops (for inference and for gradients with respect to
 *   the input, as integrated gradients needs);
 * - 'weights' and 'weights-and-input', for training: the same gradients, bit for bit, with fewer
 *   copies. Each tap's weight gradient tap_jᵀ · dz is the matMul autodiff asks for (transposeA) of a
 *   row range of the padded input; on WASM it runs on the Aᵀ·B kernel that reads the tap in place
 *   (wasm/gemm-simd.ts), where a transpose of the padded input ([T·B, Cin], the largest
 *   copy of a TCN step) used to come first. 'weights' skips the input gradient, for a first layer
 *   whose input is data.
 *
 * Both backward forms add the same products in the same order (see causal-conv.spec.ts). On the WASM
 * backend the training forms run as one op with the backend's kernels called directly and no padded
 * copy (wasm/causal-conv-fused.ts), with the same bits.
 */
export type CausalConvGradients = 'autodiff' | 'weights' | 'weights-and-input';

export interface CausalConvShape {
  readonly kernelSize: number;
  readonly dilation: number;
}

export function causalConv(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  { kernelSize: k, dilation }: CausalConvShape,
  gradients: CausalConvGradients,
): tf.Tensor3D {
  if (gradients === 'autodiff') return forward(x, w, b, k, dilation, false).y;
  if (causalConvFusedAvailable()) return causalConvFused(x, w, b, k, dilation, gradients === 'weights-and-input');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, wIn, bIn, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const { padded, y } = forward(xIn, wIn, bIn, k, dilation, true);
    save([padded, wIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        backward(dy as tf.Tensor3D, saved as [tf.Tensor3D, tf.Tensor2D, tf.Tensor3D], k, dilation, gradients === 'weights-and-input'),
    };
  });
  return op(x, w, b) as tf.Tensor3D;
}

/**
 * `lastTapIsInput`: the last tap (no shift) is the input itself, and reading it there rather than
 * slicing it out of the padded copy saves a copy per layer. Only where the backward pass is written
 * out: under autodiff the input would then get its gradient along two paths, added in another order.
 */
function forward(
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  k: number,
  dilation: number,
  lastTapIsInput: boolean,
): { padded: tf.Tensor3D; y: tf.Tensor3D } {
  const [hours, B, Cin] = x.shape;
  const Cout = w.shape[1];
  const pad = (k - 1) * dilation;
  const padded =
    pad > 0
      ? (tf.pad(x, [
          [pad, 0],
          [0, 0],
          [0, 0],
        ]) as tf.Tensor3D)
      : x;
  const tap = (j: number) =>
    tf.reshape(k === 1 || (lastTapIsInput && j === k - 1) ? x : tf.slice(padded, [j * dilation, 0, 0], [hours, B, Cin]), [
      hours * B,
      Cin,
    ]) as tf.Tensor2D;
  const weights = (j: number) => (k === 1 ? w : tf.slice(w, [j * Cin, 0], [Cin, Cout])) as tf.Tensor2D;
  let sum: tf.Tensor2D | null = null;
  for (let j = 0; j < k - 1; j++) {
    const product = tf.matMul(tap(j), weights(j)) as tf.Tensor2D;
    sum = sum ? (tf.add(sum, product) as tf.Tensor2D) : product;
  }
  const last = affine(tap(k - 1), weights(k - 1), b);
  const y = tf.reshape(tf.relu(sum ? tf.add(sum, last) : last), [hours, B, Cout]) as tf.Tensor3D;
  return { padded, y };
}

/**
 * The gradients autodiff forms for `forward`, in its order: relu's, then per tap (last first) the
 * weight block tap_jᵀ · dz and the input part dz · W_jᵀ, each placed at its shift in the padded input
 * and accumulated as the tape does, ((tap k−1 + tap k−2) + …), then unpadded; the bias gets dz's
 * column sums (biasGradient, affine.ts). Only the copies differ: each tap is a row range of the padded input.
 */
function backward(
  dy: tf.Tensor3D,
  [padded, w, y]: [tf.Tensor3D, tf.Tensor2D, tf.Tensor3D],
  k: number,
  dilation: number,
  inputGradient: boolean,
): tf.Tensor[] {
  const [paddedHours, B, Cin] = padded.shape;
  const [hours, , Cout] = y.shape;
  const rows = hours * B;
  const pad = paddedHours - hours;
  const dz = tf.mul(tf.reshape(dy, [rows, Cout]), tf.step(tf.reshape(y, [rows, Cout]))) as tf.Tensor2D;
  const padded2d = tf.reshape(padded, [paddedHours * B, Cin]) as tf.Tensor2D;
  const blocks: tf.Tensor2D[] = [];
  for (let j = k - 1; j >= 0; j--) {
    const tap = (k === 1 ? padded2d : tf.slice(padded2d, [j * dilation * B, 0], [rows, Cin])) as tf.Tensor2D;
    blocks[j] = tf.matMul(tap, dz, true, false) as tf.Tensor2D;
  }
  const dw = k === 1 ? blocks[0] : tf.concat(blocks, 0);
  const db = biasGradient(dz);
  if (!inputGradient) return [tf.zeros([hours, B, Cin]), dw, db];
  let accumulated: tf.Tensor3D | null = null;
  for (let j = k - 1; j >= 0; j--) {
    const wj = (k === 1 ? w : tf.slice(w, [j * Cin, 0], [Cin, Cout])) as tf.Tensor2D;
    const dTap = tf.reshape(tf.matMul(dz, wj, false, true), [hours, B, Cin]) as tf.Tensor3D;
    const placed =
      k === 1
        ? dTap
        : (tf.pad(dTap, [
            [j * dilation, pad - j * dilation],
            [0, 0],
            [0, 0],
          ]) as tf.Tensor3D);
    accumulated = accumulated ? (tf.add(accumulated, placed) as tf.Tensor3D) : placed;
  }
  const dx = pad > 0 ? tf.slice(accumulated as tf.Tensor3D, [pad, 0, 0], [hours, B, Cin]) : (accumulated as tf.Tensor3D);
  return [dx, dw, db];
}
