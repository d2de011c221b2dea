import { assertInput, type Random } from '@ehr-backdoor/core';
import type { DetectCode } from './error-codes.js';
import { abs, sqrt } from './math.js';

/**
 * Leading eigenvectors of a symmetric positive semi-definite d × d matrix by power iteration with
 * deflation (each new vector is kept orthogonal to those already found). Starts are standard normal
 * draws from the caller's seeded `Random`, so results are reproducible. The top right singular vector
 * of a centred data matrix X is the top eigenvector of XᵀX / n, which is how spectral signatures use it.
 */
export interface Eigen {
  /** k vectors of length d, unit norm, in order of decreasing eigenvalue. */
  readonly vectors: Float64Array[];
  readonly values: Float64Array;
  /** Per vector: whether it met the tolerance before `maxIterations`. */
  readonly converged: boolean[];
}

/** Stopping rule of {@link topEigenvectors}. */
export interface PowerIterationOptions {
  readonly maxIterations?: number;
  /** Stop when ‖v_t − ±v_{t−1}‖ is at most this (0: only at an exact fixed point). Default 1e-10. */
  readonly tolerance?: number;
}

/**
 * The `k` leading eigenvectors and eigenvalues of the symmetric positive semi-definite `d` × `d`
 * `matrix` (row-major), by power iteration with deflation (see {@link Eigen}). At most `maxIterations`
 * (default 2000) per vector; `converged` says which met the tolerance.
 */
export function topEigenvectors(matrix: Float64Array, d: number, k: number, random: Random, options: PowerIterationOptions = {}): Eigen {
  assertInput<DetectCode>(
    d >= 1 && matrix.length === d * d,
    'E_DETECT_INPUT',
    () => `topEigenvectors needs a d × d matrix with d ≥ 1; got ${matrix.length} values for d = ${d}.`,
  );
  // Past d there is no unit vector orthogonal to those found: the deflated start would be all zeros.
  assertInput<DetectCode>(
    Number.isInteger(k) && k >= 1 && k <= d,
    'E_DETECT_INPUT',
    () => `topEigenvectors gives between 1 and d = ${d} eigenvectors; got k = ${k}.`,
  );
  const maxIterations = options.maxIterations ?? 2000;
  const tolerance = options.tolerance ?? 1e-10;
  const vectors: Float64Array[] = [];
  const values = new Float64Array(k);
  const converged: boolean[] = [];
  const w = new Float64Array(d);
  for (let e = 0; e < k; e++) {
    let v: Float64Array = Float64Array.from({ length: d }, () => random.normal());
    orthogonalise(v, vectors);
    normalise(v);
    let lambda = 0;
    let done = false;
    for (let it = 0; it < maxIterations && !done; it++) {
      multiply(matrix, d, v, w);
      orthogonalise(w, vectors);
      let squares = 0;
      for (let j = 0; j < d; j++) squares += w[j] * w[j];
      const norm = sqrt(squares);
      if (!(norm > 0)) {
        // The matrix is zero on the remaining subspace: any orthogonal unit vector is an eigenvector of eigenvalue 0.
        lambda = 0;
        done = true;
        break;
      }
      let cos = 0;
      for (let j = 0; j < d; j++) cos += (w[j] / norm) * v[j];
      // ‖v_t − ±v_{t−1}‖ directly: 1 − cos would lose half the digits near convergence.
      const sign = cos < 0 ? -1 : 1;
      let change = 0;
      for (let j = 0; j < d; j++) change += (w[j] / norm - sign * v[j]) ** 2;
      v = Float64Array.from(w, (x) => x / norm);
      lambda = norm;
      done = sqrt(change) <= tolerance;
    }
    // A deterministic sign (largest component positive) so reruns and platforms agree.
    let big = 0;
    for (let j = 1; j < d; j++) if (abs(v[j]) > abs(v[big])) big = j;
    if (v[big] < 0) for (let j = 0; j < d; j++) v[j] = -v[j];
    vectors.push(v);
    values[e] = lambda;
    converged.push(done);
  }
  return { vectors, values, converged };
}

function multiply(m: Float64Array, d: number, v: Float64Array, out: Float64Array): void {
  for (let a = 0; a < d; a++) {
    let s = 0;
    const row = a * d;
    for (let b = 0; b < d; b++) s += m[row + b] * v[b];
    out[a] = s;
  }
}

function orthogonalise(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const u of basis) {
    let dot = 0;
    for (let j = 0; j < v.length; j++) dot += v[j] * u[j];
    for (let j = 0; j < v.length; j++) v[j] -= dot * u[j];
  }
}

function normalise(v: Float64Array): void {
  let s = 0;
  for (const x of v) s += x * x;
  const norm = sqrt(s) || 1;
  for (let j = 0; j < v.length; j++) v[j] /= norm;
}
