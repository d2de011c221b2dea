import { quantileSorted } from './quantile.js';

describe('quantileSorted', () => {
  test('interpolates between order statistics as numpy.percentile does', () => {
    // np.percentile([1, 2, 3, 4], [50, 2.5, 0, 100, 95]) = [2.5, 1.075, 1, 4, 3.85]
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    expect(quantileSorted([1, 2, 3, 4], 0)).toBe(1);
    expect(quantileSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileSorted(Float64Array.from([1, 2, 3, 4]), 0.95)).toBeCloseTo(3.85, 12);
  });

  test('one value is every quantile; no value is NaN', () => {
    expect(quantileSorted([7], 0.3)).toBe(7);
    expect(quantileSorted([], 0.5)).toBeNaN();
  });
});
