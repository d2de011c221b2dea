import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from './backend.js';

/**
 * Checks every hand-registered gradient against central finite differences (in float32, so with a
 * loose tolerance on smooth functions). Each case weights the op's output with fixed random numbers so
 * that the incoming gradient dy is not all ones.
 */
const rng = Random.fromSeed(21);
const rand = (shape: number[], lo = -1, hi = 1) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * rng.next()),
    shape,
  );

type Case = [name: string, inputs: tf.Tensor[], f: (...xs: tf.Tensor[]) => tf.Tensor];
const cases = (): Case[] => [
  ['add (broadcast)', [rand([3, 1]), rand([1, 4])], (a, b) => tf.add(a, b)],
  ['sub (broadcast)', [rand([3, 4]), rand([4])], (a, b) => tf.sub(a, b)],
  ['mul (broadcast)', [rand([2, 3, 1]), rand([3, 4])], (a, b) => tf.mul(a, b)],
  ['div', [rand([3, 4]), rand([3, 4], 1, 2)], (a, b) => tf.div(a, b)],
  ['squaredDifference', [rand([3, 4]), rand([3, 4])], (a, b) => tf.squaredDifference(a, b)],
  ['neg, abs, exp, log1p', [rand([5])], (x) => tf.log1p(tf.exp(tf.neg(tf.abs(x))))],
  ['relu', [rand([6])], (x) => tf.relu(x)],
  ['sigmoid, tanh', [rand([6])], (x) => tf.mul(tf.sigmoid(x), tf.tanh(x))],
  ['rsqrt, sqrt, square', [rand([4], 0.5, 2)], (x) => tf.add(tf.rsqrt(x), tf.mul(tf.sqrt(x), tf.square(x)))],
  [
    'sum, mean, reshape',
    [rand([2, 3, 4])],
    (x) => tf.add(tf.reshape(tf.sum(x, 1), [8]), tf.sum(tf.reshape(tf.mean(x, [0, 2], true), [3]))),
  ],
  ['moments', [rand([3, 5])], (x) => tf.moments(x, -1, true).variance],
  [
    'slice, pad',
    [rand([3, 5, 2])],
    (x) =>
      tf.pad(tf.slice(x, [1, 1, 0], [2, 3, 2]), [
        [0, 0],
        [2, 0],
        [0, 1],
      ]),
  ],
  ['concat, split', [rand([2, 3]), rand([2, 2])], (a, b) => tf.mul(tf.split(tf.concat([a, b], 1), [1, 4], 1)[1], tf.scalar(2))],
  ['unstack', [rand([3, 2, 2])], (x) => tf.unstack(x, 0)[1]],
  ['transpose', [rand([2, 3, 4])], (x) => tf.transpose(x, [2, 0, 1])],
  ['tile', [rand([1, 2, 3])], (x) => tf.tile(x, [3, 2, 1])],
  ['softmax', [rand([2, 5])], (x) => tf.softmax(x)],
  [
    'batch matMul (all transposes)',
    [rand([2, 3, 4]), rand([2, 4, 3])],
    (a, b) =>
      tf.stack(
        [tf.matMul(a, b), tf.matMul(a, b, true, true), tf.matMul(a, a, false, true), tf.matMul(b, b, true, false)].map((p) =>
          tf.sum(tf.square(p)),
        ),
      ),
  ],
  [
    'fused matMul + bias + relu',
    [rand([3, 4]), rand([4, 2]), rand([2])],
    (a, b, c) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' }),
  ],
];

describe.each(['cpu', 'wasm'] as const)('registered gradients on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  // Names only here: tensors may be created once the backend is selected.
  const names = [
    'add (broadcast)',
    'sub (broadcast)',
    'mul (broadcast)',
    'div',
    'squaredDifference',
    'neg, abs, exp, log1p',
    'relu',
    'sigmoid, tanh',
    'rsqrt, sqrt, square',
    'sum, mean, reshape',
    'moments',
    'slice, pad',
    'concat, split',
    'unstack',
    'transpose',
    'tile',
    'softmax',
    'batch matMul (all transposes)',
    'fused matMul + bias + relu',
  ];
  it('covers every case', () => expect(cases().map((c) => c[0])).toEqual(names));

  it.each(names)('%s matches finite differences', (name) => {
    const [, inputs, f] = cases().find((c) => c[0] === name)!;
    const outShape = f(...inputs).shape;
    const weights = rand(outShape);
    const loss = (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights));
    const analytic = tf
      .grads(loss)(inputs)
      .map((g) => g.dataSync());
    inputs.forEach((x, k) => {
      const values = x.dataSync().slice();
      const eps = 1e-2;
      for (let i = 0; i < values.length; i++) {
        const at = (delta: number) => {
          const shifted = values.slice();
          shifted[i] += delta;
          const args = inputs.map((t, j) => (j === k ? tf.tensor(shifted, x.shape) : t));
          return loss(...args).dataSync()[0];
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        expect(Math.abs(analytic[k][i] - numeric)).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
      }
    });
  });
});
