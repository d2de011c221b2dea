import { bootstrapInterval, describeSample as describeValues, mean, quantileSorted, sampleStd, tInterval } from './describe.js';

describe('describe', () => {
  test('mean, std and the t interval of a hand-computed sample', () => {
    // values 1..5: mean 3, s² = 2.5, s = 1.5811, half-width = 2.7764451 · 1.5811388 / √5 = 1.9632432
    const d = describeValues([1, 2, 3, 4, 5]);
    expect(d.n).toBe(5);
    expect(d.mean).toBe(3);
    expect(d.std).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(d.ci.method).toBe('t');
    expect(d.ci.low).toBeCloseTo(3 - 1.9632432, 6);
    expect(d.ci.high).toBeCloseTo(3 + 1.9632432, 6);
  });

  test('one value has a mean but no std or interval, with a reason', () => {
    const d = describeValues([0.7]);
    expect(d.mean).toBe(0.7);
    expect(d.std).toBeNaN();
    expect(d.ci.low).toBeNaN();
    expect(d.ci.reason).toMatch(/at least 2/);
  });

  test('no values: NaN everywhere', () => {
    expect(mean([])).toBeNaN();
    expect(sampleStd([])).toBeNaN();
    expect(tInterval([]).low).toBeNaN();
  });

  test('variance is stable for values far from zero', () => {
    expect(sampleStd([1e9 + 1, 1e9 + 2, 1e9 + 3])).toBeCloseTo(1, 9);
  });

  test('bootstrap is seeded, brackets the mean and stays inside the sample range', () => {
    const values = [0.8, 0.85, 0.9, 0.82, 0.88];
    const a = bootstrapInterval(values, { seed: 7, stream: 'g' });
    const b = bootstrapInterval(values, { seed: 7, stream: 'g' });
    const c = bootstrapInterval(values, { seed: 8, stream: 'g' });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    expect(a.low).toBeGreaterThanOrEqual(0.8);
    expect(a.high).toBeLessThanOrEqual(0.9);
    expect(a.low).toBeLessThan(mean(values));
    expect(a.high).toBeGreaterThan(mean(values));
    expect(describeValues(values, { interval: 'bootstrap', bootstrap: { seed: 7, stream: 'g' } }).ci).toEqual(a);
  });

  test('quantileSorted interpolates as numpy does', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
  });
});
