import { assertInput } from '@ehr-backdoor/core';
import type { DetectCode } from './error-codes.js';

/** A dense row-major matrix: row i, column j at i * cols + j. Detectors take plain arrays, never tensors. */
export interface Matrix {
  readonly values: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

export function assertMatrix(m: Matrix | undefined, what: string, rows?: number): asserts m is Matrix {
  assertInput<DetectCode>(m !== null && typeof m === 'object', 'E_DETECT_INPUT', () => `${what} is required ({ values, rows, cols }).`);
  // Typed for callers, but read from study inputs and user code: `values` may be missing altogether.
  const count = (m.values as ArrayLike<number> | undefined | null)?.length;
  assertInput<DetectCode>(
    Number.isInteger(m.rows) && Number.isInteger(m.cols) && m.rows >= 1 && m.cols >= 1 && count === m.rows * m.cols,
    'E_DETECT_INPUT',
    () => `${what} must hold rows × cols values with rows, cols ≥ 1; got ${count ?? 'no'} values for ${m.rows} × ${m.cols}.`,
  );
  assertInput<DetectCode>(
    rows === undefined || m.rows === rows,
    'E_DETECT_INPUT',
    () => `${what} has ${m.rows} rows but there are ${rows} training stays.`,
  );
  for (let i = 0; i < m.values.length; i++) {
    const v: number = m.values[i];
    if (!Number.isFinite(v))
      assertInput<DetectCode>(
        false,
        'E_DETECT_NOT_FINITE',
        () => `${what} has a non-finite value (${v}) at row ${Math.floor(i / m.cols)}, column ${i % m.cols}.`,
      );
  }
}

/** Row indices grouped by label value, ascending labels. */
export function rowsByLabel(labels: ArrayLike<number>): Map<number, Int32Array> {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    let g = groups.get(y);
    if (!g) groups.set(y, (g = []));
    g.push(i);
  }
  return new Map([...groups.entries()].sort((a, b) => a[0] - b[0]).map(([y, rows]) => [y, Int32Array.from(rows)]));
}

/** The chosen rows' mean and centred copy (rows × cols, float64). */
export function centredRows(m: Matrix, rows: ArrayLike<number>): { mean: Float64Array; centred: Float64Array } {
  const d = m.cols;
  const mean = new Float64Array(d);
  for (let r = 0; r < rows.length; r++) for (let j = 0; j < d; j++) mean[j] += m.values[rows[r] * d + j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  const centred = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) for (let j = 0; j < d; j++) centred[r * d + j] = m.values[rows[r] * d + j] - mean[j];
  return { mean, centred };
}

/** (1/n) XᵀX of a centred n × d matrix: the (biased) covariance, d × d. */
export function covarianceOf(centred: Float64Array, n: number, d: number): Float64Array {
  const cov = new Float64Array(d * d);
  for (let r = 0; r < n; r++) {
    const o = r * d;
    for (let a = 0; a < d; a++) {
      const x = centred[o + a];
      if (x === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) cov[row + b] += x * centred[o + b];
    }
  }
  for (let a = 0; a < d; a++)
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= n;
      cov[b * d + a] = cov[a * d + b];
    }
  return cov;
}
