import { Random } from '@ehr-backdoor/core';
import { detectionAuroc, tprAtFpr, truthMask } from './detection-metrics.js';
import { strip } from './strip.js';

describe('STRIP', () => {
  // A model that keys on feature 0 (the trigger) and otherwise reads feature 1 weakly.
  const predict = (batch: Float32Array, rows: number) =>
    Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-(4 * batch[r * 3] + 0.5 * batch[r * 3 + 1]))));
  const n = 300;
  const random = Random.fromSeed(4, 'strip-spec');
  const values = Float32Array.from({ length: n * 3 }, (_, k) => (k % 3 === 0 ? 0.2 : 1) * random.normal());
  const poisonedIndices = random.sampleIndices(n, 6);
  for (const i of poisonedIndices) values[i * 3] = 5;

  it('gives low entropy (a high score) to stays whose trigger survives blending', async () => {
    const result = await strip({ inputs: { values, rows: n, cols: 3 }, predict, expectedPoisonCount: 6, blends: 8, batchSize: 100 });
    const truth = truthMask(n, poisonedIndices);
    expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.99);
    expect(tprAtFpr(result.scores, truth).value).toBe(1);
    expect(result.flagged.length).toBe(9);
    for (const s of result.scores) expect(s).toBeLessThanOrEqual(0);
  });

  it('finds the same stays with crossover blends', async () => {
    const result = await strip({ inputs: { values, rows: n, cols: 3 }, predict, expectedPoisonCount: 6, blends: 16, blend: 'crossover' });
    expect(detectionAuroc(result.scores, truthMask(n, poisonedIndices)).value).toBeGreaterThan(0.95);
  });

  it('standardises entropy within each training label', async () => {
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
    const result = await strip({ inputs: { values, rows: n, cols: 3 }, predict, expectedPoisonCount: 6, blends: 4, labels });
    for (const label of [0, 1]) {
      const s = Array.from(result.scores).filter((_, i) => labels[i] === label);
      expect(s.reduce((a, b) => a + b, 0) / s.length).toBeCloseTo(0, 9);
    }
    expect(detectionAuroc(result.scores, truthMask(n, poisonedIndices)).value).toBeGreaterThan(0.99);
    await expect(
      strip({ inputs: { values, rows: n, cols: 3 }, predict, expectedPoisonCount: 6, normalise: 'per-label' }),
    ).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
  });

  it('accepts K-class probabilities and validates its options', async () => {
    const twoClass = (batch: Float32Array, rows: number) => {
      const p = predict(batch, rows);
      return Float32Array.from({ length: 2 * rows }, (_, k) => (k % 2 ? p[(k - 1) / 2] : 1 - p[k / 2]));
    };
    const a = await strip({ inputs: { values, rows: n, cols: 3 }, predict, expectedPoisonCount: 6, blends: 2, seed: 9 });
    const b = await strip({ inputs: { values, rows: n, cols: 3 }, predict: twoClass, expectedPoisonCount: 6, blends: 2, seed: 9 });
    a.scores.forEach((s, i) => expect(b.scores[i]).toBeCloseTo(s, 5));
    await expect(strip({ inputs: { values, rows: n, cols: 3 }, predict, expectedPoisonCount: 6, alpha: 1 })).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
    });
  });
});
