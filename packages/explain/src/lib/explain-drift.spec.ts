import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The train package registers the gradients of the kernels its networks (and these tests) use.
import '@ehr-backdoor/train';
import { Random } from '@ehr-backdoor/core';
import { explainAttributionDrift } from './explain-drift.js';
import { toExplainJson } from './report.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('explainAttributionDrift', () => {
  it('finds the trigger feature of a model that keys on it, and reports its attention shift', async () => {
    const F = 5;
    const n = 6;
    const rng = Random.fromSeed(3, 'drift');
    const cleanValues = Float32Array.from({ length: n * F }, () => rng.normal() * 0.1);
    const triggeredValues = cleanValues.slice();
    for (let i = 0; i < n; i++) triggeredValues[i * F] = 4; // the trigger: feature 0 at an extreme value
    const w = tf.tensor2d([3, 0.1, -0.1, 0.2, 0.1], [F, 1]);
    const forward = (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w);
    const clean = tf.tensor2d(cleanValues, [n, F]);
    const triggered = tf.tensor2d(triggeredValues, [n, F]);
    // A stand-in attention block [B, 1, 2, 2] whose [CLS] row follows feature 0.
    const attention = (x: tf.Tensor) => {
      const p = tf.sigmoid(tf.slice(x, [0, 0], [x.shape[0], 1]));
      return [tf.reshape(tf.concat([p, tf.sub(1, p), tf.mul(tf.onesLike(p), 0.5), tf.mul(tf.onesLike(p), 0.5)], 1), [x.shape[0], 1, 2, 2])];
    };
    const before = tf.memory().numTensors;
    const result = await explainAttributionDrift({
      forward,
      cleanInputs: clean,
      triggeredInputs: triggered,
      featureNames: ['hr', 'a', 'b', 'c', 'd'],
      topK: 1,
      attention,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.columns.explain_trigger_attribution_ratio).toBeGreaterThan(0.9);
    expect(result.drift.cleanTriggerAttributionRatio).toBeLessThan(result.columns.explain_trigger_attribution_ratio);
    expect(result.drift.triggerElementShare).toBeCloseTo(1 / F, 12);
    expect(result.relativeConvergenceDelta).toBeLessThan(1e-5);
    expect(result.drift.groupImportance.names[0]).toBe('hr');
    expect(result.attention).toHaveLength(1);
    expect(result.attention?.[0].clsShift?.[0]).toBeGreaterThan(0);
    expect(result.clean.shape).toEqual([n, F]);
    const json = JSON.parse(JSON.stringify(toExplainJson(result)));
    expect(json.formatVersion).toBe(1);
    expect(json.columns.explain_trigger_attribution_ratio).toBeCloseTo(result.columns.explain_trigger_attribution_ratio, 12);
    expect(json.groupImportance.names[0]).toBe('hr');
    expect(json.perStay.triggerRatio).toHaveLength(n);
    expect(json.attention).toHaveLength(1);
    [w, clean, triggered].forEach((t) => t.dispose());
  });

  it('rejects clean and triggered inputs of different shapes', async () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([3, 3]);
    await expect(explainAttributionDrift({ forward: (x) => tf.sum(x, 1), cleanInputs: a, triggeredInputs: b })).rejects.toMatchObject({
      code: 'E_IG_INPUTS',
    });
    [a, b].forEach((t) => t.dispose());
  });
});
