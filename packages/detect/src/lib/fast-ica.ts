import { assertInput, Random } from '@ehr-backdoor/core';
import { covarianceOf } from './matrix.js';
import { topEigenvectors } from './power-iteration.js';
import type { DetectCode } from './error-codes.js';
import { abs, max, min, sign, sqrt, tanh } from './math.js';

/**
 * FastICA (Hyvärinen 1999) as scikit-learn's `FastICA(algorithm='parallel', fun='logcosh',
 * whiten='unit-variance', tol=1e-4, max_iter=200)` computes it, the reduction activation clustering's
 * paper and ART's ActivationDefence use:
 *
 *   centre X ─▶ whiten to k dimensions (top-k principal axes, unit variance)
 *            ─▶ W ← symmetric decorrelation of W₀
 *            ─▶ repeat: W ← sym(E[g(WX) Xᵀ] − E[g'(WX)] W), g = tanh, until max |diag(W Wₙᵀ)| − 1| < tol
 *            ─▶ sources S = W K X, scaled to unit variance
 *
 * Sources are unique only up to sign and order, as in scikit-learn; the tests compare them with
 * scikit-learn's on fixtures after matching sign and order.
 */
/** Stopping rule and start of {@link fastIca} (scikit-learn's defaults). */
export interface FastIcaOptions {
  /** Default 1e-4, scikit-learn's. */
  readonly tolerance?: number;
  /** Default 200, scikit-learn's. */
  readonly maxIterations?: number;
  /**
   * k × k initial unmixing matrix (row-major); default standard normal draws from `random`. For data of
   * rank r < k only its leading r × r block is used.
   */
  readonly initial?: ArrayLike<number>;
}

/** The sources {@link fastIca} found and whether its fixed-point iteration converged. */
export interface FastIcaResult {
  /** n × k sources, row-major, each column of unit variance. */
  readonly sources: Float64Array;
  readonly components: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Independent components of the n × d row-major `centred` data (rows already centred), reduced to k.
 * @throws InputError `E_DETECT_INPUT` for k outside [1, d] or an `initial` of the wrong size.
 */
export function fastIca(
  centred: Float64Array,
  n: number,
  d: number,
  k: number,
  random: Random,
  options: FastIcaOptions = {},
): FastIcaResult {
  assertInput<DetectCode>(
    Number.isInteger(k) && k >= 1 && k <= d,
    'E_DETECT_INPUT',
    () => `FastICA: components must be an integer in [1, ${d}], got ${k}.`,
  );
  assertInput<DetectCode>(
    !options.initial || options.initial.length === k * k,
    'E_DETECT_INPUT',
    () => `FastICA: initial must hold ${k} × ${k} values, got ${options.initial?.length}.`,
  );
  const tolerance = options.tolerance ?? 1e-4;
  const maxIterations = options.maxIterations ?? 200;
  const { X1, rank } = whiten(centred, n, d, k, random);
  const start = new Float64Array(k * k);
  if (options.initial) start.set(Array.from(options.initial));
  else for (let i = 0; i < k * k; i++) start[i] = random.normal();
  // Only the first `rank` whitened rows hold data. Unmixing them together with the zero rows lets W
  // spread a source over the rows past the rank, whose sources are dropped; so the iteration runs on
  // those rows alone, from the start's leading rank × rank block, as scikit-learn's with
  // n_components = rank would.
  const W = symmetricDecorrelation(leadingBlock(start, k, rank), rank);
  const data = X1.subarray(0, rank * n);
  const WX = new Float64Array(rank * n);
  const fit = fixedPoint(W, data, n, rank, WX, tolerance, maxIterations);
  multiply(fit.W, rank, rank, data, n, WX);
  return { sources: unitVarianceSources(WX, n, k, rank), components: k, iterations: fit.iterations, converged: fit.converged };
}

/** The leading m × m block of the k × k row-major `matrix`. */
function leadingBlock(matrix: Float64Array, k: number, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) out.set(matrix.subarray(i * k, i * k + m), i * m);
  return out;
}

/**
 * Whitening: X1 = diag(1/√λ) Uᵀ Xᵀ · √n over the top-k eigenpairs of XᵀX (scikit-learn's SVD route).
 * `rank` is the first component whose eigenvalue vanishes: from there on its rows stay 0.
 */
function whiten(centred: Float64Array, n: number, d: number, k: number, random: Random): { X1: Float64Array; rank: number } {
  const covariance = covarianceOf(centred, n, d);
  const { vectors, values } = topEigenvectors(covariance, d, k, random, { maxIterations: 1000, tolerance: 1e-10 });
  const X1 = new Float64Array(k * n);
  let rank = k;
  for (let c = 0; c < k; c++) {
    // covarianceOf divides by n: the singular value² of X is λ n.
    const lambda = values[c] * n;
    if (!(lambda > 1e-12)) {
      rank = min(rank, c);
      continue;
    }
    const scale = sqrt(n) / sqrt(lambda);
    for (let r = 0; r < n; r++) {
      let p = 0;
      for (let j = 0; j < d; j++) p += centred[r * d + j] * vectors[c][j];
      X1[c * n + r] = p * scale;
    }
  }
  return { X1, rank };
}

