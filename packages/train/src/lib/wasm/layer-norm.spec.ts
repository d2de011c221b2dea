import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { layerNormOps, type LayerNormParams } from '../models/layer-norm.js';
import { layerNormAvailable, layerNormFused } from './layer-norm.js';

type Values = 'normal' | 'zeros' | 'large' | 'mixed';

/** The bits of the output and of every gradient, for a loss that weighs the output (and the residual, if any). */
function run(fused: boolean, shape: number[], residual: boolean, values: Values, seed: number): Uint32Array[] {
  const rng = Random.fromSeed(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const cols = shape[shape.length - 1];
  const element = (k: number): number => {
    if (values === 'zeros') return 0;
    if (values === 'large') return rng.normal() * 1e15;
    // ±0, ±1, a subnormal and a value whose square is near float32's largest, among ordinary ones.
    if (values === 'mixed') return k % 8 < 6 ? [0, -0, 1, -1, 1e-40, 3e18][k % 8] : rng.normal() * 50;
    return rng.normal() * 3 + 0.5;
  };
  const filled = (n: number, f: (k: number) => number) => Float32Array.from({ length: n }, (_, k) => f(k));
  const bits: Uint32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor(filled(size, element), shape);
    const gamma = tf.tensor1d(filled(cols, () => rng.normal() + 1));
    const beta = tf.tensor1d(filled(cols, () => rng.normal()));
    const upstream = tf.tensor(
      filled(size, (k) => (k % 5 === 0 ? 0 : rng.normal())),
      shape,
    );
    const weight = tf.tensor(
      filled(size, () => rng.normal()),
      shape,
    );
    const loss = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const p = { gamma: g, beta: b } as unknown as LayerNormParams;
      if (!residual)
        return tf.sum(tf.mul(fused ? layerNormFused(xs, g as tf.Tensor1D, b as tf.Tensor1D, false) : layerNormOps(xs, p), upstream));
      const [y, later] = fused ? layerNormFused(xs, g as tf.Tensor1D, b as tf.Tensor1D, true) : [layerNormOps(xs, p), xs];
      // As in a pre-LN block: the residual add takes x after the layer norm read it.
      return tf.sum(tf.mul(tf.add(later, tf.mul(y, weight)), upstream));
    };
    const p = { gamma, beta } as unknown as LayerNormParams;
    const value = fused ? layerNormFused(x, gamma, beta, false) : layerNormOps(x, p);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => loss(a, b, c))([x, gamma, beta]);
    [value, ...grads].forEach((t) => bits.push(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
  });
  return bits;
}

describe('layerNormFused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  it('is available on the WASM backend of tfjs 4.22', () => {
    expect(layerNormAvailable()).toBe(true);
  });

  it.each([
    [[8, 39, 32], true, 'normal'],
    [[8, 39, 32], false, 'normal'],
    [[128, 32], false, 'normal'],
    [[7, 5, 33], true, 'normal'],
    [[3, 2, 7], true, 'mixed'],
    [[9, 6], false, 'mixed'],
    [[4, 3, 5], true, 'zeros'],
    [[5, 4, 9], true, 'large'],
    [[6, 3], false, 'large'],
    [[2, 3, 1], true, 'normal'],
    [[11, 2], true, 'normal'],
    [[1, 1, 4], false, 'mixed'],
  ] as [number[], boolean, Values][])(
    'equals the tensor ops bit for bit, value and gradients (%j, residual %s, %s values)',
    (shape, residual, values) => {
      const seed = shape.reduce((a, b) => 31 * a + b, values.length);
      const fused = run(true, shape, residual, values, seed);
      const stock = run(false, shape, residual, values, seed);
      expect(fused.map((a) => a.length)).toEqual(stock.map((a) => a.length));
      fused.forEach((bits, part) => expect(Buffer.from(bits.buffer).equals(Buffer.from(stock[part].buffer))).toBe(true));
    },
  );

  it('is not vacuous: the gradients differ from zero and from each other', () => {
    const [, dx, dgamma, dbeta] = run(true, [4, 3, 6], true, 'normal', 5).map((a) => new Float32Array(a.buffer));
    for (const g of [dx, dgamma, dbeta]) expect(g.some((v) => v !== 0)).toBe(true);
    expect(Array.from(dgamma)).not.toEqual(Array.from(dbeta));
  });

  it('frees every temporary of the forward and backward passes', () => {
    const before = tf.memory().numTensors;
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const dataBefore = backend.numDataIds();
    run(true, [3, 4, 8], true, 'normal', 1);
    run(true, [3, 8], false, 'normal', 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(dataBefore);
  });
});
