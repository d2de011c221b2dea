import { assertInput } from '@ehr-backdoor/core';
import type { ScreeningData } from './screening-types.js';
import type { DetectCode } from './error-codes.js';

/** Features grouped by variable: n × F values (NaN = missing), each column's variable index. */
export interface Table {
  readonly n: number;
  readonly F: number;
  readonly values: Float64Array;
  readonly variableOf: Int32Array;
  readonly variableNames: readonly string[];
  /** 1 for a measurement-count column (finite even when the variable is missing). */
  readonly isCount: Uint8Array;
}

export function checkedTabular(data: Extract<ScreeningData, { view: 'tabular' }>): Table {
  const n = data.rows;
  const F = data.variables.length;
  assertInput<DetectCode>(
    F >= 1 && data.values.length === n * F,
    'E_DETECT_INPUT',
    () => `input_screening: tabular data must hold rows × variables.length values; got ${data.values.length} for ${n} × ${F}.`,
  );
  const names: string[] = [];
  const index = new Map<string, number>();
  const variableOf = Int32Array.from(data.variables, (v) => {
    if (!index.has(v)) {
      index.set(v, names.length);
      names.push(v);
    }
    return index.get(v) as number;
  });
  assertInput<DetectCode>(
    data.stats === undefined || data.stats.length === F,
    'E_DETECT_INPUT',
    () => `input_screening: stats has ${data.stats?.length} entries for ${F} columns.`,
  );
  const isCount = Uint8Array.from({ length: F }, (_, j) => (data.stats?.[j] === 'count' ? 1 : 0));
  return { n, F, values: Float64Array.from(data.values), variableOf, variableNames: names, isCount };
}

/** Per channel: mean, min, max and last of the measured hours (NaN when never measured) and the count. */
export function summariseTimeSeries(data: Extract<ScreeningData, { view: 'timeseries' }>): Table {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  assertInput<DetectCode>(
    C >= 1 && Number.isInteger(T) && T >= 1 && data.values.length === n * T * C && data.mask.length === n * T * C,
    'E_DETECT_INPUT',
    () =>
      `input_screening: time-series data must hold rows × hours × channels values and mask entries; got ${data.values.length} and ${data.mask.length} for ${n} × ${T} × ${C}.`,
  );
  const S = 5;
  const values = new Float64Array(n * C * S).fill(NaN);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < C; c++) {
      let count = 0;
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      let last = NaN;
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        if (!data.mask[k]) continue;
        const x = data.values[k];
        count++;
        sum += x;
        min = Math.min(min, x);
        max = Math.max(max, x);
        last = x;
      }
      const o = (i * C + c) * S;
      values[o + 4] = count;
      if (count > 0) [values[o], values[o + 1], values[o + 2], values[o + 3]] = [sum / count, min, max, last];
    }
  const isCount = Uint8Array.from({ length: C * S }, (_, j) => (j % S === 4 ? 1 : 0));
  return {
    n,
    F: C * S,
    values,
    variableOf: Int32Array.from({ length: C * S }, (_, j) => Math.floor(j / S)),
    variableNames: [...channels],
    isCount,
  };
}

export function columnOf(table: Table, j: number): Float64Array {
  const out = new Float64Array(table.n);
  for (let i = 0; i < table.n; i++) out[i] = table.values[i * table.F + j];
  return out;
}

/** Missing share per variable (a variable is missing when all its columns but counts are NaN). */
export function missingness(table: Table): { missing: Uint8Array; share: Float64Array } {
  const V = table.variableNames.length;
  const missing = new Uint8Array(table.n * V).fill(1);
  for (let i = 0; i < table.n; i++)
    for (let j = 0; j < table.F; j++)
      if (!table.isCount[j] && Number.isFinite(table.values[i * table.F + j])) missing[i * V + table.variableOf[j]] = 0;
  const share = new Float64Array(V);
  for (let i = 0; i < table.n; i++) for (let v = 0; v < V; v++) share[v] += missing[i * V + v] / table.n;
  return { missing, share };
}
