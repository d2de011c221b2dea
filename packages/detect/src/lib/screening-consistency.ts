import { solveRidge } from './linear-solve.js';
import { logScaled, robustCentre, zSurprisal } from './robust-scores.js';
import type { HourlyData } from './screening-types.js';

/**
 * The joint consistency model on the hourly grid: every channel c at every hour t predicted from the
 * other channels at t and from its own history, for its value and for whether it was charted at all.
 *
 *   per hour (i, t): the other channels' state (value now or last charted, standardised on the screening
 *   scale; 0 before a first charting) and charted-now indicators, c's own last charted value before t,
 *   whether there is one and the hours since it, an intercept
 *     ─▶ value model of c: ridge regression on the hours c was charted; robust-standardised residuals,
 *        surprisal −ln P(|Z| ≥ |z|), a stay's largest over its hours
 *     ─▶ charting model of c: ridge linear probability on every hour, kept in (0, 1); the surprisal of
 *        the state seen, −ln P(state), minus its expectation under the model (so stays with more hours
 *        do not collect more), summed over the stay's hours, at least 0
 *
 * Fitted on the stays it screens, at most `MAX_FIT_ROWS` hours per model (a fixed stride: deterministic);
 * every hour is scored.
 */
export function consistency(data: HourlyData, ridge: number, warnings: string[]): { values: Float64Array; charting: Float64Array } {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  const grid = standardisedGrid(data);
  const values = new Float64Array(n * C);
  const charting = new Float64Array(n * C);
  const x = new Float64Array(2 * C + 2);
  for (let c = 0; c < C; c++) {
    const design = (i: number, t: number) => designRow(grid, i, t, c, x);
    const valueRows: number[] = [];
    // Charted and holding a number: a charted NaN would otherwise enter the fit and zero every value score.
    for (let k = 0; k < n * T; k++) if (data.mask[k * C + c] && Number.isFinite(grid.z[k * C + c])) valueRows.push(k);
    const allRows = Array.from({ length: n * T }, (_, k) => k);
    const observed = (k: number) => grid.z[k * C + c];
    const charted = (k: number) => (data.mask[k * C + c] ? 1 : 0);
    const betaValue = valueRows.length > x.length ? fitRidge(valueRows, T, design, observed, x.length, ridge) : null;
    const betaCharted = fitRidge(allRows, T, design, charted, x.length, ridge);
    if (valueRows.length > x.length && !betaValue)
      warnings.push(`consistency: the value model of ${channels[c]} did not solve; it is left out`);
    if (!betaCharted) warnings.push(`consistency: the charting model of ${channels[c]} did not solve; it is left out`);
    if (betaValue) scoreValues(valueRows, T, C, c, design, observed, betaValue, values);
    if (betaCharted) scoreCharting(T, C, c, n, design, charted, betaCharted, charting);
  }
  return { values, charting };
}

/** Per hour and channel: z of the value charted now or last charted (0 before the first), and whether c was charted up to t. */
interface Grid {
  readonly n: number;
  readonly T: number;
  readonly C: number;
  /** n × T × C: standardised value charted at that hour (NaN when not charted). */
  readonly z: Float64Array;
  /** n × T × C: standardised value charted at or last before that hour (0 before the first). */
  readonly state: Float64Array;
  readonly mask: ArrayLike<number>;
}

function standardisedGrid(data: HourlyData): Grid {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  const z = new Float64Array(n * T * C).fill(NaN);
  const state = new Float64Array(n * T * C);
  for (let c = 0; c < C; c++) {
    const charted: number[] = [];
    for (let k = 0; k < n * T; k++)
      if (data.mask[k * C + c] && Number.isFinite(data.values[k * C + c])) charted.push(data.values[k * C + c]);
    const log = logScaled(Float64Array.from(charted));
    const scale = (v: number) => (log ? Math.log(v) : v);
    let mean = 0;
    for (const v of charted) mean += scale(v) / charted.length;
    let ss = 0;
    for (const v of charted) ss += (scale(v) - mean) ** 2;
    const sd = charted.length > 1 && ss > 0 ? Math.sqrt(ss / (charted.length - 1)) : 1;
    for (let i = 0; i < n; i++) {
      let last = 0;
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        const v = data.values[k];
        if (data.mask[k] && Number.isFinite(v)) last = z[k] = (scale(v) - mean) / sd;
        state[k] = last;
      }
    }
  }
  return { n, T, C, z, state, mask: data.mask };
}

