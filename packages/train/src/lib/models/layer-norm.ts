import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../params.js';
import { layerNormAvailable, layerNormFused } from '../wasm/layer-norm.js';

export interface LayerNormParams {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
}

export function layerNormParams(store: ParamStore, name: string, d: number): LayerNormParams {
  return {
    gamma: store.add(`${name}/gamma`, [d], { kind: 'constant', value: 1 }, false),
    beta: store.add(`${name}/beta`, [d], { kind: 'constant', value: 0 }, false),
  };
}

/**
 * Layer norm over the last axis. On the WASM backend it is one op (wasm/layer-norm.ts) whose values and
 * gradients are the bits of the tensor ops below; elsewhere the tensor ops.
 */
export function layerNorm<T extends tf.Tensor>(x: T, p: LayerNormParams): T {
  return layerNormAvailable() ? layerNormFused(x, p.gamma as tf.Tensor1D, p.beta as tf.Tensor1D, false) : layerNormOps(x, p);
}

/**
 * The layer norm of x, and x for a later residual add that must take it from here: on WASM the fused op
 * needs that use routed through it to add x's gradients in the tape's order (wasm/layer-norm.ts).
 */
export function layerNormWithResidual<T extends tf.Tensor>(x: T, p: LayerNormParams): [normed: T, residual: T] {
  return layerNormAvailable() ? layerNormFused(x, p.gamma as tf.Tensor1D, p.beta as tf.Tensor1D, true) : [layerNormOps(x, p), x];
}

/**
 * tf.moments(x, -1, true) written out without its Cast of x to float32, which copies the whole tensor on
 * WASM even from float32. The same kernels run on the same values, and in backpropagation each gradient
 * reaches x and the mean in the same order as through the Cast, so the results are the same bits.
 */
export function layerNormOps<T extends tf.Tensor>(x: T, p: LayerNormParams): T {
  const mean = tf.mean(x, -1, true);
  const variance = tf.mean(tf.square(tf.sub(x, mean)), -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), p.gamma), p.beta) as T;
}
