import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { causalConv, type CausalConvGradients } from './causal-conv.js';

describe('causalConv', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  const digest = (t: tf.Tensor) =>
    createHash('sha256')
      .update(t.dataSync() as Float32Array)
      .digest('hex');

  /** Output and the gradients of ⟨upstream, conv(x, W, b)⟩ for x, W and b, as digests of their bytes. */
  const run = (
    hours: number,
    batch: number,
    cin: number,
    cout: number,
    kernelSize: number,
    dilation: number,
    gradients: CausalConvGradients,
  ) => {
    const rng = Random.fromSeed(hours * 100 + kernelSize * 10 + dilation);
    const filled = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale);
    return tf.tidy(() => {
      const x = tf.tensor3d(filled(hours * batch * cin), [hours, batch, cin]);
      const w = tf.tensor2d(filled(kernelSize * cin * cout, 0.3), [kernelSize * cin, cout]);
      const b = tf.tensor1d(filled(cout, 0.1));
      const upstream = tf.tensor3d(filled(hours * batch * cout), [hours, batch, cout]);
      const conv = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        causalConv(xi as tf.Tensor3D, wi as tf.Tensor2D, bi as tf.Tensor1D, { kernelSize, dilation }, gradients);
      const output = conv(x, w, b);
      const [dx, dw, db] = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(conv(xi, wi, bi), upstream)))([x, w, b]);
      return { output: digest(output), dx: digest(dx), dxZero: dx.dataSync().every((v) => v === 0), dw: digest(dw), db: digest(db) };
    });
  };

  // The TCN's shapes (24 hours; 72 inputs or 32 channels; kernel 3, dilations 1, 2, 4; 64 stays, so the
  // WASM kernel fixes for strided transposes and row-range slices take part) and edge cases.
  it.each([
    [24, 64, 72, 32, 3, 1],
    [24, 64, 32, 32, 3, 4],
    [7, 5, 3, 4, 2, 3],
    [6, 4, 3, 2, 1, 1],
  ])(
    'gives the same output and gradients as autodiff, bit for bit (T %i, B %i, Cin %i, Cout %i, k %i, d %i)',
    (hours, batch, cin, cout, k, d) => {
      const autodiff = run(hours, batch, cin, cout, k, d, 'autodiff');
      const custom = run(hours, batch, cin, cout, k, d, 'weights-and-input');
      expect(custom).toEqual(autodiff);
      expect(autodiff.dxZero).toBe(false);
    },
  );

  it('gives the same gradients as autodiff on the CPU backend too, whose Sum and matMul add in other orders', async () => {
    await selectBackend('cpu');
    try {
      expect(run(24, 8, 12, 6, 3, 2, 'weights-and-input')).toEqual(run(24, 8, 12, 6, 3, 2, 'autodiff'));
    } finally {
      await selectBackend('wasm');
    }
  });

  it("'weights' gives the same weight and bias gradients and a zero input gradient", () => {
    const autodiff = run(24, 64, 72, 32, 3, 2, 'autodiff');
    const weights = run(24, 64, 72, 32, 3, 2, 'weights');
    expect({ ...weights, dx: autodiff.dx, dxZero: false }).toEqual(autodiff);
    expect(weights.dxZero).toBe(true);
  });

  it('sees only the current and earlier hours', () => {
    const grads = tf.tidy(() => {
      const x = tf.ones([6, 2, 3]);
      const w = tf.ones([9, 4]);
      const b = tf.zeros([4]);
      // Output hour 3 with kernel 3 and dilation 2 reads input hours 3, 1 and −1 (padding), nothing else.
      const f = (xi: tf.Tensor) =>
        tf.sum(
          tf.slice(
            causalConv(xi as tf.Tensor3D, w as tf.Tensor2D, b as tf.Tensor1D, { kernelSize: 3, dilation: 2 }, 'weights-and-input'),
            [3, 0, 0],
            [1, 2, 4],
          ),
        );
      return Array.from(tf.sum(tf.grad(f)(x), [1, 2]).dataSync());
    });
    expect(grads.map((g) => g !== 0)).toEqual([false, true, false, true, false, false]);
  });
});
