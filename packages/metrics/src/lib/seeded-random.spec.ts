import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('is deterministic by seed and differs across seeds, including seeds that differ only above 2^32', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(draw(1)).not.toEqual(draw(1 + 2 ** 32));
    expect(draw(-1)).not.toEqual(draw(2 ** 32 - 1));
  });

  it('draws integers in [0, n) roughly uniformly', () => {
    const r = new SeededRandom(123);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const k = r.int(10);
      expect(k >= 0 && k < 10 && Number.isInteger(k)).toBe(true);
      counts[k]!++;
    }
    // Expected 5000 per cell, sd ≈ 67: a 6-sd band.
    for (const c of counts) expect(Math.abs(c - 5000)).toBeLessThan(400);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => new SeededRandom(1.5)).toThrow(expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }));
    expect(() => new SeededRandom(Number.NaN)).toThrow(expect.objectContaining({ name: 'MetricsInputError' }));
  });
});
