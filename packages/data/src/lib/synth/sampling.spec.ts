import fc from 'fast-check';
import { Random } from '@ehr-backdoor/core';
import { DiscreteMap, normalQuantile, pick, providerId, QuantileMap } from './sampling.js';

describe('normalQuantile', () => {
  it('matches tabulated standard normal quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(() => normalQuantile(0)).toThrow(RangeError);
  });
});

describe('QuantileMap', () => {
  const map = new QuantileMap([0.25, 0.5, 0.75], [1, 2, 4], 0, 10);

  it('returns the calibrated quantiles at their normal scores and interpolates between them', () => {
    expect(map.value(normalQuantile(0.25))).toBeCloseTo(1, 9);
    expect(map.value(0)).toBeCloseTo(2, 9);
    expect(map.value(normalQuantile(0.75))).toBeCloseTo(4, 9);
    expect(map.value(normalQuantile(0.75) / 2)).toBeCloseTo(3, 9);
  });

  it('extends the tails linearly and clamps them to the allowed range', () => {
    const z75 = normalQuantile(0.75);
    expect(map.value(2 * z75)).toBeCloseTo(6, 9);
    expect(map.value(100)).toBe(10);
    expect(map.value(-100)).toBe(0);
  });

  it('is monotone in z (so loadings keep their sign)', () => {
    fc.assert(fc.property(fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: -8, max: 8, noNaN: true }), (x, y) => {
      const [lo, hi] = x <= y ? [x, y] : [y, x];
      return map.value(lo) <= map.value(hi);
    }));
  });

  it('reproduces its quantiles from standard normal draws', () => {
    const random = Random.fromSeed(5);
    const values = Array.from({ length: 20_000 }, () => map.value(random.normal())).sort((p, q) => p - q);
    expect(values[5_000]).toBeCloseTo(1, 1);
    expect(values[10_000]).toBeCloseTo(2, 1);
    expect(values[15_000]).toBeCloseTo(4, 1);
  });
});

describe('DiscreteMap', () => {
  it('splits the normal line at the cumulative probabilities', () => {
    const map = new DiscreteMap([1, 2, 3], [0.5, 0.25, 0.25]);
    expect(map.value(-0.01)).toBe(1);
    expect(map.value(0.01)).toBe(2);
    expect(map.value(normalQuantile(0.75) + 0.01)).toBe(3);
    const random = Random.fromSeed(9);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[map.value(random.normal())]++;
    expect(counts[1] / 20_000).toBeCloseTo(0.5, 1);
    expect(counts[3] / 20_000).toBeCloseTo(0.25, 1);
  });
});

describe('pick', () => {
  it('draws categories in proportion to their weights', () => {
    const random = Random.fromSeed(3);
    let a = 0;
    for (let i = 0; i < 10_000; i++) if (pick(random, ['a', 'b'], [3, 1]) === 'a') a++;
    expect(a / 10_000).toBeCloseTo(0.75, 1);
  });
});

describe('providerId', () => {
  it("looks like MIMIC-IV's provider ids and is drawn from the stream it is given", () => {
    const ids = Array.from({ length: 50 }, (_, i) => providerId(Random.fromSeed(i, 'provider')));
    for (const id of ids) expect(id).toMatch(/^P[A-Z0-9]{5}$/);
    expect(new Set(ids).size).toBe(50);
    expect(providerId(Random.fromSeed(7, 'provider'))).toBe(providerId(Random.fromSeed(7, 'provider')));
  });
});
