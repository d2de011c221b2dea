import { Random } from '@ehr-backdoor/core';
import { topEigenvectors } from './power-iteration.js';

describe('topEigenvectors', () => {
  it('refuses a matrix that is not d × d and a k outside 1..d', () => {
    const identity = Float64Array.from([1, 0, 0, 1]);
    const refused = (matrix: Float64Array, d: number, k: number, message: string) =>
      expect(() => topEigenvectors(matrix, d, k, Random.fromSeed(1))).toThrow(expect.objectContaining({ code: 'E_DETECT_INPUT', message }));
    refused(identity, 3, 1, 'topEigenvectors needs a d × d matrix with d ≥ 1; got 4 values for d = 3.');
    refused(new Float64Array(0), 0, 1, 'topEigenvectors needs a d × d matrix with d ≥ 1; got 0 values for d = 0.');
    refused(Float64Array.from([1, 0, 0, 1, 0]), 2.5, 1, 'topEigenvectors needs a d × d matrix with d ≥ 1; got 5 values for d = 2.5.');
    for (const k of [0, 3, 1.5]) refused(identity, 2, k, `topEigenvectors gives between 1 and d = 2 eigenvectors; got k = ${k}.`);
    // (No non-integer d squares to a whole number of values.)
    refused(new Float64Array(1), -1, 1, 'topEigenvectors needs a d × d matrix with d ≥ 1; got 1 values for d = -1.');
    expect(topEigenvectors(identity, 2, 2, Random.fromSeed(1)).vectors).toHaveLength(2);
    expect(Array.from(topEigenvectors(Float64Array.from([3]), 1, 1, Random.fromSeed(1)).values)).toEqual([3]);
  });

  it('recovers the eigenpairs of a rotated diagonal matrix', () => {
    // Q diag(4, 2, 1) Qᵀ with Q a rotation by 30° in the (0, 1) plane.
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const Q = [c, -s, 0, s, c, 0, 0, 0, 1];
    const D = [4, 2, 1];
    const m = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) m[i * 3 + j] += Q[i * 3 + k] * D[k] * Q[j * 3 + k];
    const { vectors, values, converged } = topEigenvectors(m, 3, 3, Random.fromSeed(1));
    expect(Array.from(values)).toEqual([expect.closeTo(4, 9), expect.closeTo(2, 9), expect.closeTo(1, 9)]);
    expect(converged).toEqual([true, true, true]);
    expect(Math.abs(vectors[0][0])).toBeCloseTo(c, 6);
    expect(Math.abs(vectors[0][1])).toBeCloseTo(s, 6);
    expect(Math.abs(vectors[2][2])).toBeCloseTo(1, 6);
  });

  it('is deterministic for a seed', () => {
    const m = Float64Array.from([2, 1, 1, 2]);
    const a = topEigenvectors(m, 2, 1, Random.fromSeed(5)).vectors[0];
    const b = topEigenvectors(m, 2, 1, Random.fromSeed(5)).vectors[0];
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a[0]).toBeCloseTo(Math.SQRT1_2, 9);
  });

  it('gives every vector a positive largest component, whatever the start', () => {
    const m = Float64Array.from([2, -1, 0, -1, 2, -1, 0, -1, 2]);
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { vectors } = topEigenvectors(m, 3, 3, Random.fromSeed(seed));
      for (const v of vectors) {
        const big = Array.from(v).reduce((b, x, j) => (Math.abs(x) > Math.abs(v[b]) ? j : b), 0);
        expect(v[big]).toBeGreaterThan(0);
        expect(Math.hypot(...v)).toBeCloseTo(1, 12);
      }
      // Eigenvalues of this tridiagonal matrix: 2 + √2, 2, 2 − √2.
      expect(topEigenvectors(m, 3, 1, Random.fromSeed(seed)).values[0]).toBeCloseTo(2 + Math.SQRT2, 9);
    }
  });

  it('reports a vector that ran out of iterations as not converged', () => {
    // Eigenvalues 1 and 0.99: convergence takes thousands of steps.
    const m = Float64Array.from([1, 0, 0, 0.99]);
    const slow = topEigenvectors(m, 2, 1, Random.fromSeed(3), { maxIterations: 5 });
    expect(slow.converged).toEqual([false]);
    const loose = topEigenvectors(m, 2, 1, Random.fromSeed(3), { maxIterations: 5, tolerance: 1 });
    expect(loose.converged).toEqual([true]);
  });

  it('takes at most maxIterations steps: one step from the seeded start v₀ gives M v₀ / ‖M v₀‖', () => {
    const m = Float64Array.from([1, 0, 0, 0.5]);
    const start = Random.fromSeed(3);
    const v0 = [start.normal(), start.normal()];
    const mv = [v0[0], 0.5 * v0[1]];
    const sign = Math.abs(mv[0]) > Math.abs(mv[1]) ? Math.sign(mv[0]) : Math.sign(mv[1]);
    const one = topEigenvectors(m, 2, 1, Random.fromSeed(3), { maxIterations: 1 });
    expect(one.converged).toEqual([false]);
    expect(Array.from(one.vectors[0])).toEqual([
      expect.closeTo((sign * mv[0]) / Math.hypot(...mv), 12),
      expect.closeTo((sign * mv[1]) / Math.hypot(...mv), 12),
    ]);
    expect(one.values[0]).toBeCloseTo(Math.hypot(...mv) / Math.hypot(...v0), 12);
  });

  it('starts from a unit vector: a start that is already an eigenvector is a fixed point after one step', () => {
    // 1 × 1: the normalised start ±1 is the eigenvector, so the first step changes nothing, even at tolerance 0.
    for (const seed of [1, 2, 3]) {
      const { vectors, values, converged } = topEigenvectors(Float64Array.from([3]), 1, 1, Random.fromSeed(seed), {
        maxIterations: 1,
        tolerance: 0,
      });
      expect([Array.from(vectors[0]), Array.from(values), converged]).toEqual([[1], [3], [true]]);
    }
  });

  it('returns eigenvalue 0 once the matrix has nothing left (zero matrix, k above the rank)', () => {
    const zero = topEigenvectors(new Float64Array(4), 2, 1, Random.fromSeed(1));
    expect(Array.from(zero.values)).toEqual([0]);
    expect(zero.converged).toEqual([true]);
    // On the null space the vectors are the (orthogonalised, normalised) starts: still an orthonormal basis.
    for (const seed of [1, 2, 3]) {
      const nothing = topEigenvectors(new Float64Array(4), 2, 2, Random.fromSeed(seed));
      const [a, b] = nothing.vectors;
      expect([Math.hypot(...a), Math.hypot(...b), a[0] * b[0] + a[1] * b[1]]).toEqual([
        expect.closeTo(1, 12),
        expect.closeTo(1, 12),
        expect.closeTo(0, 12),
      ]);
      expect(nothing.converged).toEqual([true, true]);
      const rankOneOfTwo = topEigenvectors(Float64Array.from([3, 0, 0, 0]), 2, 2, Random.fromSeed(seed));
      // (The sign flip may leave a −0 component.)
      expect(rankOneOfTwo.vectors.map((v) => Array.from(v, Math.abs))).toEqual([
        [1, 0],
        [0, 1],
      ]);
      expect(Array.from(rankOneOfTwo.values)).toEqual([3, 0]);
    }
  });

  it('of two largest components equal in size, makes the first positive', () => {
    // [[1, −1], [−1, 1]] maps any start to (t, −t): the eigenvector (1, −1) / √2 with exactly tied components.
    for (const seed of [1, 2, 3, 4]) {
      const { vectors, values } = topEigenvectors(Float64Array.from([1, -1, -1, 1]), 2, 1, Random.fromSeed(seed));
      expect(Array.from(vectors[0])).toEqual([Math.SQRT1_2, -Math.SQRT1_2]);
      expect(values[0]).toBeCloseTo(2, 12);
    }
  });

  it('converges on a remainder that rounding left slightly negative (iterates that flip sign each step)', () => {
    // A covariance matrix is PSD, but rounding can leave an eigenvalue like −1e-16 where the exact one is 0.
    // There M v points against v; the convergence test compares v_t with −v_{t−1}, so it still stops at once.
    // The eigenvalue reported is ‖M v‖, the size of the eigenvalue.
    for (const seed of [1, 2, 3]) {
      const m = Float64Array.from([2, 0, 0, 0, -1e-16, 0, 0, 0, 0]);
      const { vectors, values, converged } = topEigenvectors(m, 3, 2, Random.fromSeed(seed), { maxIterations: 50 });
      expect(converged).toEqual([true, true]);
      expect(Array.from(values)).toEqual([2, 1e-16]);
      expect(Array.from(vectors[1])).toEqual([expect.closeTo(0, 15), 1, expect.closeTo(0, 15)]);
    }
  });
});
