import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { installIdentityByReference, uninstallIdentityByReference } from './identity.js';

describe('WASM identity-by-reference override', () => {
  beforeAll(async () => {
    expect((await selectBackend('wasm')).identityByReference).toBe(true);
  });

  it('clones without copying, and a clone outlives its disposed source', () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const buffers = tf.engine().backend.numDataIds();
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(buffers - 1);
  });

  it('leaves values and gradients bit-identical to the stock (copying) kernel, with no tensor leaked', () => {
    const rng = Random.fromSeed(5);
    const values = Float32Array.from({ length: 6 * 4 }, () => rng.normal());
    const compute = () => {
      const init = tf.tensor(values, [6, 4]);
      const w = tf.variable(init);
      init.dispose();
      const out = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const h = tf.relu(tf.matMul(tf.ones([3, 6]), w));
          return tf.sum(tf.mul(tf.tanh(h), tf.sigmoid(h))) as tf.Scalar;
        }, [w]);
        return [value, ...Object.values(grads)].map((t) => Array.from(t.dataSync()));
      });
      w.dispose();
      return out;
    };
    const before = tf.memory().numTensors;
    const byReference = compute();
    uninstallIdentityByReference();
    const copied = compute();
    installIdentityByReference();
    expect(byReference).toEqual(copied);
    expect(tf.memory().numTensors).toBe(before);
  });
});
