import fc from 'fast-check';
import { averagePrecision } from './average-precision.js';
import { WARNING } from './result.js';

describe('averagePrecision', () => {
  it('matches the scikit-learn documentation example', () => {
    // Descending: 0.8 (pos) P=1 R=½ · 0.4 (neg) P=½ R=½ · 0.35 (pos) P=⅔ R=1 · 0.1 (neg) P=½ R=1.
    // AP = Σ ΔR·P = ½·1 + ½·⅔ = 5/6.
    expect(Math.abs(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).value - 5 / 6)).toBeLessThan(1e-15);
  });

  it('is step-wise over tie groups, not trapezoidal', () => {
    // Group 0.9 = {pos, neg}: P=½, R=½. Group 0.5 = {pos}: P=⅔, R=1. Group 0.1 = {neg}: ΔR = 0.
    // AP = ½·½ + ½·⅔ = 7/12 ≈ 0.5833; the trapezoid through (0,1), (½,½), (1,⅔) would give 2/3.
    const ap = averagePrecision([1, 0, 1, 0], [0.9, 0.9, 0.5, 0.1]).value;
    expect(Math.abs(ap - 7 / 12)).toBeLessThan(1e-15);
  });

  it('is the prevalence when every score is tied', () => {
    // One threshold: P = 2/5 at R = 1.
    expect(averagePrecision([1, 0, 0, 1, 0], [0.4, 0.4, 0.4, 0.4, 0.4]).value).toBeCloseTo(0.4, 15);
  });

  it('is NaN with a reason for one class (where sklearn gives 1 or 0) or an empty set', () => {
    expect(averagePrecision([1, 1], [0.3, 0.6])).toMatchObject({ value: Number.NaN, code: WARNING.oneClass });
    expect(averagePrecision([0, 0], [0.3, 0.6])).toMatchObject({ value: Number.NaN, code: WARNING.oneClass });
    expect(averagePrecision([], [])).toMatchObject({ value: Number.NaN, code: WARNING.empty });
    expect(averagePrecision([0, 0], [0.3, 0.6]).reason).toBe(
      'AUPRC is undefined: all 2 stays are negative, and a ranking metric needs both classes.',
    );
    expect(averagePrecision([], []).reason).toBe('AUPRC is undefined on an empty set.');
  });

  it('lies in [0, 1] and is at least the smallest attainable precision', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 2, maxLength: 80 }),
        (rows) => {
          const y = rows.map(([v]) => v);
          const p = rows.map(([, v]) => v);
          const ap = averagePrecision(y, p).value;
          if (!y.includes(0) || !y.includes(1)) return expect(ap).toBeNaN();
          expect(ap).toBeGreaterThanOrEqual(0);
          expect(ap).toBeLessThanOrEqual(1);
          // Every step's precision is at least the prevalence's floor of 1 positive among n.
          expect(ap).toBeGreaterThanOrEqual(1 / y.length - 1e-12);
        },
      ),
    );
  });
});
