import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { affine } from './affine.js';

describe('affine', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  const rng = Random.fromSeed(21);
  const filled = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale);
  const xValues = filled(300 * 20);
  const wValues = filled(20 * 7, 0.3);
  const bValues = filled(7, 0.1);
  const upstream = filled(300 * 7);

  /** Forward values and the gradients of ⟨upstream, f(x, W, b)⟩ with respect to x, W and b. */
  const run = (f: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D) =>
    tf.tidy(() => {
      const x = tf.tensor2d(xValues, [300, 20]);
      const w = tf.tensor2d(wValues, [20, 7]);
      const b = tf.tensor1d(bValues);
      const u = tf.tensor2d(upstream, [300, 7]);
      const forward = f(x, w, b);
      const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(tf.mul(f(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), u)),
      )([x, w, b]);
      return [forward, ...grads].map((t) => Array.from(t.dataSync()));
    });

  it.each(['linear', 'relu'] as const)('equals tf.fused.matMul bit for bit, forward and gradients (%s)', (activation) => {
    const ours = run((x, w, b) => affine(x, w, b, activation));
    const stock = run((x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b, activation }) as tf.Tensor2D);
    expect(ours).toEqual(stock);
    // Not vacuous: relu zeroes some outputs, and every gradient is non-trivial.
    expect(ours[2].some((v) => v !== 0)).toBe(true);
    expect(ours[3].some((v) => v !== 0)).toBe(true);
  });

  it('skips only the input gradient when the input is data', () => {
    const [forward, dx, dw, db] = run((x, w, b) => affine(x, w, b, 'relu', false));
    const stock = run((x, w, b) => tf.fused.matMul({ a: x, b: w, bias: b, activation: 'relu' }) as tf.Tensor2D);
    expect([forward, dw, db]).toEqual([stock[0], stock[2], stock[3]]);
    expect(dx).toEqual(new Array(300 * 20).fill(0));
  });

  it('leaves other backends on tf.fused.matMul', async () => {
    await selectBackend('cpu');
    try {
      const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      const y = affine(x, tf.tensor2d([1, 0, 0, 1], [2, 2]), tf.tensor1d([0.5, -10]), 'relu');
      expect(Array.from(y.dataSync())).toEqual([1.5, 0, 3.5, 0]);
    } finally {
      await selectBackend('wasm');
    }
  });
});
