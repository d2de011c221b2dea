import { Random } from '@ehr-backdoor/core';
import { inverseStandardNormal, stripTestTime } from './strip-test-time.js';

describe('STRIP at test time', () => {
  // A model that keys on feature 0 (a trigger value of 5 saturates it) and otherwise reads feature 1.
  const predict = (batch: Float32Array, rows: number) =>
    Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-(4 * batch[r * 3] + 0.8 * batch[r * 3 + 1]))));
  const random = Random.fromSeed(3, 'strip-test-time-spec');
  const make = (rows: number, trigger: boolean) => ({
    values: Float32Array.from({ length: rows * 3 }, (_, k) => (k % 3 === 0 ? (trigger ? 5 : 0.2 * random.normal()) : random.normal())),
    rows,
    cols: 3,
  });
  const clean = make(200, false);
  const pool = make(100, false);

  it('accepts almost no triggered stay at a 1 % false-rejection rate', async () => {
    const result = await stripTestTime({ clean, triggered: make(100, true), pool, predict });
    expect(result.blends).toBe(100);
    expect(result.far).toBeLessThan(0.05);
    // The paper's normal fit to clean entropies misses their skew: the realised FRR exceeds the 1 % asked.
    expect(result.frr).toBeLessThanOrEqual(0.06);
    const empirical = await stripTestTime({ clean, triggered: make(100, true), pool, predict, thresholdRule: 'empirical' });
    expect(empirical.frr).toBeLessThanOrEqual(0.01);
    expect(empirical.far).toBeLessThan(0.05);
    expect(result.auroc).toBeGreaterThan(0.99);
  });

  it('accepts about 99 % of stays that carry no trigger (the clean case stays within its budget)', async () => {
    const result = await stripTestTime({ clean, triggered: make(300, false), pool, predict, thresholdRule: 'empirical', blends: 20 });
    expect(result.far).toBeGreaterThan(0.95);
    expect(result.frr).toBeLessThanOrEqual(0.01);
    expect(result.auroc).toBeGreaterThan(0.4);
    expect(result.auroc).toBeLessThan(0.6);
  });

  it('rejects bad settings with the option named', async () => {
    await expect(stripTestTime({ clean, triggered: clean, pool, predict, frr: 1 })).rejects.toThrow(/frr must be in \(0, 1\)/);
    await expect(stripTestTime({ clean, triggered: clean, pool, predict, blends: 0 })).rejects.toThrow(/blends must be an integer/);
    await expect(stripTestTime({ clean, triggered: { values: new Float32Array(4), rows: 2, cols: 2 }, pool, predict })).rejects.toThrow(
      /same width/,
    );
  });

  it('inverts the standard normal', () => {
    expect(inverseStandardNormal(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(inverseStandardNormal(0.5)).toBeCloseTo(0, 12);
    expect(inverseStandardNormal(0.975)).toBeCloseTo(1.959963984540054, 8);
  });
});

