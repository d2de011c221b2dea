import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { normalValues, tensorBits } from '../testing/tensor-bits.js';
import { causalConv } from '../models/causal-conv.js';
import { causalConvFused, causalConvFusedAvailable } from './causal-conv-fused.js';

describe('causalConvFused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  type Conv = (x: tf.Tensor3D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor3D;

  /** Digests of the bits of the output and of the gradients of ⟨upstream, conv(x, W, b)⟩ for x, W and b. */
  const run = (conv: Conv, [hours, batch, cin, cout, k]: number[], special = false) => {
    const rng = Random.fromSeed(hours * 1000 + cin * 10 + k, 'causal-conv-fused');
    const filled = (n: number, scale: number) => normalValues(rng, n, scale);
    const bits = tensorBits;
    return tf.tidy(() => {
      const xs = filled(hours * batch * cin, 1);
      // ±0 and values whose products cancel, where an order of additions or a sign of zero would show.
      if (special) xs.forEach((_, i) => (xs[i] = [0, -0, 1e-38, -3, 3, 2 ** 24][i % 6]));
      const x = tf.tensor3d(xs, [hours, batch, cin]);
      const w = tf.tensor2d(filled(k * cin * cout, 0.3), [k * cin, cout]);
      const b = tf.tensor1d(filled(cout, 0.1));
      const upstream = tf.tensor3d(filled(hours * batch * cout, 1), [hours, batch, cout]);
      const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => conv(xi as tf.Tensor3D, wi as tf.Tensor2D, bi as tf.Tensor1D);
      const [dx, dw, db] = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(f(xi, wi, bi), upstream)))([x, w, b]);
      return { y: bits(f(x, w, b)), dx: bits(dx), dw: bits(dw), db: bits(db) };
    });
  };

  const tensorOps =
    (kernelSize: number, dilation: number): Conv =>
    (x, w, b) =>
      causalConv(x, w, b, { kernelSize, dilation }, 'autodiff');
  const fused =
    (kernelSize: number, dilation: number, inputGradient = true): Conv =>
    (x, w, b) =>
      causalConvFused(x, w, b, kernelSize, dilation, inputGradient);

  it('is available on the WASM backend of tfjs 4.22', () => {
    expect(causalConvFusedAvailable()).toBe(true);
  });

  // The TCN's layers (24 hours, 64 of the 128 stays; 72 inputs or 32 channels; kernel 3, dilations 1, 2, 4), then
  // odd widths (the SIMD passes' scalar tails), kernel 2 and 1, and shifts as long as the series or longer.
  it.each([
    [24, 64, 72, 32, 3, 1],
    [24, 64, 32, 32, 3, 2],
    [24, 64, 32, 32, 3, 4],
    [7, 5, 3, 5, 2, 3],
    [6, 4, 3, 2, 1, 1],
    [5, 3, 6, 7, 3, 2],
    [3, 2, 5, 3, 4, 1],
  ])(
    'equals the tensor-op convolution bit for bit, output and gradients (T %i, B %i, Cin %i, Cout %i, k %i, d %i)',
    (T, B, cin, cout, k, d) => {
      const shape = [T, B, cin, cout, k];
      expect(run(fused(k, d), shape)).toEqual(run(tensorOps(k, d), shape));
    },
  );

  it('keeps the bits on signed zeros, subnormals and cancelling products', () => {
    const shape = [12, 8, 6, 5, 3];
    expect(run(fused(3, 2), shape, true)).toEqual(run(tensorOps(3, 2), shape, true));
  });

  it('gives a zero input gradient without inputGradient, and the same weight and bias gradients', () => {
    const shape = [24, 16, 12, 8, 3];
    const withInput = run(fused(3, 2), shape);
    const without = run(fused(3, 2, false), shape);
    expect({ ...without, dx: withInput.dx }).toEqual(withInput);
    const zeros = tf.tidy(() => tensorBits(tf.zeros([24, 16, 12])));
    expect(without.dx).toBe(zeros);
  });

  it('frees every temporary it allocates', () => {
    const shape = [10, 4, 3, 2, 3];
    run(fused(3, 1), shape);
    const before = tf.memory().numTensors;
    const bytes = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    run(fused(3, 1), shape);
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(bytes);
  });
});
