import { erfc, logUpperTail, solveRidge } from './linear-solve.js';

describe('solveRidge', () => {
  it('solves (A + λI) x = b by Cholesky', () => {
    const A = Float64Array.from([4, 2, 0.6, 2, 5, 1.5, 0.6, 1.5, 3]);
    const b = Float64Array.from([1, -2, 0.5]);
    for (const lambda of [0, 0.7]) {
      const x = solveRidge(A, 3, b, lambda) as Float64Array;
      for (let i = 0; i < 3; i++) {
        let s = lambda * x[i];
        for (let j = 0; j < 3; j++) s += A[i * 3 + j] * x[j];
        expect(s).toBeCloseTo(b[i], 12);
      }
    }
  });

  it('returns null for a matrix that is not positive definite, and adds λ only on the diagonal', () => {
    expect(solveRidge(Float64Array.from([1, 2, 2, 1]), 2, Float64Array.from([1, 1]), 0)).toBeNull();
    expect(solveRidge(Float64Array.from([0, 0, 0, 0]), 2, Float64Array.from([1, 1]), 0)).toBeNull();
    expect(solveRidge(Float64Array.from([-1]), 1, Float64Array.from([1]), 0.5)).toBeNull();
    // A pivot of exactly 0 (singular, not negative) is refused too, first or last.
    expect(solveRidge(Float64Array.from([0]), 1, Float64Array.from([1]), 0)).toBeNull();
    expect(solveRidge(Float64Array.from([1, 1, 1, 1]), 2, Float64Array.from([1, 2]), 0)).toBeNull();
    const diagonal = solveRidge(Float64Array.from([0, 0, 0, 0]), 2, Float64Array.from([1, 3]), 2) as Float64Array;
    expect(diagonal[0]).toBeCloseTo(0.5, 12);
    expect(diagonal[1]).toBeCloseTo(1.5, 12);
  });
});

describe('erfc and logUpperTail', () => {
  // References: scipy.special.erfc and scipy.stats.norm.logsf.
  it('erfc agrees with scipy to the fit’s 1.2e-7 relative error, on both sides of 0', () => {
    const cases: [number, number][] = [
      [0, 1],
      [0.3, 0.6713732405408726],
      [1, 0.15729920705028516],
      [-1, 1.8427007929497148],
      [2.5, 0.00040695201744495886],
      [-2, 1.9953222650189528],
    ];
    for (const [x, want] of cases) expect(Math.abs(erfc(x) - want) / want).toBeLessThan(1.2e-7);
  });

  it('logUpperTail is ln P(Z ≥ z), accurate below and above the switch to the asymptotic series at 5', () => {
    const cases: [number, number][] = [
      [-1, -0.1727537790234499],
      [0, -0.6931471805599453],
      [1, -1.8410216450092634],
      [4.9, -14.551182689355313],
      [5, -15.064998393988727],
      [6, -20.73676894997471],
      [10, -53.23128515051248],
      [30, -454.32124395634327],
    ];
    // The series (three terms) is off by 5e-5 relative at z = 5 and better further out.
    for (const [z, want] of cases) expect(Math.abs(logUpperTail(z) - want) / -want).toBeLessThan(z < 5 ? 1e-6 : 6e-5);
    // The switch is at z = 5 inclusive: 5 takes the series (erfc would give scipy's value to 1e-7).
    expect(logUpperTail(5)).toBeCloseTo(-15.064210898647989, 9);
  });
});
