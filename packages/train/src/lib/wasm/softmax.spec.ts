import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { registerGradients } from '../gradients.js';
import { softmaxAvailable, softmaxFused } from './softmax.js';

type Values = 'normal' | 'zeros' | 'large';

/** The bits of the softmax and of the gradient of ⟨upstream, softmax(x)⟩. */
function run(softmax: (x: tf.Tensor) => tf.Tensor, shape: number[], values: Values, seed: number): Uint32Array[] {
  const rng = Random.fromSeed(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const filled = (f: (k: number) => number) => Float32Array.from({ length: size }, (_, k) => f(k));
  const scale = { normal: 2, zeros: 0, large: 300 }[values];
  const bits: Uint32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor(
      filled(() => rng.normal() * scale),
      shape,
    );
    // Zeros in the upstream gradient, as from dropped rows, and ±0 products.
    const upstream = tf.tensor(
      filled((k) => (k % 6 === 0 ? 0 : k % 6 === 1 ? -0 : rng.normal() * 1e3)),
      shape,
    );
    const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(softmax(a), upstream)))([x]);
    [softmax(x), dx].forEach((t) => bits.push(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
  });
  return bits;
}

describe('softmaxFused', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerGradients();
  });

  it('is available on the WASM backend of tfjs 4.22', () => {
    expect(softmaxAvailable()).toBe(true);
  });

  it.each([
    [[8, 39, 39], 'normal'],
    [[5, 7], 'normal'],
    [[3, 2, 4], 'normal'],
    [[2, 3, 1], 'normal'],
    [[4, 9], 'zeros'],
    [[6, 13], 'large'],
  ] as [number[], Values][])('equals tf.softmax bit for bit, value and gradient (%j, %s logits)', (shape, values) => {
    const seed = shape.reduce((a, b) => 31 * a + b, values.length);
    const fused = run(softmaxFused, shape, values, seed);
    const stock = run((x) => tf.softmax(x), shape, values, seed);
    fused.forEach((bits, part) => expect(Buffer.from(bits.buffer).equals(Buffer.from(stock[part].buffer))).toBe(true));
    expect(new Float32Array(fused[1].buffer).some((v) => v !== 0)).toBe(shape[shape.length - 1] > 1);
  });

  it('frees every temporary of the forward and backward passes', () => {
    const before = tf.memory().numTensors;
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const dataBefore = backend.numDataIds();
    run(softmaxFused, [3, 4, 5], 'normal', 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(backend.numDataIds()).toBe(dataBefore);
  });
});
