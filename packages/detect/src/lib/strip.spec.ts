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

describe('STRIP, step by step on four stays', () => {
  // Rows whose values say which stay they are: a blend's two sources can be read back from it.
  const values = Float64Array.from([1, 2, 10, 20, 100, 200, 1000, 2000]);
  const inputs = { values, rows: 4, cols: 2 };
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const bits = (q: number) => (q > 0 && q < 1 ? -q * Math.log2(q) - (1 - q) * Math.log2(1 - q) : 0);
  /** A model whose output depends on the blend, recording every batch it is given. */
  function recording(p: (row: Float32Array) => number) {
    const batches: Float32Array[][] = [];
    const predict = (batch: Float32Array, rows: number) => {
      const split = Array.from({ length: rows }, (_, r) => batch.slice(r * 2, r * 2 + 2));
      batches.push(split);
      return Float32Array.from(split, p);
    };
    return { predict, batches };
  }
  const partnerOf = (row: Float32Array, i: number, weight: number) =>
    [0, 1, 2, 3].filter((j) => j !== i && Math.abs(row[0] - (weight * values[i * 2] + (1 - weight) * values[j * 2])) < 1e-3 * row[0]);

  it('blends each stay N times with another stay, in row order across batches, and scores −mean entropy in bits', async () => {
    const p = (row: Float32Array) => sigmoid(row[0] / 300 - 1);
    const { predict, batches } = recording(p);
    const result = await strip({ inputs, predict, expectedPoisonCount: 1, removalFactor: 1, blends: 3, alpha: 0.25, batchSize: 5 });
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2]);
    const rows = batches.flat();
    const entropy = [0, 0, 0, 0];
    rows.forEach((row, g) => {
      const i = Math.floor(g / 3);
      expect(partnerOf(row, i, 0.25)).toHaveLength(1);
      expect(row[1]).toBeCloseTo(2 * row[0], 2);
      entropy[i] += bits(p(row)) / 3;
    });
    entropy.forEach((h, i) => expect(result.scores[i]).toBeCloseTo(-h, 6));
    const lowest = entropy.indexOf(Math.min(...entropy));
    expect(Array.from(result.flagged)).toEqual([lowest]);
    expect(result).toMatchObject({ detector: 'strip', warnings: [] });
    expect(result.perLabel).toEqual([{ n: 4, blends: 3, alpha: 0.25, blend: 'average', classes: 2 }]);
    // The draws go stay by stay, so the batch size does not change them.
    const one = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 1, blends: 3, alpha: 0.25, batchSize: 1 });
    expect(Array.from(one.scores)).toEqual(Array.from(result.scores));
    const defaults = recording(p);
    const byDefault = await strip({ inputs, predict: defaults.predict, expectedPoisonCount: 2 });
    expect(defaults.batches.map((b) => b.length)).toEqual([64]);
    defaults.batches[0].forEach((row, g) => expect(partnerOf(row, Math.floor(g / 16), 0.5)).toHaveLength(1));
    expect(byDefault.flagged.length).toBe(3); // 1.5 × 2
    expect(byDefault.perLabel[0]).toMatchObject({ blends: 16, alpha: 0.5, blend: 'average' });
    const seeded = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 2, seed: 0 });
    expect(Array.from(seeded.scores)).toEqual(Array.from(byDefault.scores));
    const other = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 2, seed: 5 });
    expect(Array.from(other.scores)).not.toEqual(Array.from(byDefault.scores));
  });

  it('superimposes at full strength, or takes each element whole from one of the two stays', async () => {
    const superimposed = recording(() => 0.5);
    await strip({ inputs, predict: superimposed.predict, expectedPoisonCount: 0, blends: 4, blend: 'superimpose' });
    superimposed.batches[0].forEach((row, g) => {
      const i = Math.floor(g / 4);
      const partners = [0, 1, 2, 3].filter((j) => j !== i && row[0] === values[i * 2] + values[j * 2]);
      expect(partners).toHaveLength(1);
      expect(row[1]).toBe(values[i * 2 + 1] + values[partners[0] * 2 + 1]);
    });
    const crossed = recording(() => 0.5);
    const result = await strip({ inputs, predict: crossed.predict, expectedPoisonCount: 0, blends: 200, alpha: 0.8, blend: 'crossover' });
    let own = 0;
    crossed.batches[0].forEach((row, g) => {
      const i = Math.floor(g / 200);
      for (let c = 0; c < 2; c++) {
        const source = values.findIndex((v, k) => k % 2 === c && v === row[c]);
        expect(source).toBeGreaterThanOrEqual(0);
        if ((source - c) / 2 === i) own++;
      }
    });
    // Each element stays the stay's own with probability α = 0.8.
    expect(own / (4 * 200 * 2)).toBeGreaterThan(0.75);
    expect(own / (4 * 200 * 2)).toBeLessThan(0.85);
    expect(result.flagged.length).toBe(0);
    // p = 0.5 everywhere: one bit each.
    for (const s of result.scores) expect(s).toBeCloseTo(-1, 12);
  });

  it('standardises per label with the sample standard deviation, and warns about a label of equal entropies', async () => {
    const p = (row: Float32Array) => sigmoid(row[0] / 300 - 1);
    const raw = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 0, blends: 3 });
    const labels = [0, 1, 0, 1];
    const result = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 0, blends: 3, labels });
    const entropy = Array.from(raw.scores, (s) => -s);
    for (const y of [0, 1]) {
      const [a, b] = [y, y + 2].map((i) => entropy[i]);
      const mean = (a + b) / 2;
      const sd = Math.abs(a - b) / Math.SQRT2;
      expect(result.perLabel[y]).toEqual({ label: y, n: 2, meanEntropy: expect.closeTo(mean, 12), sdEntropy: expect.closeTo(sd, 12) });
      expect(result.scores[y]).toBeCloseTo(-(a - mean) / sd, 9);
    }
    // The flags are the top-scoring stays in ascending order, whatever order their scores rank them in.
    const top = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 2, blends: 3 });
    const byScore = [0, 1, 2, 3].sort((i, j) => top.scores[j] - top.scores[i]).slice(0, 3);
    expect(byScore).not.toEqual([...byScore].sort((a, b) => a - b));
    expect(Array.from(top.flagged)).toEqual([...byScore].sort((a, b) => a - b));
    const none = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 0, blends: 3, labels, normalise: 'none' });
    expect(Array.from(none.scores)).toEqual(Array.from(raw.scores));
    const flat = await strip({ inputs, predict: recording(() => 0.3).predict, expectedPoisonCount: 0, blends: 2, labels: [0, 0, 1, 1] });
    expect(flat.warnings).toEqual([
      'label 0: every stay has the same blend entropy; scores 0',
      'label 1: every stay has the same blend entropy; scores 0',
    ]);
    expect(Array.from(flat.scores)).toEqual([0, 0, 0, 0]);
    const single = await strip({ inputs, predict: recording(p).predict, expectedPoisonCount: 0, blends: 3, labels: [0, 0, 0, 1] });
    expect(single.perLabel[1]).toMatchObject({ n: 1, sdEntropy: 0 });
    // Three stays: the sample variance divides by n − 1 = 2 (with two stays, by 1, it cannot tell).
    const three = entropy.slice(0, 3);
    const meanOfThree = (three[0] + three[1] + three[2]) / 3;
    const sdOfThree = Math.sqrt(three.reduce((sum, h) => sum + (h - meanOfThree) ** 2, 0) / 2);
    expect(single.perLabel[0]).toEqual({
      label: 0,
      n: 3,
      meanEntropy: expect.closeTo(meanOfThree, 12),
      sdEntropy: expect.closeTo(sdOfThree, 12),
    });
    expect(single.warnings).toEqual(['label 1: every stay has the same blend entropy; scores 0']);
  });

  it('reads K class probabilities per row, clamps a binary probability, and counts classes', async () => {
    const three = await strip({
      inputs,
      predict: (_batch, rows) => Float32Array.from({ length: rows * 3 }, () => 1 / 3),
      expectedPoisonCount: 0,
      blends: 2,
    });
    for (const s of three.scores) expect(s).toBeCloseTo(-Math.log2(3), 6);
    expect(three.perLabel[0]).toMatchObject({ classes: 3 });
    const skewed = await strip({
      inputs,
      predict: (_batch, rows) => Float32Array.from({ length: rows * 3 }, (_, k) => [0.5, 0.5, 0][k % 3]),
      expectedPoisonCount: 0,
      blends: 2,
    });
    for (const s of skewed.scores) expect(s).toBeCloseTo(-1, 6);
    const beyond = await strip({ inputs, predict: (_batch, rows) => new Float32Array(rows).fill(1.5), expectedPoisonCount: 0, blends: 2 });
    for (const s of beyond.scores) expect(s).toBe(-0);
    const below = await strip({ inputs, predict: (_batch, rows) => new Float32Array(rows).fill(-0.5), expectedPoisonCount: 0, blends: 2 });
    for (const s of below.scores) expect(s).toBe(-0);
    await expect(
      strip({ inputs, predict: (_batch, rows) => new Float32Array(rows + 1), expectedPoisonCount: 0, blends: 2, batchSize: 3 }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'E_DETECT_PREDICT',
        message: 'predict returned 4 values for 3 rows; expected rows or rows × classes.',
      }),
    );
    await expect(strip({ inputs, predict: () => new Float32Array(0), expectedPoisonCount: 0 })).rejects.toThrow(
      /predict returned 0 values/,
    );
  });

  it('names the option it refuses', async () => {
    const predict = (_batch: Float32Array, rows: number) => new Float32Array(rows).fill(0.5);
    const cases: [Record<string, unknown>, string][] = [
      [{ predict: undefined }, 'predict must be a function (batch, rows) → probabilities.'],
      [{ expectedPoisonCount: -1 }, 'expectedPoisonCount must be ≥ 0, got -1.'],
      [{ expectedPoisonCount: NaN }, 'expectedPoisonCount must be ≥ 0, got NaN.'],
      [{ blends: 0 }, 'blends must be an integer ≥ 1, got 0.'],
      [{ blends: 1.5 }, 'blends must be an integer ≥ 1, got 1.5.'],
      [{ alpha: 0 }, 'alpha must be in (0, 1), got 0.'],
      [{ alpha: 1 }, 'alpha must be in (0, 1), got 1.'],
      [{ blend: 'mix' }, 'blend must be average, crossover or superimpose, got mix.'],
      [{ batchSize: 0 }, 'batchSize must be an integer ≥ 1, got 0.'],
      [{ batchSize: 2.5 }, 'batchSize must be an integer ≥ 1, got 2.5.'],
      [{ normalise: 'z' }, 'normalise must be per-label or none, got z.'],
      [{ normalise: 'per-label' }, "normalise 'per-label' needs labels for the 4 stays, got none."],
      [{ labels: [0, 1] }, "normalise 'per-label' needs labels for the 4 stays, got 2."],
      [{ inputs: { values: [1, 2], rows: 1, cols: 2 } }, 'STRIP needs at least 2 training stays to blend.'],
    ];
    for (const [change, message] of cases)
      await expect(strip({ inputs, predict, expectedPoisonCount: 0, ...change } as never)).rejects.toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message }),
      );
    await expect(strip({ inputs: { values: [1, NaN, 3, 4], rows: 2, cols: 2 }, predict, expectedPoisonCount: 0 })).rejects.toThrow(
      expect.objectContaining({ message: expect.stringContaining('inputs') }),
    );
    await expect(strip({ inputs, predict, expectedPoisonCount: 0, labels: [0, 1], normalise: 'none' })).resolves.toBeDefined();
    await expect(strip({ inputs, predict, expectedPoisonCount: 0, blends: 1, alpha: 0.999 })).resolves.toBeDefined();
    await expect(strip({ inputs: { values: [1, 2, 3, 4], rows: 2, cols: 2 }, predict, expectedPoisonCount: 0 })).resolves.toBeDefined();
  });
});