/** scikit-learn's parallel logcosh iteration from the decorrelated `W`; `WX` is scratch space of k × n. */
function fixedPoint(
  start: Float64Array,
  X1: Float64Array,
  n: number,
  k: number,
  WX: Float64Array,
  tolerance: number,
  maxIterations: number,
): { W: Float64Array; iterations: number; converged: boolean } {
  let W = start;
  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; ) {
    multiply(W, k, k, X1, n, WX);
    const next = new Float64Array(k * k);
    for (let a = 0; a < k; a++) {
      let meanDerivative = 0;
      for (let r = 0; r < n; r++) {
        const g = tanh(WX[a * n + r]);
        WX[a * n + r] = g;
        meanDerivative += (1 - g * g) / n;
      }
      for (let b = 0; b < k; b++) {
        let s = 0;
        for (let r = 0; r < n; r++) s += WX[a * n + r] * X1[b * n + r];
        next[a * k + b] = s / n - meanDerivative * W[a * k + b];
      }
    }
    const W1 = symmetricDecorrelation(next, k);
    let limit = 0;
    for (let a = 0; a < k; a++) {
      let dot = 0;
      for (let b = 0; b < k; b++) dot += W1[a * k + b] * W[a * k + b];
      limit = max(limit, abs(abs(dot) - 1));
    }
    W = W1;
    iterations++;
    if (limit < tolerance) {
      converged = true;
      break;
    }
  }
  return { W, iterations, converged };
}

/**
 * n × k sources from the rank × n `WX`, each scaled to unit variance as scikit-learn's
 * whiten='unit-variance'; the columns past the rank stay 0.
 */
function unitVarianceSources(WX: Float64Array, n: number, k: number, rank: number): Float64Array {
  const sources = new Float64Array(n * k);
  for (let c = 0; c < rank; c++) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += WX[c * n + r] / n;
    let variance = 0;
    for (let r = 0; r < n; r++) variance += (WX[c * n + r] - mean) ** 2 / n;
    const sd = sqrt(variance) || 1;
    for (let r = 0; r < n; r++) sources[r * k + c] = WX[c * n + r] / sd;
  }
  return sources;
}

/** out (a × c) = A (a × b) · B (b × c), row-major. */
function multiply(A: Float64Array, a: number, b: number, B: Float64Array, c: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < a; i++)
    for (let m = 0; m < b; m++) {
      const v = A[i * b + m];
      if (v === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j] += v * B[m * c + j];
    }
}

/** (W Wᵀ)^{-1/2} W, by a Jacobi eigendecomposition of the k × k matrix W Wᵀ. */
export function symmetricDecorrelation(W: Float64Array, k: number): Float64Array {
  const M = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += W[i * k + m] * W[j * k + m];
      M[i * k + j] = s;
    }
  const { values, vectors } = jacobiEigen(M, k);
  // (W Wᵀ)^{-1/2} = V diag(1/√λ) Vᵀ
  const root = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += (vectors[i * k + m] * vectors[j * k + m]) / sqrt(max(values[m], 1e-300));
      root[i * k + j] = s;
    }
  const out = new Float64Array(k * k);
  multiply(root, k, k, W, k, out);
  return out;
}

/** Eigenvalues and eigenvectors (columns of `vectors`) of a small symmetric matrix by cyclic Jacobi rotations. */
export function jacobiEigen(matrix: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(matrix);
  const V = new Float64Array(k * k);
  for (let i = 0; i < k; i++) V[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += A[p * k + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++)
      for (let q = p + 1; q < k; q++) {
        const apq = A[p * k + q];
        if (abs(apq) < 1e-300) continue;
        const theta = (A[q * k + q] - A[p * k + p]) / (2 * apq);
        const t = sign(theta || 1) / (abs(theta) + sqrt(theta * theta + 1));
        const c = 1 / sqrt(t * t + 1);
        const s = t * c;
        for (let m = 0; m < k; m++) {
          const amp = A[m * k + p];
          const amq = A[m * k + q];
          A[m * k + p] = c * amp - s * amq;
          A[m * k + q] = s * amp + c * amq;
        }
        for (let m = 0; m < k; m++) {
          const apm = A[p * k + m];
          const aqm = A[q * k + m];
          A[p * k + m] = c * apm - s * aqm;
          A[q * k + m] = s * apm + c * aqm;
        }
        for (let m = 0; m < k; m++) {
          const vmp = V[m * k + p];
          const vmq = V[m * k + q];
          V[m * k + p] = c * vmp - s * vmq;
          V[m * k + q] = s * vmp + c * vmq;
        }
      }
  }
  return { values: Float64Array.from({ length: k }, (_, i) => A[i * k + i]), vectors: V };
}
