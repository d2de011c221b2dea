import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { dropoutAvailable, dropoutFused } from './dropout.js';

type DropoutFn = (x: tf.Tensor, rate: number, shape: readonly number[], rng: Random) => tf.Tensor;

/** The tensor-op form of models/network.ts: words drawn into a JavaScript array, the mask built there, then Mul. */
const tensorOps: DropoutFn = (x, rate, shape, rng) => {
  const mask = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const threshold = Math.floor(rate * 2 ** 32);
  const keep = 1 / (1 - rate);
  const words = rng.fillUint32(new Uint32Array(mask.buffer));
  for (let i = 0; i < mask.length; i++) mask[i] = words[i] >= threshold ? keep : 0;
  return tf.mul(x, tf.tensor(mask, [...shape]));
};

const fused: DropoutFn = (x, rate, shape, rng) => {
  const y = dropoutFused(x, rate, shape, rng);
  if (!y) throw new Error(`no fused dropout for ${JSON.stringify(shape)}`);
  return y;
};

/** The bits of the output, of x's gradient of ⟨upstream, dropout(x)⟩ and of the stream's next word. */
function run(dropout: DropoutFn, xShape: number[], maskShape: number[], rate: number): Uint32Array[] {
  const values = Random.fromSeed(xShape.length * 97 + xShape[0], 'values');
  const rng = Random.fromSeed(11, 'dropout');
  const size = xShape.reduce((a, b) => a * b, 1);
  const filled = (f: (k: number) => number) => Float32Array.from({ length: size }, (_, k) => f(k));
  const bits: Uint32Array[] = [];
  tf.tidy(() => {
    // ±0, infinities and subnormals as well as normal values: x · 0 keeps the sign, ∞ · 0 is NaN.
    const special = [0, -0, Infinity, -Infinity, 1e-45, -3e-39];
    const x = tf.tensor(
      filled((k) => (k % 17 < special.length ? special[k % 17] : values.normal() * 10)),
      xShape,
    );
    const upstream = tf.tensor(
      filled((k) => (k % 5 === 0 ? -0 : values.normal())),
      xShape,
    );
    let y: tf.Tensor | undefined;
    const [dx] = tf.grads((a: tf.Tensor) => {
      // Kept past tf.grads' own scope, which frees its intermediates.
      y = tf.keep(dropout(a, rate, maskShape, rng));
      return tf.sum(tf.mul(y, upstream));
    })([x]);
    [y as tf.Tensor, dx].forEach((t) => bits.push(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
    y?.dispose();
  });
  bits.push(Uint32Array.of(rng.nextUint32()));
  return bits;
}

describe('dropoutFused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  it('is available on the WASM backend of tfjs 4.22', () => {
    expect(dropoutAvailable()).toBe(true);
  });

  it.each([
    [[16, 39, 32], [16, 39, 32], 0.1],
    [[7, 5], [7, 5], 0.2],
    [[3, 1], [3, 1], 0.5],
    [[13], [13], 0.9],
    [[6, 4, 3], [1, 4, 3], 0.1],
    [[24, 16, 32], [1, 16, 32], 0.1],
    [[5, 3, 7], [1, 1, 7], 0.3],
    [[1, 1], [1, 1], 0.1],
  ])('equals the tensor-op dropout bit for bit, value, gradient and stream (x %j, mask %j, rate %d)', (xShape, maskShape, rate) => {
    const ours = run(fused, xShape, maskShape, rate);
    const stock = run(tensorOps, xShape, maskShape, rate);
    ours.forEach((bits, part) => expect(Buffer.from(bits.buffer).equals(Buffer.from(stock[part].buffer))).toBe(true));
    expect(new Float32Array(ours[0].buffer).some((v) => v === 0)).toBe(true);
  });

  it('leaves masks that do not repeat over leading axes to the tensor ops', () => {
    const rng = Random.fromSeed(1);
    tf.tidy(() => {
      expect(dropoutFused(tf.ones([4, 3, 2]), 0.1, [4, 1, 2], rng)).toBeUndefined();
      expect(dropoutFused(tf.ones([4, 3]), 0.1, [3], rng)).toBeUndefined();
      expect(dropoutFused(tf.ones([0, 3]), 0.1, [0, 3], rng)).toBeUndefined();
    });
    expect(rng.nextUint32()).toBe(Random.fromSeed(1).nextUint32());
  });

  it('frees every temporary of the forward and backward passes', () => {
    const before = tf.memory().numTensors;
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const dataBefore = backend.numDataIds();
    run(fused, [6, 4, 3], [1, 4, 3], 0.1);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(dataBefore);
  });
});
