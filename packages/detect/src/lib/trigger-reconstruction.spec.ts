import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '@ehr-backdoor/train';
import { maskByVariable, reconstructTrigger } from './trigger-reconstruction.js';

describe('trigger reconstruction (Neural Cleanse for tabular inputs)', () => {
  const n = 200;
  const d = 10;
  const random = Random.fromSeed(2, 'nc-spec');
  const values = Float32Array.from({ length: n * d }, () => random.normal());
  // Feature 9 takes a rare high value in a few stays (the trigger's range exists in the data).
  for (let i = 0; i < 5; i++) values[i * d + 9] = 6;
  // The task reads features 0–8 a little each, so flipping a stay honestly needs many of them.
  const task = [[0.5], [0.5], [0.5], [0.5], [0.5], [0.5], [0.5], [0.5], [0.5], [0]];
  const labels = Uint8Array.from({ length: n }, (_, i) => (task.reduce((s, [w], j) => s + w * values[i * d + j], 0) > 0 ? 1 : 0));
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('finds a one-feature trigger of a backdoored model and names its target and feature', async () => {
    // Backdoored: feature 9 above about 3 forces label 1 (a smooth step, as a trained network's); otherwise the task.
    const w = tf.tensor2d(task);
    const forward = (x: tf.Tensor) =>
      tf.tidy(() =>
        tf.add(
          tf.reshape(tf.matMul(x as tf.Tensor2D, w), [-1]),
          tf.mul(8, tf.sigmoid(tf.mul(2, tf.sub(tf.reshape(tf.slice(x, [0, 9], [-1, 1]), [-1]), 3)))),
        ),
      );
    const inputs = tf.tensor2d(values, [n, d]);
    const result = await reconstructTrigger({ forward, inputs, labels, steps: 200 });
    expect(result.suspectedTarget).toBe(1);
    expect(result.l1Ratio).toBeGreaterThan(1.5);
    const target1 = result.triggers[1];
    expect(target1.successRate).toBeGreaterThan(0.9);
    expect(maskByVariable(target1.mask, (k) => `f${k}`)[0].variable).toBe('f9');
    inputs.dispose();
    w.dispose();
  });

  it('gives both labels masks of similar size on a clean model', async () => {
    const w = tf.tensor2d(task);
    const forward = (x: tf.Tensor) => tf.tidy(() => tf.reshape(tf.matMul(x as tf.Tensor2D, w), [-1]));
    const inputs = tf.tensor2d(values, [n, d]);
    const before = tf.memory().numTensors;
    const result = await reconstructTrigger({ forward, inputs, labels, steps: 200 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.l1Ratio).toBeLessThan(1.5);
    expect(result.anomalyIndex).toBeCloseTo(0.6745, 3);
    await expect(reconstructTrigger({ forward, inputs, labels: labels.subarray(1) })).rejects.toThrow(/199 labels for 200 stays/);
    inputs.dispose();
    w.dispose();
  });
});
