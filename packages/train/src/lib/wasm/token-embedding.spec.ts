import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { normalValues, tensorBits } from '../testing/tensor-bits.js';
import { tokenEmbeddingAvailable, tokenEmbeddingFused } from './token-embedding.js';

describe('tokenEmbeddingFused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  type Embed = (x: tf.Tensor2D, w: tf.Tensor3D, bias: tf.Tensor2D, cls: tf.Tensor3D, featureToken: readonly number[]) => tf.Tensor3D;

  // models/tabtransformer.ts's tensor-op form.
  const tensorOps: Embed = (x, w, bias, cls, featureToken) => {
    const [B, F] = x.shape;
    const [G, d] = bias.shape;
    const groupMask = new Float32Array(F * G);
    featureToken.forEach((g, j) => (groupMask[j * G + g] = 1));
    const spread = tf.reshape(tf.mul(w, tf.tensor(groupMask, [F, G, 1])), [F, G * d]);
    const tokens = tf.add(tf.reshape(tf.matMul(x, spread), [B, G, d]), bias);
    return tf.concat([tf.tile(cls, [B, 1, 1]), tokens], 1) as tf.Tensor3D;
  };

  /** Digests of the bits of the output and of the gradients of ⟨upstream, embed(…)⟩ for W, bias and [CLS]. */
  const run = (embed: Embed, B: number, featureToken: readonly number[], G: number, d: number, special = false) => {
    const F = featureToken.length;
    const rng = Random.fromSeed(B * 1000 + F * 10 + d, 'token-embedding');
    const filled = (n: number, scale: number) => normalValues(rng, n, scale);
    const bits = tensorBits;
    return tf.tidy(() => {
      const xs = filled(B * F, 1);
      const ws = filled(F * d, 0.3);
      // ±0, subnormals, and values whose products cancel or round, where an order or a sign of zero would show.
      if (special) {
        xs.forEach((_, i) => (xs[i] = [0, -0, 1e-38, -3, 3, 2 ** 24, 1][i % 7]));
        ws.forEach((_, i) => (ws[i] = [-1, 1, -0, 0.5, 1e-30, 3, -(2 ** -20)][i % 7]));
      }
      const x = tf.tensor2d(xs, [B, F]);
      const w = tf.tensor3d(ws, [F, 1, d]);
      const bias = tf.tensor2d(filled(G * d, 0.1), [G, d]);
      const cls = tf.tensor3d(filled(d, 0.2), [1, 1, d]);
      const upstream = tf.tensor3d(
        special ? filled(B * (G + 1) * d, 1).map((v, i) => (i % 5 === 0 ? -0 : v)) : filled(B * (G + 1) * d, 1),
        [B, G + 1, d],
      );
      const f = (wi: tf.Tensor, bi: tf.Tensor, ci: tf.Tensor) =>
        embed(x, wi as tf.Tensor3D, bi as tf.Tensor2D, ci as tf.Tensor3D, featureToken);
      const [dw, db, dc] = tf.grads((wi: tf.Tensor, bi: tf.Tensor, ci: tf.Tensor) => tf.sum(tf.mul(f(wi, bi, ci), upstream)))([
        w,
        bias,
        cls,
      ]);
      return { y: bits(f(w, bias, cls)), dw: bits(dw), db: bits(db), dc: bits(dc) };
    });
  };

  // The bench and study layout: 36 variables × 5 statistics, then 2 static features, one token each.
  const studyLayout = Array.from({ length: 182 }, (_, j) => (j < 180 ? Math.floor(j / 5) : 36 + j - 180));
  // Features of a token need not be adjacent; a token may have none.
  const scattered = (F: number, G: number) => Array.from({ length: F }, (_, j) => (j * 7 + 3) % (G - 1));

  it('is available on the WASM backend of tfjs 4.22', () => {
    expect(tokenEmbeddingAvailable()).toBe(true);
  });

  it.each([
    ['the study layout, batch 128, d 32', 128, studyLayout, 38, 32],
    ['the study layout, a short last batch, d 8', 17, studyLayout, 38, 8],
    ['scattered features, odd widths', 9, scattered(23, 6), 6, 5],
    ['scattered features, d 3 (no SIMD columns)', 4, scattered(11, 4), 4, 3],
    ['one feature, one row', 1, [0], 1, 6],
  ])('equals the tensor-op embedding bit for bit, output and gradients (%s)', (_, B, layout, G, d) => {
    expect(run(tokenEmbeddingFused, B, layout, G, d)).toEqual(run(tensorOps, B, layout, G, d));
  });

  it('keeps the bits on signed zeros, subnormals and cancelling products', () => {
    expect(run(tokenEmbeddingFused, 21, studyLayout, 38, 12, true)).toEqual(run(tensorOps, 21, studyLayout, 38, 12, true));
    expect(run(tokenEmbeddingFused, 14, scattered(30, 7), 7, 7, true)).toEqual(run(tensorOps, 14, scattered(30, 7), 7, 7, true));
  });

  it('frees every temporary it allocates', () => {
    run(tokenEmbeddingFused, 3, scattered(8, 3), 3, 4);
    const before = tf.memory().numTensors;
    const bytes = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    run(tokenEmbeddingFused, 3, scattered(8, 3), 3, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(bytes);
  });

  it('refuses a layout that does not fit the weights', () => {
    tf.tidy(() => {
      const [x, w, bias, cls] = [tf.zeros([2, 3]), tf.zeros([3, 1, 4]), tf.zeros([2, 4]), tf.zeros([1, 1, 4])];
      const embed = (layout: number[]) => () =>
        tokenEmbeddingFused(x as tf.Tensor2D, w as tf.Tensor3D, bias as tf.Tensor2D, cls as tf.Tensor3D, layout);
      expect(embed([0, 1])).toThrow(expect.objectContaining({ name: 'BugError' }));
      expect(embed([0, 1, 2])).toThrow(expect.objectContaining({ name: 'BugError' }));
    });
  });
});