/**
 * The predictors of channel c at hour t of stay i, written into x: the other channels' state and
 * charted-now flags, c's last charted value before t, whether there is one, the hours since it (/ T),
 * and an intercept. A non-finite entry (never: the grid holds 0 for unknown) would poison the fit.
 */
function designRow(grid: Grid, i: number, t: number, c: number, x: Float64Array): Float64Array {
  const { T, C } = grid;
  const base = (i * T + t) * C;
  let j = 0;
  for (let o = 0; o < C; o++) {
    if (o === c) continue;
    x[j++] = grid.state[base + o];
    x[j++] = grid.mask[base + o] ? 1 : 0;
  }
  let last = -1;
  for (let s = t - 1; s >= 0; s--)
    if (Number.isFinite(grid.z[(i * T + s) * C + c])) {
      last = s;
      break;
    }
  x[j++] = last >= 0 ? grid.z[(i * T + last) * C + c] : 0;
  x[j++] = last >= 0 ? 1 : 0;
  x[j++] = last >= 0 ? (t - last) / T : 0;
  x[j] = 1;
  return x;
}

/** The most hours one model is fitted on; the rest are only scored. */
const MAX_FIT_ROWS = 16384;

/** Ridge coefficients of target(k) on design(k) over the hours `rows` (k = i · T + t), a fixed stride of them when there are many. */
function fitRidge(
  rows: readonly number[],
  T: number,
  design: (i: number, t: number) => Float64Array,
  target: (k: number) => number,
  d: number,
  ridge: number,
): Float64Array | null {
  const A = new Float64Array(d * d);
  const b = new Float64Array(d);
  const stride = Math.max(1, Math.ceil(rows.length / MAX_FIT_ROWS));
  for (let r = 0; r < rows.length; r += stride) {
    const k = rows[r];
    const x = design(Math.floor(k / T), k % T);
    const y = target(k);
    for (let a = 0; a < d; a++) {
      const xa = x[a];
      if (xa === 0) continue;
      b[a] += xa * y;
      for (let e = a; e < d; e++) A[a * d + e] += xa * x[e];
    }
  }
  for (let a = 0; a < d; a++) for (let e = 0; e < a; e++) A[a * d + e] = A[e * d + a];
  return solveRidge(A, d, b, ridge);
}

function dot(beta: Float64Array, x: Float64Array): number {
  let s = 0;
  for (let a = 0; a < beta.length; a++) s += beta[a] * x[a];
  return s;
}

/** Robust-standardised residuals of the value model; each stay keeps its largest surprisal for channel c. */
function scoreValues(
  rows: readonly number[],
  T: number,
  C: number,
  c: number,
  design: (i: number, t: number) => Float64Array,
  observed: (k: number) => number,
  beta: Float64Array,
  out: Float64Array,
): void {
  const residual = Float64Array.from(rows, (k) => observed(k) - dot(beta, design(Math.floor(k / T), k % T)));
  const { median, lower, upper } = robustCentre(residual);
  rows.forEach((k, r) => {
    const e = residual[r];
    const s = zSurprisal(e >= median ? (e - median) / upper : (median - e) / lower);
    const o = Math.floor(k / T) * C + c;
    if (s > out[o]) out[o] = s;
  });
}

/** Excess surprisal of the charting seen, −ln P(state) − H(P), summed over each stay's hours (at least 0). */
function scoreCharting(
  T: number,
  C: number,
  c: number,
  n: number,
  design: (i: number, t: number) => Float64Array,
  charted: (k: number) => number,
  beta: Float64Array,
  out: Float64Array,
): void {
  const eps = 1 / (2 * Math.min(n * T, MAX_FIT_ROWS));
  for (let i = 0; i < n; i++) {
    let excess = 0;
    for (let t = 0; t < T; t++) {
      const p = Math.min(1 - eps, Math.max(eps, dot(beta, design(i, t))));
      const entropy = -p * Math.log(p) - (1 - p) * Math.log(1 - p);
      excess += -Math.log(charted(i * T + t) ? p : 1 - p) - entropy;
    }
    out[i * C + c] = Math.max(0, excess);
  }
}
