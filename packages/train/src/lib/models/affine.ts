import * as tf from '@tensorflow/tfjs-core';

/**
 * x[rows, in] · W[in, out] + b, optionally with ReLU: `tf.fused.matMul`, with its gradient written out
 * on the WASM backend.
 *
 * The bias gradient is dy summed over rows. The stock WASM Sum reduces innermost axes only, so it
 * first transposes dy, a noticeable share of a TCN step (docs/training.md). Here it is
 * computed as the matMul ones[1, rows] · dy. With the kernel fixes, it and the weight gradient run on
 * the SIMD kernel of wasm/gemm-simd.ts, which reads dy in place; without them, it reuses
 * the XNNPACK operator the weight gradient has just built for dy (the backend caches one per right-hand
 * operand). Either way it adds each column's rows in ascending order in float32, as the Sum kernel's
 * loop does. Forward values and all
 * three gradients are therefore bit-identical to tf.fused.matMul's (affine.spec.ts): the forward is
 * tf.fused.matMul itself, which is fused outside gradient recording and matMul + add + relu inside it.
 *
 * `inputGradient: false` is for a layer whose input is data (the LSTM's input projection in training):
 * its backward pass then skips dz · Wᵀ, a product as large as the weight gradient, and hands back zeros.
 *
 * Other backends run tf.fused.matMul unchanged.
 */
export function affine(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  activation: 'linear' | 'relu' = 'linear',
  inputGradient = true,
): tf.Tensor2D {
  if (tf.getBackend() !== 'wasm') return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as tf.Tensor2D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, wIn, bIn, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.fused.matMul({ a: xIn, b: wIn, bias: bIn, activation });
    save([xIn, wIn, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws, ys] = saved;
        // relu's derivative: step(y) equals step(x·W + b), since relu(z) > 0 exactly when z > 0.
        const dz = (activation === 'relu' ? tf.mul(dy, tf.step(ys)) : dy) as tf.Tensor2D;
        // The weight gradient first: on stock kernels it builds the XNNPACK operator for dz that the bias gradient reuses.
        const dw = tf.matMul(xs, dz, true, false);
        const db = biasGradient(dz);
        // zerosLike fills the zeros in the backend's memory; tf.zeros would fill a JavaScript array and copy it there.
        const dx = inputGradient ? tf.matMul(dz, ws, false, true) : tf.zerosLike(xs);
        return [dx, dw, db];
      },
    };
  });
  return op(x, w, b) as tf.Tensor2D;
}

/**
 * dz[rows, units] summed over rows, as tfjs differentiates a bias add: on WASM as ones[1, rows] · dz,
 * called after the weight gradient (see above); elsewhere as
 * the Sum that autodiff uses, so other backends keep their results.
 */
export function biasGradient(dz: tf.Tensor2D): tf.Tensor1D {
  const [rows, units] = dz.shape;
  if (tf.getBackend() !== 'wasm') return tf.sum(dz, 0);
  // Fill writes the ones in the backend's memory; tf.ones would fill a JavaScript array and copy it there.
  return tf.reshape(tf.matMul(tf.fill([1, rows], 1, 'float32'), dz), [units]);
}
