import { solveRidge } from './linear-solve.js';

/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares), the
 * classifier behind the screening's missingness model and confident learning's out-of-fold
 * probabilities. X is n × d row-major with no intercept column (one is added and not penalised).
 * Minimises Σ w_i · logloss_i + (λ/2)‖β‖² as scikit-learn's LogisticRegression(C = 1/λ) does.
 */
export interface LogisticModel {
  /** d coefficients. */
  readonly coefficients: Float64Array;
  readonly intercept: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export function fitLogistic(
  X: ArrayLike<number>,
  n: number,
  d: number,
  y: ArrayLike<number>,
  options: { lambda?: number; maxIterations?: number; tolerance?: number; weights?: ArrayLike<number> } = {},
): LogisticModel {
  const lambda = options.lambda ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-8;
  const D = d + 1;
  let beta = new Float64Array(D);
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const H = new Float64Array(D * D);
    const g = new Float64Array(D);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let eta = beta[d];
      for (let j = 0; j < d; j++) eta += beta[j] * X[o + j];
      const p = 1 / (1 + Math.exp(-eta));
      const w = options.weights ? options.weights[i] : 1;
      const r = w * (p - y[i]);
      const h = w * Math.max(p * (1 - p), 1e-10);
      for (let a = 0; a < D; a++) {
        const xa = a === d ? 1 : X[o + a];
        if (xa === 0) continue;
        g[a] += r * xa;
        for (let b = a; b < D; b++) {
          const xb = b === d ? 1 : X[o + b];
          H[a * D + b] += h * xa * xb;
        }
      }
    }
    for (let a = 0; a < D; a++) for (let b = 0; b < a; b++) H[a * D + b] = H[b * D + a];
    for (let j = 0; j < d; j++) {
      g[j] += lambda * beta[j];
      H[j * D + j] += lambda;
    }
    // The intercept is not penalised, so with a constant or separable target its Hessian entries vanish as
    // p reaches 0 or 1; a tiny ridge on every diagonal entry keeps each Newton step defined. Such a fit still
    // does not converge: the intercept (and a separating coefficient) grow until maxIterations, converged false.
    const step = solveRidge(H, D, g, 1e-9);
    if (!step) break;
    let change = 0;
    const next = new Float64Array(D);
    for (let a = 0; a < D; a++) {
      next[a] = beta[a] - step[a];
      change = Math.max(change, Math.abs(step[a]));
    }
    beta = next;
    if (change <= tolerance) {
      converged = true;
      iterations++;
      break;
    }
  }
  return { coefficients: beta.subarray(0, d), intercept: beta[d], iterations, converged };
}

/** P(y = 1 | x) of each row of an n × d matrix. */
export function predictLogistic(model: LogisticModel, X: ArrayLike<number>, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eta = model.intercept;
    for (let j = 0; j < d; j++) eta += model.coefficients[j] * X[i * d + j];
    out[i] = 1 / (1 + Math.exp(-eta));
  }
  return out;
}
