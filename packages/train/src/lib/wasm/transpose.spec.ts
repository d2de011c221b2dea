import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { installStridedTransposeFix, uninstallStridedTransposeFix } from './transpose.js';

describe('WASM strided-transpose override', () => {
  beforeAll(async () => {
    expect((await selectBackend('wasm')).stridedTransposeFix).toBe(true);
  });

  it('gives the same values and shapes as the stock kernel, for the shapes it handles and the ones it passes on', () => {
    const rng = Random.fromSeed(5);
    const values = Float32Array.from({ length: 1024 * 72 }, () => rng.normal());
    const compute = () => {
      const x = tf.tensor(values, [1024, 72]);
      const outs = [
        tf.transpose(x),
        tf.transpose(tf.reshape(x, [1, 1024, 72]), [0, 2, 1]),
        tf.transpose(tf.reshape(x, [1, 1, 1024, 72]), [0, 1, 3, 2]),
        tf.transpose(tf.reshape(x, [512, 144])),
        tf.transpose(tf.reshape(x, [1024, 8, 9]), [0, 2, 1]),
        tf.transpose(tf.reshape(x, [8, 128, 72]), [1, 0, 2]),
        tf.transpose(tf.slice(x, [0, 0], [1000, 72])),
        tf.transpose(tf.slice(x, [0, 0], [1024, 32])),
        tf.transpose(tf.cast(x, 'int32')),
        tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.transpose(t))))(x),
      ];
      return outs.map((t) => ({
        shape: t.shape,
        dtype: t.dtype,
        bytes: createHash('sha256')
          .update(t.dataSync() as Float32Array)
          .digest('hex'),
      }));
    };
    const fixed = compute();
    uninstallStridedTransposeFix();
    const stock = compute();
    installStridedTransposeFix();
    expect(fixed).toEqual(stock);
    const first = tf.transpose(tf.tensor(values, [1024, 72])).dataSync();
    expect(Array.from(first.subarray(0, 3))).toEqual([values[0], values[72], values[144]]);
  });
});
