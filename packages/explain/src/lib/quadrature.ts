import { assertInput } from '@ehr-backdoor/core';
import type { ExplainCode } from './error-codes.js';

/**
 * Quadrature rules for the path integral of integrated gradients over α ∈ [0, 1], as Captum's
 * `approximation_methods.py`: Gauss–Legendre nodes and weights mapped from [−1, 1] to [0, 1]
 * (α = (1 + x) / 2, weight = w / 2), and the four Riemann sums.
 *
 * One deliberate difference from Captum: its `riemann_trapezoid` puts its n nodes at linspace(0, 1, n)
 * but weights them 1/n (halved at the ends), so the weights sum to 1 − 1/n and every attribution is
 * scaled by (n − 1)/n. Here the trapezoid weights are the rule's own 1/(n − 1) (halved at the ends),
 * so a linear model's attributions are exact for every method.
 */
export const IG_METHODS = ['gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid'] as const;
/** One of {@link IG_METHODS}: Gauss–Legendre (default) or one of Captum's four Riemann rules. */
export type IgMethod = (typeof IG_METHODS)[number];

/** Points and weights on [0, 1] that approximate the path integral of integrated gradients. */
export interface Quadrature {
  /** Points α_k on the straight path from baseline (α = 0) to input (α = 1), ascending. */
  readonly alphas: Float64Array;
  /** Weights w_k with Σ w_k = 1 (to float precision). */
  readonly weights: Float64Array;
}

/** The smallest `steps` each method accepts (Captum asserts n > 1 for the Riemann rules). */
export function minimumSteps(method: IgMethod): number {
  return method === 'gausslegendre' ? 1 : 2;
}

/**
 * The `steps` points and weights of `method` on [0, 1] (see {@link IG_METHODS} for how they follow Captum).
 * @throws InputError `E_IG_METHOD` for an unknown method; `E_IG_STEPS` unless `steps` is an integer ≥ 1
 * (Gauss–Legendre) or ≥ 2 (Riemann rules).
 */
export function quadrature(method: IgMethod, steps: number): Quadrature {
  assertInput<ExplainCode>(
    (IG_METHODS as readonly string[]).includes(method),
    'E_IG_METHOD',
    () => `Unknown integration method '${String(method)}'; choose one of ${IG_METHODS.join(', ')}.`,
  );
  assertInput<ExplainCode>(
    Number.isInteger(steps) && steps >= minimumSteps(method),
    'E_IG_STEPS',
    () => `steps must be an integer ≥ ${minimumSteps(method)} for method ${method}, got ${String(steps)}.`,
  );
  const n = steps;
  const alphas = new Float64Array(n);
  const weights = new Float64Array(n);
  switch (method) {
    case 'gausslegendre': {
      const { nodes, weights: w } = gaussLegendre(n);
      for (let k = 0; k < n; k++) {
        alphas[k] = 0.5 * (1 + nodes[k]);
        weights[k] = 0.5 * w[k];
      }
      break;
    }
    case 'riemann_left':
      for (let k = 0; k < n; k++) {
        alphas[k] = k / n;
        weights[k] = 1 / n;
      }
      break;
    case 'riemann_right':
      for (let k = 0; k < n; k++) {
        alphas[k] = (k + 1) / n;
        weights[k] = 1 / n;
      }
      break;
    case 'riemann_middle':
      for (let k = 0; k < n; k++) {
        alphas[k] = (k + 0.5) / n;
        weights[k] = 1 / n;
      }
      break;
    case 'riemann_trapezoid':
      for (let k = 0; k < n; k++) {
        alphas[k] = k / (n - 1);
        weights[k] = (k === 0 || k === n - 1 ? 0.5 : 1) / (n - 1);
      }
      break;
  }
  return { alphas, weights };
}

/**
 * Gauss–Legendre nodes (ascending, in [−1, 1]) and weights for n points: Newton's iteration on P_n from
 * Tricomi's initial guesses, P_n and P_n' by the three-term recurrence. Exact for polynomials of degree
 * ≤ 2n − 1; nodes agree with numpy's `leggauss` to ≈ 1e-15.
 */
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  assertInput<ExplainCode>(
    Number.isInteger(n) && n >= 1,
    'E_IG_STEPS',
    () => `Gauss–Legendre needs an integer number of points ≥ 1, got ${String(n)}.`,
  );
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const half = Math.floor((n + 1) / 2);
  for (let i = 0; i < half; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iter = 0; iter < 100; iter++) {
      const { value, derivative } = legendre(n, z);
      const previous = z;
      z = previous - value / derivative;
      if (Math.abs(z - previous) <= 1e-15) break;
    }
    // P_n' at the converged node, so the weight matches it.
    const { derivative } = legendre(n, z);
    const w = 2 / ((1 - z * z) * derivative * derivative);
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[half - 1] = 0;
  return { nodes, weights };
}

/** P_n(z) by the three-term recurrence, and P_n'(z) from P_n and P_{n−1}. */
function legendre(n: number, z: number): { value: number; derivative: number } {
  let p1 = 1;
  let p2 = 0;
  for (let j = 1; j <= n; j++) {
    const p3 = p2;
    p2 = p1;
    p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
  }
  return { value: p1, derivative: (n * (z * p1 - p2)) / (z * z - 1) };
}
