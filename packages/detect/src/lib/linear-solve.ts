/**
 * Solves (A + λI) x = b for a symmetric positive semi-definite d × d matrix A (row-major) by Cholesky
 * decomposition; λ > 0 keeps it positive definite. Used by the screening's ridge regressions and the
 * logistic regressions' Newton steps. Returns null when the matrix is not positive definite.
 */
export function solveRidge(A: Float64Array, d: number, b: Float64Array, lambda: number): Float64Array | null {
  const L = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * d + j] + (i === j ? lambda : 0);
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) return null;
        L[i * d + i] = Math.sqrt(s);
      } else L[i * d + j] = s / L[j * d + j];
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * d + k] * y[k];
    y[i] = s / L[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
    x[i] = s / L[i * d + i];
  }
  return x;
}

/** ln P(Z ≥ z) of a standard normal, accurate in the far tail (where 1 − Φ underflows). */
export function logUpperTail(z: number): number {
  if (z < 5) return Math.log(0.5 * erfc(z / Math.SQRT2));
  // Asymptotic series of Mills' ratio: ln φ(z) − ln z + ln(1 − 1/z² + 3/z⁴).
  const z2 = z * z;
  return -z2 / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / z2 + 3 / (z2 * z2));
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