describe('STRIP at test time, step by step', () => {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const bits = (q: number) => -q * Math.log2(q) - (1 - q) * Math.log2(1 - q);
  const column = (...values: number[]) => ({ values: Float64Array.from(values), rows: values.length, cols: 1 });
  /** p = sigmoid(x), recording every batch. */
  function recording() {
    const batches: number[][] = [];
    const predict = (batch: Float32Array, rows: number) => {
      batches.push(Array.from(batch.subarray(0, rows)));
      return Float32Array.from(batch.subarray(0, rows), sigmoid);
    };
    return { predict, batches };
  }
  const clean = column(0, 1, 2, 0.5);
  const triggered = column(5, -0.7, 0.2);
  // A pool of zeros: a full-strength blend leaves the stay as it is, so H(x) = bits(sigmoid(x)).
  const zeros = column(0, 0);

  it('blends N times per stay in row order across batches, and thresholds at the normal or empirical FRR quantile', async () => {
    const { predict, batches } = recording();
    const result = await stripTestTime({ clean, triggered, pool: zeros, predict, blends: 3, batchSize: 5, frr: 0.3 });
    expect(batches.map((b) => b.length)).toEqual([5, 5, 2, 5, 4]);
    // Batches that end exactly at a set's last blend: no empty batch after them.
    const exact = recording();
    await stripTestTime({ clean, triggered, pool: zeros, predict: exact.predict, blends: 3, batchSize: 4 });
    expect(exact.batches.map((b) => b.length)).toEqual([4, 4, 4, 4, 4, 1]);
    expect(batches.slice(0, 3).flat()).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 0.5, 0.5, 0.5]);
    expect(
      batches
        .slice(3)
        .flat()
        .map((x) => Math.round(x * 10) / 10),
    ).toEqual([5, 5, 5, -0.7, -0.7, -0.7, 0.2, 0.2, 0.2]);
    const h = (x: number) => bits(sigmoid(Math.fround(x)));
    const cleanH = [0, 1, 2, 0.5].map(h);
    const triggeredH = [5, -0.7, 0.2].map(h);
    cleanH.forEach((want, i) => expect(result.cleanEntropy[i]).toBeCloseTo(want, 6));
    triggeredH.forEach((want, i) => expect(result.triggeredEntropy[i]).toBeCloseTo(want, 6));
    const mean = cleanH.reduce((s, x) => s + x, 0) / 4;
    const sd = Math.sqrt(cleanH.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
    const threshold = mean + sd * -0.5244005127080409;
    expect(result.threshold).toBeCloseTo(threshold, 6);
    expect(result.far).toBe(triggeredH.filter((x) => x >= threshold).length / 3);
    expect(result.frr).toBe(cleanH.filter((x) => x < threshold).length / 4);
    expect(result.far).toBeCloseTo(2 / 3, 12);
    expect(result.frr).toBe(0.25);
    // −H ranks by |x|: 5 above every clean stay, −0.7 above 0.5 and 0, 0.2 above 0.
    expect(result.auroc).toBeCloseTo((4 + 2 + 1) / 12, 12);
    expect(result.blends).toBe(3);
    const empirical = await stripTestTime({ clean, triggered, pool: zeros, predict, blends: 1, frr: 0.3, thresholdRule: 'empirical' });
    // Clean entropies sorted: h(2), h(1), h(0.5), h(0); position 0.3 × 3 = 0.9 between the first two.
    const sorted = [...cleanH].sort((a, b) => a - b);
    expect(empirical.threshold).toBeCloseTo(sorted[0] + 0.9 * (sorted[1] - sorted[0]), 6);
    expect(empirical.frr).toBe(0.25);
    // A threshold equal to an entropy (position 1/3 × 3 = 1: the second lowest, h(1)): that clean stay is
    // kept (rejected only below), and a triggered stay at it is accepted (accepted from the threshold up).
    const at = await stripTestTime({
      clean,
      triggered: column(1, 5),
      pool: zeros,
      predict,
      blends: 1,
      frr: 1 / 3,
      thresholdRule: 'empirical',
    });
    expect(at.threshold).toBe(at.cleanEntropy[1]);
    expect(at.triggeredEntropy[0]).toBe(at.threshold);
    expect(at.frr).toBe(0.25);
    expect(at.far).toBe(0.5);
    const top = await stripTestTime({ clean, triggered, pool: zeros, predict, blends: 1, frr: 0.999, thresholdRule: 'empirical' });
    expect(top.threshold).toBeCloseTo(sorted[2] + 0.997 * (sorted[3] - sorted[2]), 6);
  });

  it('draws the blend partners from the pool, at full strength by default or as the training-set blends', async () => {
    const pool = column(0.25, 0.5);
    const superimposed = recording();
    await stripTestTime({ clean, triggered, pool, predict: superimposed.predict, blends: 20 });
    const rows = superimposed.batches.flat();
    const stays = [0, 1, 2, 0.5, 5, -0.7, 0.2];
    rows.forEach((x, g) => {
      const own = stays[Math.floor(g / 20)];
      expect([own + 0.25, own + 0.5].some((want) => Math.abs(x - want) < 1e-6)).toBe(true);
    });
    // Both pool stays are drawn.
    expect(new Set(rows.slice(0, 20)).size).toBe(2);
    const averaged = recording();
    await stripTestTime({ clean, triggered, pool, predict: averaged.predict, blends: 4, blend: 'average' });
    averaged.batches.flat().forEach((x, g) => {
      const own = stays[Math.floor(g / 4)];
      expect([own / 2 + 0.125, own / 2 + 0.25].some((want) => Math.abs(x - want) < 1e-6)).toBe(true);
    });
    const crossed = recording();
    await stripTestTime({ clean, triggered, pool, predict: crossed.predict, blends: 40, blend: 'crossover' });
    const own = crossed.batches.flat().filter((x, g) => x === Math.fround(stays[Math.floor(g / 40)])).length;
    expect(own / (7 * 40)).toBeGreaterThan(0.35);
    expect(own / (7 * 40)).toBeLessThan(0.65);
    // One partner per blend, in row order, from the seed's own 'strip-test-time' stream: the recorded seed reproduces them.
    const draws = Random.fromSeed(0, 'strip-test-time');
    const partners = stays.flatMap((x) => Array.from({ length: 20 }, () => Math.fround(x + [0.25, 0.5][draws.int(2)])));
    expect(rows).toEqual(partners);
    // Several columns: a partner is a whole pool row, its columns in place.
    const wide: number[][] = [];
    await stripTestTime({
      clean: { values: [0, 0, 1, 1], rows: 2, cols: 2 },
      triggered: { values: [5, 5], rows: 1, cols: 2 },
      pool: { values: [10, 20, 30, 40], rows: 2, cols: 2 },
      predict: (batch, n) => {
        for (let r = 0; r < n; r++) wide.push([batch[2 * r], batch[2 * r + 1]]);
        return new Float32Array(n).fill(0.5);
      },
      blends: 10,
    });
    const wideDraws = Random.fromSeed(0, 'strip-test-time');
    expect(wide).toEqual(
      [0, 1, 5].flatMap((x) => Array.from({ length: 10 }, () => (wideDraws.int(2) === 0 ? [x + 10, x + 20] : [x + 30, x + 40]))),
    );
    const seeded = await stripTestTime({ clean, triggered, pool, predict: recording().predict, blends: 20, seed: 0 });
    const byDefault = await stripTestTime({ clean, triggered, pool, predict: recording().predict, blends: 20 });
    expect(Array.from(seeded.cleanEntropy)).toEqual(Array.from(byDefault.cleanEntropy));
    const other = await stripTestTime({ clean, triggered, pool, predict: recording().predict, blends: 20, seed: 4 });
    expect(Array.from(other.cleanEntropy)).not.toEqual(Array.from(byDefault.cleanEntropy));
  });

  it('defaults to 100 blends, a 1 % FRR and one batch of 4096 rows', async () => {
    const { predict, batches } = recording();
    const result = await stripTestTime({ clean, triggered, pool: zeros, predict });
    expect(result.blends).toBe(100);
    expect(batches.map((b) => b.length)).toEqual([400, 300]);
    const cleanH = [0, 1, 2, 0.5].map((x) => bits(sigmoid(x)));
    const mean = cleanH.reduce((s, x) => s + x, 0) / 4;
    const sd = Math.sqrt(cleanH.reduce((s, x) => s + (x - mean) ** 2, 0) / 3);
    expect(result.threshold).toBeCloseTo(mean + sd * -2.3263478740408408, 5);
  });

  it('reads K class probabilities per row and checks their count', async () => {
    const three = await stripTestTime({
      clean,
      triggered,
      pool: zeros,
      predict: (_b, rows) => new Float32Array(rows * 3).fill(1 / 3),
      blends: 2,
    });
    for (const h of three.cleanEntropy) expect(h).toBeCloseTo(Math.log2(3), 6);
    await expect(
      stripTestTime({ clean, triggered, pool: zeros, predict: (_b, rows) => new Float32Array(rows + 1), blends: 2 }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'E_DETECT_PREDICT',
        message: 'predict returned 9 values for 8 rows; expected rows or rows × classes.',
      }),
    );
    await expect(stripTestTime({ clean, triggered, pool: zeros, predict: () => new Float32Array(0), blends: 2 })).rejects.toThrow(
      /predict returned 0 values for 8 rows/,
    );
  });

  it('names what it refuses', async () => {
    const predict = recording().predict;
    const base = { clean, triggered, pool: zeros, predict };
    const cases: [Record<string, unknown>, string][] = [
      [
        { pool: { values: new Float64Array(4), rows: 2, cols: 2 } },
        'STRIP test-time: clean, triggered and pool stays must have the same width (1, 1, 2).',
      ],
      [
        { triggered: { values: new Float64Array(4), rows: 2, cols: 2 } },
        'STRIP test-time: clean, triggered and pool stays must have the same width (1, 2, 1).',
      ],
      [{ clean: column(1) }, 'STRIP test-time needs ≥ 2 clean test stays and ≥ 1 pool stay, got 1 and 2.'],
      [{ predict: 'model' }, 'STRIP test-time: predict must be a function (batch, rows) → probabilities.'],
      [{ blends: 0 }, 'STRIP test-time: blends must be an integer ≥ 1, got 0.'],
      [{ blends: 2.5 }, 'STRIP test-time: blends must be an integer ≥ 1, got 2.5.'],
      [{ frr: 0 }, 'STRIP test-time: frr must be in (0, 1), got 0.'],
      [{ frr: 1 }, 'STRIP test-time: frr must be in (0, 1), got 1.'],
      [{ thresholdRule: 'gauss' }, 'STRIP test-time: thresholdRule must be normal or empirical, got gauss.'],
      [{ blend: 'mix' }, 'STRIP test-time: blend must be superimpose, average or crossover, got mix.'],
    ];
    for (const [change, message] of cases)
      await expect(stripTestTime({ ...base, ...change } as never)).rejects.toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message }),
      );
    await expect(stripTestTime({ ...base, clean: column(1, 2), pool: column(0), blends: 1, frr: 0.999 })).resolves.toBeDefined();
    await expect(stripTestTime({ ...base, clean: { values: [1, NaN], rows: 2, cols: 1 } })).rejects.toThrow(/STRIP test-time clean stays/);
    await expect(stripTestTime({ ...base, triggered: { values: [1, NaN], rows: 2, cols: 1 } })).rejects.toThrow(
      /STRIP test-time triggered stays/,
    );
    await expect(stripTestTime({ ...base, pool: { values: [NaN], rows: 1, cols: 1 } })).rejects.toThrow(/STRIP test-time blend pool/);
  });

  it('inverts the standard normal in both tails and the centre, as scipy.stats.norm.ppf', () => {
    const cases: [number, number][] = [
      [1e-6, -4.753424308822899],
      [0.001, -3.090232306167813],
      [0.02, -2.053748910631823],
      [0.02425, -1.972961051311885],
      [0.03, -1.880793608151251],
      [0.3, -0.5244005127080409],
      [0.7, 0.5244005127080407],
      [0.9, 1.2815515655446004],
      [0.97, 1.8807936081512509],
      [0.98, 2.0537489106318225],
      [0.999, 3.090232306167813],
    ];
    for (const [q, want] of cases) expect(inverseStandardNormal(q)).toBeCloseTo(want, 7);
  });
});
