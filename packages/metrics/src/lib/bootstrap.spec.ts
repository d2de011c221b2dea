import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  bootstrapAuprc,
  bootstrapAuroc,
  bootstrapProportion,
  bootstrapRankingMetrics,
  quantileSorted,
  resolveBootstrapOptions,
  type BootstrapOptions,
} from './bootstrap.js';
import { auroc } from './auroc.js';
import { averagePrecision } from './average-precision.js';
import { WARNING } from './result.js';
import { SeededRandom } from './seeded-random.js';

function syntheticScores(n: number, seed: number): { y: number[]; p: number[] } {
  const r = new SeededRandom(seed);
  const y = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
  // Positives score higher on average; scores on a grid of 20 values give ties.
  const p = y.map((v) => Math.min(19, r.int(14) + 6 * v) / 19);
  return { y, p };
}

describe('bootstrap intervals', () => {
  it('reads percentiles with linear interpolation, as numpy', () => {
    // np.percentile([1, 2, 3, 4], [25, 97.5]) = [1.75, 3.925]
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 15);
    expect(quantileSorted([7], 0.025)).toBe(7);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });

  it('brackets the point estimate, which equals the unresampled metric', () => {
    const { y, p } = syntheticScores(400, 1);
    const { auroc: a, auprc: b } = bootstrapRankingMetrics(y, p, { seed: 3 });
    expect(a.estimate).toBe(auroc(y, p).value);
    expect(b.estimate).toBe(averagePrecision(y, p).value);
    for (const ci of [a, b]) {
      expect(ci).toMatchObject({ level: 0.95, resamples: 1000, validResamples: 1000, stratified: false, seed: 3 });
      expect(ci.low).toBeLessThan(ci.estimate);
      expect(ci.high).toBeGreaterThan(ci.estimate);
      expect(ci.reason).toBeUndefined();
    }
    // Var(AUROC) for n = 400 at AUROC ≈ 0.8 is small: the 95 % interval is well inside ±0.15.
    expect(a.high - a.low).toBeLessThan(0.3);
  });

  it('gives the same interval for the same seed and, as a rule, another for another seed', () => {
    const { y, p } = syntheticScores(200, 2);
    expect(bootstrapAuroc(y, p, { seed: 9, resamples: 200 })).toEqual(bootstrapAuroc(y, p, { seed: 9, resamples: 200 }));
    expect(bootstrapAuroc(y, p, { seed: 9, resamples: 200 }).low).not.toBe(bootstrapAuroc(y, p, { seed: 10, resamples: 200 }).low);
    // AUROC and AUPRC of one call share their resamples with the single-metric calls.
    expect(bootstrapAuprc(y, p, { seed: 9, resamples: 200 })).toEqual(bootstrapRankingMetrics(y, p, { seed: 9, resamples: 200 }).auprc);
  });

  it('is deterministic by seed (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 10 })), { minLength: 2, maxLength: 40 }),
        fc.boolean(),
        (seed, rows, stratified) => {
          const y = rows.map(([v]) => v);
          const p = rows.map(([, k]) => k / 10);
          const options = { seed, resamples: 30, stratified };
          expect(bootstrapRankingMetrics(y, p, options)).toEqual(bootstrapRankingMetrics(y, p, options));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('skips and counts one-class resamples unless stratified', () => {
    // n = 2 (one positive, one negative): a resample is one-class with probability 2 · (½)² = ½.
    // Every two-class resample ranks the positive (0.9) above the negative (0.1), so AUROC = 1.
    const plain = bootstrapAuroc([1, 0], [0.9, 0.1], { resamples: 400, seed: 5 });
    expect(plain.validResamples).toBeGreaterThan(100);
    expect(plain.validResamples).toBeLessThan(300);
    expect(plain).toMatchObject({ low: 1, high: 1, code: WARNING.bootstrapDegenerateResamples });
    expect(plain.reason).toMatch(/rests on \d+ of 400/);
    const stratified = bootstrapAuroc([1, 0], [0.9, 0.1], { resamples: 400, seed: 5, stratified: true });
    expect(stratified).toMatchObject({ validResamples: 400, low: 1, high: 1, stratified: true });
    expect(stratified.reason).toBeUndefined();
  });

  it('keeps the class counts in a stratified resample (prevalence fixed → AUPRC of random scores near it)', () => {
    const { y, p } = syntheticScores(200, 4);
    const ci = bootstrapAuprc(y, p, { stratified: true, resamples: 300, seed: 1 });
    expect(ci.validResamples).toBe(300);
    expect(ci.low).toBeLessThanOrEqual(ci.estimate);
  });

  it('is NaN with a reason when the metric is undefined on the original set', () => {
    const ci = bootstrapAuroc([1, 1, 1], [0.1, 0.5, 0.9]);
    expect(ci).toMatchObject({ estimate: Number.NaN, low: Number.NaN, high: Number.NaN, validResamples: 0, code: WARNING.oneClass });
    expect(ci.reason).toMatch(/^no confidence interval: AUROC is undefined/);
  });

  it('honours the level and rejects bad options', () => {
    const { y, p } = syntheticScores(200, 6);
    const wide = bootstrapAuroc(y, p, { level: 0.99, resamples: 300 });
    const narrow = bootstrapAuroc(y, p, { level: 0.5, resamples: 300 });
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
    for (const bad of [{ resamples: 0 }, { resamples: 2.5 }, { level: 1 }, { level: 0 }, { seed: 0.5 }]) {
      expect(() => bootstrapAuroc(y, p, bad)).toThrow(
        expect.objectContaining({ name: 'MetricsInputError', code: 'E_METRICS_INVALID_OPTION' }),
      );
    }
  });
});

interface IntervalFixture {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}
/** Written by tools/scripts/bootstrap-fixtures.py: same draws (a Python port of the PRNG), metrics and percentiles from scipy/numpy. */
const reference = JSON.parse(readFileSync(new URL('./__fixtures__/bootstrap.json', import.meta.url), 'utf8')) as {
  ranking: {
    name: string;
    y_true: number[];
    p: number[];
    options: Required<BootstrapOptions>;
    validResamples: number;
    auroc: IntervalFixture;
    auprc: IntervalFixture;
  }[];
  proportion: {
    name: string;
    successes: number[];
    options: { seed: number; resamples: number; level: number };
    estimate: number;
    low: number;
    high: number;
  }[];
};

describe('bootstrap interval endpoints against numpy/scipy', () => {
  const close = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThan(1e-12);

  it.each(reference.ranking.map((c) => [c.name, c] as const))(
    '%s: AUROC and AUPRC intervals are the 100·α/2 and 100·(1 − α/2) percentiles',
    (_, c) => {
      const { auroc: a, auprc: b } = bootstrapRankingMetrics(c.y_true, c.p, c.options);
      expect(a.validResamples).toBe(c.validResamples);
      for (const [actual, expected] of [
        [a, c.auroc],
        [b, c.auprc],
      ] as const) {
        close(actual.estimate, expected.estimate);
        close(actual.low, expected.low);
        close(actual.high, expected.high);
      }
    },
  );

  it.each(reference.proportion.map((c) => [c.name, c] as const))('%s: a proportion (ASR) interval is the same percentile pair', (_, c) => {
    const estimate = { value: c.estimate };
    const ci = bootstrapProportion(c.successes, estimate, resolveBootstrapOptions(c.options), 'ASR');
    expect(ci).toMatchObject({ estimate: c.estimate, validResamples: c.options.resamples, level: c.options.level });
    close(ci.low, c.low);
    close(ci.high, c.high);
  });
});

describe('bootstrap options and edge cases', () => {
  it('accepts resamples in [1, 1000000], a safe-integer seed, a level in (0, 1) and a boolean stratified', () => {
    expect(resolveBootstrapOptions()).toEqual({ resamples: 1000, seed: 0, level: 0.95, stratified: false });
    expect(resolveBootstrapOptions({ resamples: 1, seed: -(2 ** 53 - 1), level: 0.5, stratified: true })).toEqual({
      resamples: 1,
      seed: -(2 ** 53 - 1),
      level: 0.5,
      stratified: true,
    });
    expect(resolveBootstrapOptions({ resamples: 1_000_000 }).resamples).toBe(1_000_000);
    const rejects = (options: BootstrapOptions, message: string) =>
      expect(() => resolveBootstrapOptions(options)).toThrow(
        expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION', message: expect.stringContaining(message) }),
      );
    rejects({ resamples: 1_000_001 }, 'bootstrap resamples must be an integer in [1, 1000000], got 1000001.');
    rejects({ resamples: 0 }, 'got 0.');
    rejects({ seed: 2 ** 53 }, `bootstrap seed must be a safe integer, got ${2 ** 53}.`);
    rejects({ level: '0.9' as unknown as number }, 'bootstrap level must be in (0, 1), e.g. 0.95, got 0.9.');
    rejects({ stratified: 'yes' as unknown as boolean }, 'bootstrap stratified must be true or false, got yes.');
  });

  it('reads the extreme quantiles as the extreme values', () => {
    expect(quantileSorted([1, 2, 3], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3], 1)).toBe(3);
    expect(quantileSorted([1, 2, 3], 0.5)).toBe(2);
    expect(quantileSorted(Float64Array.from([0, 10]), 0.25)).toBe(2.5);
  });

  it('gives a NaN interval with the reason when every resample holds one class', () => {
    // n = 2 and one resample: half of the seeds draw the same stay twice.
    const ci = [0, 1, 2, 3, 4, 5, 6, 7]
      .map((seed) => bootstrapAuroc([1, 0], [0.9, 0.1], { resamples: 1, seed }))
      .find((c) => c.validResamples === 0)!;
    expect(ci).toMatchObject({ estimate: 1, low: Number.NaN, high: Number.NaN, resamples: 1, code: WARNING.bootstrapDegenerateResamples });
    expect(ci.reason).toBe(
      'the AUROC confidence interval is undefined: every one of the 1 bootstrap resamples held one class only (use stratified resampling).',
    );
    expect(bootstrapAuprc([1, 1], [0.2, 0.3]).reason).toMatch(/^no confidence interval: AUPRC is undefined/);
    const partial = bootstrapAuprc([1, 0], [0.9, 0.1], { resamples: 40, seed: 1 });
    expect(partial.reason).toBe(
      `the AUPRC confidence interval rests on ${partial.validResamples} of 40 bootstrap resamples; the others held one class only (use stratified resampling).`,
    );
  });

  it('gives a proportion no interval when there is nothing to resample or the estimate is undefined', () => {
    const o = resolveBootstrapOptions({ resamples: 10, seed: 4, level: 0.9 });
    const empty = bootstrapProportion([], { value: NaN, reason: 'ASR is undefined: no eligible stay.', code: WARNING.empty }, o, 'ASR');
    expect(empty).toEqual({
      estimate: NaN,
      low: NaN,
      high: NaN,
      level: 0.9,
      resamples: 10,
      validResamples: 0,
      stratified: false,
      seed: 4,
      reason: 'no confidence interval: ASR is undefined: no eligible stay.',
      code: WARNING.empty,
    });
    const noReason = bootstrapProportion([1, 0], { value: NaN }, o, 'ASR');
    expect(noReason.reason).toBe('no confidence interval: the metric is undefined on the original set.');
    expect('code' in noReason).toBe(false);
    // All successes: every resample is 1.
    expect(bootstrapProportion([1, 1, 1], { value: 1 }, o, 'ASR')).toMatchObject({ low: 1, high: 1, validResamples: 10 });
  });

  it('keeps the class counts of every stratified resample', () => {
    // One positive among 6: a stratified resample always holds it exactly once, so every resample is valid
    // and the AUROC of a perfectly ranked set stays 1.
    const ci = bootstrapAuroc([0, 0, 1, 0, 0, 0], [0.1, 0.2, 0.9, 0.3, 0.4, 0.5], { stratified: true, resamples: 50, seed: 2 });
    expect(ci).toMatchObject({ validResamples: 50, low: 1, high: 1 });
  });
});
