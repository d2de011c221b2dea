import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { normalValues, tensorBits } from '../testing/tensor-bits.js';
import { attentionAvailable, attentionFused } from './attention.js';
import { softmaxFused } from './softmax.js';

describe('attentionFused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  type Attend = (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, B: number, heads: number, scale: number) => [tf.Tensor2D, tf.Tensor];

  // models/tabtransformer.ts's tensor-op form, with the softmax it takes on WASM.
  const tensorOps: Attend = (q, k, v, B, heads, scale) => {
    const [rows, d] = q.shape;
    const [L, dh] = [rows / B, d / heads];
    const split = (t: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(t, [B, L, heads, dh]), [0, 2, 1, 3]), [B * heads, L, dh]);
    const weights = softmaxFused(tf.mul(tf.matMul(split(q), split(k), false, true), scale));
    const merged = tf.transpose(tf.reshape(tf.matMul(weights, split(v)), [B, heads, L, dh]), [0, 2, 1, 3]);
    return [tf.reshape(merged, [B * L, d]) as tf.Tensor2D, tf.reshape(weights, [B, heads, L, L])];
  };
  const fused: Attend = (q, k, v, B, heads, scale) => {
    const { context, weights } = attentionFused(q, k, v, B, heads, scale);
    return [context, weights];
  };

  /** Digests of the bits of the context, the weights and the gradients of ⟨upstream, context⟩ for q, k and v. */
  const run = (attend: Attend, [B, L, heads, dh]: number[], special = false) => {
    const rng = Random.fromSeed(B * 1000 + L * 10 + heads, 'attention');
    const d = heads * dh;
    const filled = (n: number, scale: number) => normalValues(rng, n, scale);
    const bits = tensorBits;
    return tf.tidy(() => {
      const [q, k, v] = [0, 1, 2].map(() => {
        const values = filled(B * L * d, 1);
        // ±0, subnormals, ties and large logits (a saturated softmax), where an order or a sign of zero would show.
        if (special) values.forEach((_, i) => (values[i] = i % 5 === 0 ? [0, -0, 1e-39, 30, -25, 2 ** 20][i % 6] : values[i]));
        return tf.tensor2d(values, [B * L, d]);
      });
      const upstream = tf.tensor2d(filled(B * L * d, 1), [B * L, d]);
      const scale = 1 / Math.sqrt(dh);
      const [context, weights] = attend(q, k, v, B, heads, scale);
      const [dq, dk, dv] = tf.grads((qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor) =>
        tf.sum(tf.mul(attend(qi as tf.Tensor2D, ki as tf.Tensor2D, vi as tf.Tensor2D, B, heads, scale)[0], upstream)),
      )([q, k, v]);
      return { context: bits(context), weights: bits(weights), dq: bits(dq), dk: bits(dk), dv: bits(dv) };
    });
  };

  it('is available on the WASM backend of tfjs 4.22 for two samples or heads or more', () => {
    expect([attentionAvailable(2, 1), attentionAvailable(1, 2), attentionAvailable(1, 1)]).toEqual([true, true, false]);
  });

  // [B, L, heads, dh]: the TabTransformer's (39 tokens, 4 heads of 8) on part of a batch, then odd sizes
  // (the SIMD passes' tails, the product kernels' tile edges, heads read in place at odd strides), one
  // token, one head, one sample, heads of one column, and L above the product kernel's blocks of 48.
  it.each([
    [32, 39, 4, 8],
    [3, 5, 2, 3],
    [2, 1, 3, 4],
    [4, 7, 1, 6],
    [1, 6, 3, 5],
    [3, 9, 5, 1],
    [2, 13, 3, 13],
    [2, 50, 2, 5],
  ])('equals the tensor-op attention bit for bit, values and gradients (B %i, L %i, heads %i, dh %i)', (B, L, heads, dh) => {
    const shape = [B, L, heads, dh];
    expect(run(fused, shape)).toEqual(run(tensorOps, shape));
  });

  it('keeps the bits on signed zeros, subnormals and saturated weights', () => {
    const shape = [5, 9, 2, 4];
    expect(run(fused, shape, true)).toEqual(run(tensorOps, shape, true));
  });

  it('frees every temporary it allocates', () => {
    const shape = [2, 3, 2, 2];
    run(fused, shape);
    const before = tf.memory().numTensors;
    const bytes = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    run(fused, shape);
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(bytes);
  });
});
