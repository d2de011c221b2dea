import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { installContiguousSliceFix, uninstallContiguousSliceFix } from './slice.js';

describe('WASM contiguous-slice override', () => {
  beforeAll(async () => {
    expect((await selectBackend('wasm')).contiguousSliceFix).toBe(true);
  });

  it('gives the same values and shapes as the stock kernels, contiguous or not, with gradients', () => {
    const rng = Random.fromSeed(3);
    const values = Float32Array.from({ length: 5 * 4 * 3 }, () => rng.normal());
    const compute = () => {
      const x = tf.tensor(values, [5, 4, 3]);
      const outs = [
        tf.slice(x, [1, 0, 0], [3, 4, 3]),
        tf.slice(x, [0, 1, 0], [5, 2, 3]),
        tf.slice(x, [2, 1, 1], [1, 1, 2]),
        tf.slice(x, [0, 0, 0], [5, 1, 3]),
        tf.slice(x, [0, 0, 1], [5, 4, 2]),
        tf.slice(tf.reshape(tf.tile(x, [1, 1, 30]), [10, 180]), [2, 7], [6, 100]),
        tf.slice(tf.reshape(tf.tile(x, [1, 1, 30]), [10, 180]), [0, 0], [10, 64]),
        tf.slice(tf.reshape(tf.tile(x, [1, 1, 30]), [10, 180]), [3, 170], [2, 10]),
        ...tf.unstack(x, 0),
        ...tf.unstack(x, 1),
        ...tf.split(x, [2, 3], 0),
        ...tf.split(x, [1, 3], 1),
        ...tf.split(x, [1, 2], 2),
        ...tf.split(tf.reshape(x, [1, 20, 3]), 4, 1),
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.stack(tf.unstack(t, 0).map((p, i) => tf.mul(p, i + 1))))))(x),
      ];
      return outs.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
    };
    const fixed = compute();
    uninstallContiguousSliceFix();
    const stock = compute();
    installContiguousSliceFix();
    expect(fixed).toEqual(stock);
    expect(fixed[0].values).toEqual(Array.from(values.subarray(12, 48)));
  });
});
