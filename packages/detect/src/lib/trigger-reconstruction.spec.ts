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

describe('trigger reconstruction, its bookkeeping on four stays', () => {
  const values = Float32Array.from([0, 1, 2, 3, -1, 5, 4, 0]);
  const labels = [0, 0, 1, 1];
  beforeAll(async () => {
    await selectBackend('cpu');
  });
  /** Logits that ignore the input: no gradient reaches the mask or the pattern. */
  const constant = (logit: number) => (x: tf.Tensor) => tf.tidy(() => tf.fill([x.shape[0]], logit));

  it('starts every mask at σ(−2) and every pattern mid-range, and reports the formulas over both labels', async () => {
    const inputs = tf.tensor2d(values, [4, 2]);
    const before = tf.memory().numTensors;
    const result = await reconstructTrigger({ forward: constant(5), inputs, labels, steps: 1, lambda: 0 });
    expect(tf.memory().numTensors).toBe(before);
    for (const t of result.triggers) {
      for (const m of t.mask) expect(m).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
      expect(t.maskL1).toBeCloseTo(2 / (1 + Math.exp(2)), 6);
      // Observed bounds: feature 0 in [−1, 4], feature 1 in [0, 5].
      expect(Array.from(t.pattern)).toEqual([1.5, 2.5]);
      expect(t.stays).toBe(2);
    }
    expect(result.triggers.map((t) => t.target)).toEqual([0, 1]);
    // Logit 5 sends every stay to label 1.
    expect(result.triggers.map((t) => t.successRate)).toEqual([0, 1]);
    // Equal masks: the smaller-or-equal one is label 0's, ratio 1, no anomaly.
    expect(result).toMatchObject({ suspectedTarget: 0, l1Ratio: 1, anomalyIndex: 0 });
    inputs.dispose();
  });

  it('keeps the pattern within the bounds given, and uses at most maxStays stays per target', async () => {
    const inputs = tf.tensor2d(values, [4, 2]);
    const bounds = { lo: Float32Array.from([10, 20]), hi: Float32Array.from([12, 20]) };
    const result = await reconstructTrigger({ forward: constant(-5), inputs, labels, steps: 2, bounds, maxStays: 1 });
    for (const t of result.triggers) {
      expect(t.pattern[0]).toBeCloseTo(11, 5);
      expect(t.pattern[1]).toBe(20);
      expect(t.stays).toBe(1);
    }
    expect(result.triggers.map((t) => t.successRate)).toEqual([1, 0]);
    // The L1 penalty alone shrinks the masks (λ > 0, no other gradient).
    for (const t of result.triggers) expect(t.maskL1).toBeLessThan(2 / (1 + Math.exp(2)));
    inputs.dispose();
  });

  it('suspects the label whose mask is smaller, with the L1 ratio and NC’s anomaly index', async () => {
    // A model whose logit is feature 0 − 1: pulling stays to label 1 needs feature 0 raised, to label 0 lowered.
    // Bounds make label 1 easy (up to 100) and label 0 hard (down to −0.5 only).
    const inputs = tf.tensor2d(values, [4, 2]);
    const forward = (x: tf.Tensor) => tf.tidy(() => tf.sub(tf.reshape(tf.slice(x, [0, 0], [-1, 1]), [-1]), 1));
    const bounds = { lo: Float32Array.from([-0.5, 0]), hi: Float32Array.from([100, 5]) };
    const result = await reconstructTrigger({ forward, inputs, labels, steps: 60, bounds });
    const l1 = result.triggers.map((t) => t.maskL1);
    expect(result.suspectedTarget).toBe(l1[0] <= l1[1] ? 0 : 1);
    expect(result.l1Ratio).toBeCloseTo(Math.max(...l1) / Math.min(...l1), 9);
    expect(result.anomalyIndex).toBeCloseTo(0.6745, 3);
    expect(l1[0]).not.toBeCloseTo(l1[1], 3);
    inputs.dispose();
  });

  it('takes `steps` Adam steps: under the L1 penalty alone each lowers every mask logit by the learning rate', async () => {
    const inputs = tf.tensor2d(values, [4, 2]);
    const result = await reconstructTrigger({ forward: constant(5), inputs, labels, steps: 3, learningRate: 0.1, lambda: 0.02 });
    // Adam's first steps on a gradient of one sign move by about the learning rate each.
    for (const t of result.triggers) for (const m of t.mask) expect(m).toBeCloseTo(1 / (1 + Math.exp(2.3)), 3);
    inputs.dispose();
  });

  it('flips the stays of the other label: the success rate is the share (1 − m) ⊙ x + m ⊙ p sends to the target', async () => {
    const inputs = tf.tensor2d(values, [4, 2]);
    const logit = ([x0, x1]: number[]) => x0 - x1 + 0.5;
    const forward = (x: tf.Tensor) =>
      tf.tidy(() => tf.add(tf.sub(tf.reshape(tf.slice(x, [0, 0], [-1, 1]), [-1]), tf.reshape(tf.slice(x, [0, 1], [-1, 1]), [-1])), 0.5));
    const result = await reconstructTrigger({ forward, inputs, labels, steps: 1, learningRate: 0.01, lambda: 0 });
    for (const { target, mask: m, pattern: p, successRate } of result.triggers) {
      const flipped = [0, 1, 2, 3].filter((i) => labels[i] !== target).map((i) => [values[2 * i], values[2 * i + 1]]);
      const sent = flipped.filter((x) => logit(x.map((v, j) => (1 - m[j]) * v + m[j] * p[j])) >= 0 === (target === 1));
      expect(successRate).toBeCloseTo(sent.length / flipped.length, 6);
    }
    // Label 0's stays (0, 1) and (2, 3) stay below 0; of label 1's, (−1, 5) reaches label 0 and (4, 0) does not.
    expect(result.triggers.map((t) => t.successRate)).toEqual([0.5, 0]);
    inputs.dispose();
  });

  it('names what it refuses', async () => {
    const inputs = tf.tensor2d(values, [4, 2]);
    const forward = constant(0);
    const cases: [Record<string, unknown>, string][] = [
      [{ labels: [0, 1] }, 'trigger reconstruction: 2 labels for 4 stays.'],
      [{ steps: 0 }, 'trigger reconstruction: steps must be an integer ≥ 1, got 0.'],
      [{ steps: 1.5 }, 'trigger reconstruction: steps must be an integer ≥ 1, got 1.5.'],
      [{ lambda: -0.1 }, 'trigger reconstruction: lambda must be ≥ 0, got -0.1.'],
      [{ bounds: { lo: new Float32Array(3), hi: new Float32Array(3) } }, 'trigger reconstruction: bounds must have 2 values each.'],
      [{ bounds: { lo: new Float32Array(2), hi: new Float32Array(1) } }, 'trigger reconstruction: bounds must have 2 values each.'],
      [{ bounds: { lo: new Float32Array(3), hi: new Float32Array(2) } }, 'trigger reconstruction: bounds must have 2 values each.'],
      [{ bounds: { lo: new Float32Array(2) } }, 'trigger reconstruction: bounds must have 2 values each.'],
      [{ bounds: { hi: new Float32Array(2) } }, 'trigger reconstruction: bounds must have 2 values each.'],
      [{ labels: [1, 1, 1, 1] }, 'trigger reconstruction: no stay with a label other than 1 to flip.'],
      [{ labels: [0, 0, 0, 0] }, 'trigger reconstruction: no stay with a label other than 0 to flip.'],
    ];
    for (const [change, message] of cases)
      await expect(reconstructTrigger({ forward, inputs, labels, steps: 1, ...change } as never)).rejects.toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message }),
      );
    inputs.dispose();
  });
});

describe('maskByVariable', () => {
  it('sums the mask per variable, largest first', () => {
    const mask = Float32Array.from([0.5, 0.25, 0.125, 0.75]);
    expect(maskByVariable(mask, (k) => (k < 2 ? 'hr' : k === 2 ? 'sbp' : 'gcs'))).toEqual([
      { variable: 'hr', weight: 0.75 },
      { variable: 'gcs', weight: 0.75 },
      { variable: 'sbp', weight: 0.125 },
    ]);
    expect(maskByVariable(new Float32Array(0), () => 'x')).toEqual([]);
  });
});
