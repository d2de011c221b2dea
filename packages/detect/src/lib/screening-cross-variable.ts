import { solveRidge } from './linear-solve.js';
import { robustCentre, screeningScale, zSurprisal } from './robust-scores.js';
import { columnOf, missingness, type Table } from './screening-table.js';

/**
 * Ridge regressions on standardised features with missing indicators: each observed feature (counts
 * aside) from all other columns, its residual robust-standardised; a stay's score for a variable is the
 * largest surprisal of its features' residuals. Missingness enters only as predictors (the indicator
 * columns); whether a variable is missing is scored by the missingness component, not here.
 */
export function crossVariable(table: Table, ridge: number, warnings: string[]): Float64Array {
  const { n, F } = table;
  const V = table.variableNames.length;
  const { Z, d } = designMatrix(table);
  const G = gramMatrix(Z, n, d);
  const out = new Float64Array(n * V);
  for (let j = 0; j < F; j++) {
    if (table.isCount[j]) continue;
    const v = table.variableOf[j];
    const prediction = ridgePrediction(Z, G, n, d, j, ridge);
    if (!prediction) {
      warnings.push(`cross-variable: the regression of feature ${j} (${table.variableNames[v]}) did not solve; it is left out`);
      continue;
    }
    const residual = new Float64Array(n).fill(NaN);
    for (let i = 0; i < n; i++) if (Number.isFinite(table.values[i * F + j])) residual[i] = Z[i * d + j] - prediction[i];
    const { median, lower, upper } = robustCentre(residual);
    for (let i = 0; i < n; i++) {
      const r = residual[i];
      if (!Number.isFinite(r)) continue;
      const s = zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower);
      if (s > out[i * V + v]) out[i * V + v] = s;
    }
  }
  return out;
}

/** n × d: every feature standardised on its screening scale (0 where missing), the missing indicators of variables sometimes missing, and an intercept. */
function designMatrix(table: Table): { Z: Float64Array; d: number } {
  const { n, F } = table;
  const V = table.variableNames.length;
  const { missing, share } = missingness(table);
  const withMissing = Array.from({ length: V }, (_, v) => v).filter((v) => share[v] > 0 && share[v] < 1);
  const d = F + withMissing.length + 1;
  const Z = new Float64Array(n * d);
  const scaled = new Float64Array(n * F);
  for (let j = 0; j < F; j++) {
    const column = screeningScale(columnOf(table, j));
    for (let i = 0; i < n; i++) scaled[i * F + j] = column[i];
  }
  for (let j = 0; j < F; j++) {
    let m = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const x = scaled[i * F + j];
      if (Number.isFinite(x)) {
        m += x;
        c++;
      }
    }
    m = c ? m / c : 0;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = scaled[i * F + j];
      if (Number.isFinite(x)) s += (x - m) ** 2;
    }
    const scale = c > 1 && s > 0 ? Math.sqrt(s / (c - 1)) : 1;
    for (let i = 0; i < n; i++) {
      const x = scaled[i * F + j];
      Z[i * d + j] = Number.isFinite(x) ? (x - m) / scale : 0;
    }
  }
  withMissing.forEach((v, k) => {
    for (let i = 0; i < n; i++) Z[i * d + F + k] = missing[i * V + v];
  });
  for (let i = 0; i < n; i++) Z[i * d + d - 1] = 1;
  return { Z, d };
}

/** Zᵀ Z (d × d, symmetric). */
function gramMatrix(Z: Float64Array, n: number, d: number): Float64Array {
  const G = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const x = Z[o + a];
      if (x === 0) continue;
      for (let b = a; b < d; b++) G[a * d + b] += x * Z[o + b];
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) G[a * d + b] = G[b * d + a];
  return G;
}

/** Column `target` of Z predicted from all its other columns by ridge regression; null when the system does not solve. */
function ridgePrediction(Z: Float64Array, G: Float64Array, n: number, d: number, target: number, ridge: number): Float64Array | null {
  const keep: number[] = [];
  for (let col = 0; col < d; col++) if (col !== target) keep.push(col);
  const m = keep.length;
  const A = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    b[a] = G[keep[a] * d + target];
    for (let c = 0; c < m; c++) A[a * m + c] = G[keep[a] * d + keep[c]];
  }
  // The intercept (last kept column) is not penalised in spirit; a penalty of λ on it against n ≫ λ is negligible.
  const beta = solveRidge(A, m, b, ridge);
  if (!beta) return null;
  const prediction = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let a = 0; a < m; a++) p += beta[a] * Z[i * d + keep[a]];
    prediction[i] = p;
  }
  return prediction;
}
