import {
  empiricalTailSurprisal,
  eventSurprisal,
  logScaled,
  robustCentre,
  screeningScale,
  spikeSurprisal,
  zSurprisal,
} from './robust-scores.js';
import { columnOf, missingness, type Table } from './screening-table.js';
import type { ScreeningData } from './screening-types.js';

/** Each value against its column's training distribution (robust z, spikes, or the empirical tail of a few-level variable), plus never-measured variables. */
export function univariate(table: Table): Float64Array {
  const { n, F } = table;
  const V = table.variableNames.length;
  const out = new Float64Array(n * V);
  // A variable charted on a handful of levels (a GCS component) has no smooth tail to compare a count
  // against: the floor of its scale is common, not a spike. Spikes are looked for only in variables
  // whose every summary takes at least 30 distinct values.
  const levels = new Float64Array(V).fill(Infinity);
  for (let j = 0; j < F; j++)
    if (!table.isCount[j])
      levels[table.variableOf[j]] = Math.min(levels[table.variableOf[j]], new Set(columnOf(table, j).filter(Number.isFinite)).size);
  for (let j = 0; j < F; j++) {
    // A count says how often, not what: its 0 is the missingness scored below.
    if (table.isCount[j]) continue;
    const raw = columnOf(table, j);
    const column = screeningScale(raw);
    const { median, lower, upper } = robustCentre(column);
    const v = table.variableOf[j];
    const z = column.map((x) => (x >= median ? (x - median) / upper : (median - x) / lower));
    // A variable of few levels is scored by its empirical tail frequency: a Gaussian tail would make the
    // floor of a bounded scale (GCS 1) look like a 13-σ event.
    const discrete = levels[v] < 30;
    const spikes = discrete ? new Float64Array(n) : spikeSurprisal(raw, z);
    const tails = discrete ? empiricalTailSurprisal(column, median) : null;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(column[i])) continue;
      const s = tails ? tails[i] : Math.max(zSurprisal(z[i]), spikes[i]);
      if (s > out[i * V + v]) out[i * V + v] = s;
    }
  }
  addMissingSurprisal(table, out);
  return out;
}

function addMissingSurprisal(table: Table, out: Float64Array): void {
  const V = table.variableNames.length;
  const { missing, share } = missingness(table);
  for (let i = 0; i < table.n; i++)
    for (let v = 0; v < V; v++) {
      const s = eventSurprisal(missing[i * V + v] ? share[v] : 1 - share[v], table.n);
      if (s > out[i * V + v]) out[i * V + v] = s;
    }
}

/** Hourly values of each channel against its training distribution, plus never-measured channels. */
export function univariateHourly(data: Extract<ScreeningData, { view: 'timeseries' }>, table: Table): Float64Array {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  const out = new Float64Array(n * C);
  for (let c = 0; c < C; c++) {
    const observed: number[] = [];
    for (let i = 0; i < n; i++)
      for (let t = 0; t < T; t++) if (data.mask[(i * T + t) * C + c]) observed.push(data.values[(i * T + t) * C + c]);
    const raw = Float64Array.from(observed);
    const log = logScaled(raw);
    const { median, lower, upper } = robustCentre(Float64Array.from(observed, (x) => (log ? Math.log(x) : x)));
    const z = raw.map((x) => (log ? Math.log(x) : x)).map((x) => (x >= median ? (x - median) / upper : (median - x) / lower));
    const spikes = new Set(raw).size >= 30 ? spikeSurprisal(raw, z) : new Float64Array(raw.length);
    let k = 0;
    for (let i = 0; i < n; i++)
      for (let t = 0; t < T; t++) {
        if (!data.mask[(i * T + t) * C + c]) continue;
        const s = Math.max(zSurprisal(z[k]), spikes[k]);
        k++;
        if (s > out[i * C + c]) out[i * C + c] = s;
      }
  }
  addMissingSurprisal(table, out);
  return out;
}
