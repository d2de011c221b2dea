import { brierScore } from './brier.js';
import { WARNING } from './result.js';

describe('brierScore', () => {
  it('is the mean squared error of p against the label', () => {
    // ((0.8 − 1)² + (0.3 − 0)² + (0.5 − 1)²) / 3 = (0.04 + 0.09 + 0.25) / 3 = 0.38 / 3.
    expect(brierScore([1, 0, 1], [0.8, 0.3, 0.5]).value).toBeCloseTo(0.38 / 3, 15);
    expect(brierScore([1, 0], [1, 0]).value).toBe(0);
    expect(brierScore([1, 0], [0, 1]).value).toBe(1);
  });

  it('is defined with one class and NaN with a reason on an empty set', () => {
    expect(brierScore([1, 1], [0.5, 1]).value).toBe(0.125); // (0.25 + 0) / 2
    expect(brierScore([], [])).toMatchObject({
      value: Number.NaN,
      code: WARNING.empty,
      reason: 'Brier score is undefined on an empty set.',
    });
  });
});
