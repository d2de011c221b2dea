import { assertInput, quantileSorted } from '@ehr-backdoor/core';
import { assertAssumedContamination, budgetOf } from './assumed-contamination.js';
import { logUpperTail, solveRidge } from './linear-solve.js';
import { topScoring, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * Input-space and clinical-plausibility screening: a stay is suspicious when what was charted is
 * improbable under the training distribution, on its own or given the rest of the stay. No model is
 * needed; the defender screens the training data as it would be trained on.
 *
 *   raw training stays (clinical units, NaN / mask = never measured)
 *     ─▶ univariate      per variable: two-sided robust z of each value against the training median and
 *                        the MAD of its own side (skew-aware), and the rarity of the variable being missing
 *                        (log scale for right-skewed positive variables; empirical tail frequency for
 *                        variables of few levels), and a spike score: a tail value charted in far more
 *                        stays than its neighbouring values (Poisson tail)
 *     ─▶ missingness     a variable missing while a variable it is normally measured with was measured
 *                        (a broken lab panel), summed over the stay's missing variables
 *     ─▶ cross-variable  (optional) each feature predicted from all the others by ridge regression
 *                        (standardised, missing-indicator coded): robust-standardised residuals
 *     ─▶ temporal        (time series) each channel's hourly value predicted from its previous one (AR(1)
 *                        per channel, least squares on consecutive observations): standardised residuals
 *     ─▶ each finding as a surprisal in nats, −ln P (a z of 3 ≈ 5.9 nats, a missingness seen in 1 % of
 *        stays = 4.6 nats); per component a stay's largest, put on the component's own scale
 *        (s − median) / (q95 − median); the stay's score is the largest over components
 *     ─▶ flag the round(c · n) highest scores (c = the assumed contamination)
 *
 * Fitted on the very stays it screens (contaminated at the assumed rate): the medians, MADs and
 * regressions are robust or averaged enough that a few per cent of triggered stays barely move them.
 */
export type ScreeningData =
  | {
      readonly view: 'tabular';
      /** n × F raw feature values, row-major; NaN = not measured in the window. */
      readonly values: ArrayLike<number>;
      readonly rows: number;
      /** Per column: the clinical variable it summarises (columns of one variable are missing together). */
      readonly variables: readonly string[];
      /** Per column: its statistic; `count` columns are 0, not NaN, when the variable was never measured. */
      readonly stats?: readonly string[];
    }
  | {
      readonly view: 'timeseries';
      /** n × T × C hourly values (forward-filled where not measured), row-major. */
      readonly values: ArrayLike<number>;
      /** n × T × C: 1 where the channel was measured in that hour. */
      readonly mask: ArrayLike<number>;
      readonly rows: number;
      readonly hours: number;
      readonly channels: readonly string[];
    };

/** The screening's components (see the drawing above {@link ScreeningData}). */
export type ScreeningComponent = 'univariate' | 'missingness' | 'cross-variable' | 'temporal';

/** Inputs and settings of {@link inputScreening}. */
export interface InputScreeningOptions {
  readonly data: ScreeningData;
  /** The defender's assumed contamination in (0, 0.5): round(c · n) stays are flagged. */
  readonly assumedContamination: number;
  /**
   * Default: univariate and missingness, and temporal for time series. `cross-variable` (ridge residuals
   * of every feature on all others) is available but off: on the default cohort it ranked ordinary
   * multi-organ derangement above the triggers (docs/explain-detect.md).
   */
  readonly components?: readonly ScreeningComponent[];
  /** Ridge penalty of the cross-variable regressions, on standardised features. Default 1. */
  readonly ridge?: number;
}

/** Per stay and variable, the largest surprisal found by one component (nats). */
interface ComponentScores {
  readonly component: ScreeningComponent;
  /** n × V, row-major. */
  readonly surprisal: Float64Array;
}

const ALL: readonly ScreeningComponent[] = ['univariate', 'missingness', 'cross-variable', 'temporal'];

/**
 * Scores every stay by its most improbable finding (see the drawing above) and flags the round(c · n)
 * highest. `perLabel` lists, per component, how often each variable is the top finding of a flagged
 * stay: whether the screening names the trigger's variables.
 * @throws InputError `E_DETECT_INPUT` for malformed data, an unknown component, `temporal` on tabular
 * data or a non-positive ridge; `E_DETECT_CONTAMINATION` for an assumed contamination outside (0, 0.5).
 */
export function inputScreening(options: InputScreeningOptions): DetectorResult {
  const { data } = options;
  assertAssumedContamination(options.assumedContamination, 'input_screening');
  assertInput<DetectCode>(data !== undefined && (data.view === 'tabular' || data.view === 'timeseries'), 'E_DETECT_INPUT', () => "input_screening needs the training stays' raw data ({ view: 'tabular' | 'timeseries', … }).");
  const n = data.rows;
  assertInput<DetectCode>(Number.isInteger(n) && n >= 2, 'E_DETECT_INPUT', () => `input_screening needs at least 2 training stays, got ${n}.`);
  const ridge = options.ridge ?? 1;
  assertInput<DetectCode>(Number.isFinite(ridge) && ridge > 0, 'E_DETECT_INPUT', () => `input_screening: ridge must be > 0, got ${ridge}.`);
  const components = options.components ?? ALL.filter((c) => c !== 'cross-variable' && (c !== 'temporal' || data.view === 'timeseries'));
  for (const c of components) {
    assertInput<DetectCode>(ALL.includes(c), 'E_DETECT_INPUT', () => `input_screening: unknown component '${c}'; choose from ${ALL.join(', ')}.`);
    assertInput<DetectCode>(c !== 'temporal' || data.view === 'timeseries', 'E_DETECT_INPUT', () => "input_screening: the 'temporal' component needs time-series data; screen the time-series view or drop 'temporal'.");
  }
  const table = data.view === 'tabular' ? checkedTabular(data) : summariseTimeSeries(data);
  const variables = table.variableNames;
  const warnings: string[] = [];
  const found: ComponentScores[] = [];
  if (components.includes('univariate')) found.push({ component: 'univariate', surprisal: data.view === 'tabular' ? univariate(table) : univariateHourly(data, table) });
  if (components.includes('missingness')) found.push({ component: 'missingness', surprisal: missingnessPattern(table) });
  if (components.includes('cross-variable')) found.push({ component: 'cross-variable', surprisal: crossVariable(table, ridge, warnings) });
  if (components.includes('temporal') && data.view === 'timeseries') found.push({ component: 'temporal', surprisal: temporal(data) });

  // Components speak in nats but not on one scale (a stay's largest univariate surprisal over 180
  // features is large for everyone; a broken panel is rare): each component's stay scores are put on
  // the scale of its own bulk, (s − median) / (q95 − median), before the largest is taken.
  const V = variables.length;
  const scores = new Float64Array(n).fill(-Infinity);
  const top = new Int32Array(n);
  const topComponent = new Int32Array(n);
  found.forEach((component, k) => {
    const stay = new Float64Array(n);
    const arg = new Int32Array(n);
    for (let i = 0; i < n; i++)
      for (let v = 0; v < V; v++)
        if (component.surprisal[i * V + v] > stay[i]) {
          stay[i] = component.surprisal[i * V + v];
          arg[i] = v;
        }
    const sorted = Float64Array.from(stay).sort();
    const median = quantileSorted(sorted, 0.5);
    const spread = Math.max(quantileSorted(sorted, 0.95) - median, 1e-6);
    for (let i = 0; i < n; i++) {
      const z = (stay[i] - median) / spread;
      if (z > scores[i]) [scores[i], top[i], topComponent[i]] = [z, arg[i], k];
    }
  });
  const flagged = topScoring(scores, Array.from({ length: n }, (_, i) => i), budgetOf(options.assumedContamination, n)).sort((a, b) => a - b);
  const perLabel = found.map(({ component }, k) => {
    const counts = new Map<string, number>();
    for (const i of flagged) if (topComponent[i] === k) counts.set(variables[top[i]], (counts.get(variables[top[i]]) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    return { component, flaggedStays: ranked.reduce((s, [, c]) => s + c, 0), topVariables: ranked.slice(0, 5).map(([v, c]) => `${v}:${c}`).join(' ') };
  });
  return { detector: 'input_screening', scores, flagged: Int32Array.from(flagged), perLabel, warnings };
}

/** Features grouped by variable: n × F values (NaN = missing), each column's variable index. */
interface Table {
  readonly n: number;
  readonly F: number;
  readonly values: Float64Array;
  readonly variableOf: Int32Array;
  readonly variableNames: readonly string[];
  /** 1 for a measurement-count column (finite even when the variable is missing). */
  readonly isCount: Uint8Array;
}

function checkedTabular(data: Extract<ScreeningData, { view: 'tabular' }>): Table {
  const n = data.rows;
  const F = data.variables.length;
  assertInput<DetectCode>(F >= 1 && data.values.length === n * F, 'E_DETECT_INPUT', () => `input_screening: tabular data must hold rows × variables.length values; got ${data.values.length} for ${n} × ${F}.`);
  const names: string[] = [];
  const index = new Map<string, number>();
  const variableOf = Int32Array.from(data.variables, (v) => {
    if (!index.has(v)) {
      index.set(v, names.length);
      names.push(v);
    }
    return index.get(v) as number;
  });
  assertInput<DetectCode>(data.stats === undefined || data.stats.length === F, 'E_DETECT_INPUT', () => `input_screening: stats has ${data.stats?.length} entries for ${F} columns.`);
  const isCount = Uint8Array.from({ length: F }, (_, j) => (data.stats?.[j] === 'count' ? 1 : 0));
  return { n, F, values: Float64Array.from(data.values), variableOf, variableNames: names, isCount };
}

/** Per channel: mean, min, max and last of the measured hours (NaN when never measured) and the count. */
function summariseTimeSeries(data: Extract<ScreeningData, { view: 'timeseries' }>): Table {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  assertInput<DetectCode>(
    C >= 1 && Number.isInteger(T) && T >= 1 && data.values.length === n * T * C && data.mask.length === n * T * C,
    'E_DETECT_INPUT',
    () => `input_screening: time-series data must hold rows × hours × channels values and mask entries; got ${data.values.length} and ${data.mask.length} for ${n} × ${T} × ${C}.`,
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
  return { n, F: C * S, values, variableOf: Int32Array.from({ length: C * S }, (_, j) => Math.floor(j / S)), variableNames: [...channels], isCount };
}

/**
 * Median and the skew-aware scales of finite values: per side, the larger of 1.4826 × its median
 * absolute deviation and 1.2533 × its mean absolute deviation (both σ for a normal side). The mean
 * deviation keeps a mostly-constant discrete variable (a GCS component, a count) from getting a scale of 0,
 * which would make every value off the mode infinitely surprising.
 */
export function robustCentre(values: Float64Array): { median: number; lower: number; upper: number } {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length === 0) return { median: NaN, lower: NaN, upper: NaN };
  const median = quantileSorted(sorted, 0.5);
  const side = (deviations: Float64Array) => {
    deviations.sort();
    let mean = 0;
    for (const x of deviations) mean += x / deviations.length;
    return Math.max(1.4826 * quantileSorted(deviations, 0.5), 1.2533 * mean, 1e-9 * (Math.abs(median) + 1));
  };
  return {
    median,
    lower: side(Float64Array.from(sorted.filter((x) => x <= median), (x) => median - x)),
    upper: side(Float64Array.from(sorted.filter((x) => x >= median), (x) => x - median)),
  };
}

/**
 * Whether a column is screened on the log scale: strictly positive and right-skewed (its upper 5–50 %
 * span more than 1.5 times its lower one), as creatinine, lactate, WBC or bilirubin are; on the raw scale
 * their long right tails would make ordinary sick stays look as improbable as a trigger.
 */
export function logScaled(values: Float64Array): boolean {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length < 4 || !(sorted[0] > 0)) return false;
  const [q05, q50, q95] = [0.05, 0.5, 0.95].map((q) => quantileSorted(sorted, q));
  return q50 > q05 && (q95 - q50) / (q50 - q05) > 1.5;
}

/**
 * Spike surprisal per stay of one column: a tail value (|robust z| ≥ 3) charted in many more stays than
 * the neighbouring tail values are. Values at the edge of a physiological distribution thin out; the same
 * extreme value in dozens of stays is a device default, a copy-paste — or a trigger. The expected count
 * at a value is the mean count of its `window` nearest distinct observed values on each side; the
 * surprisal is −ln P(Poisson(expected) ≥ count).
 */
export function spikeSurprisal(column: Float64Array, z: Float64Array, window = 5): Float64Array {
  const out = new Float64Array(column.length);
  const counts = new Map<number, number>();
  for (const x of column) if (Number.isFinite(x)) counts.set(x, (counts.get(x) ?? 0) + 1);
  const distinct = Float64Array.from(counts.keys()).sort();
  const position = new Map<number, number>();
  distinct.forEach((x, k) => position.set(x, k));
  const surprisal = new Map<number, number>();
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (!Number.isFinite(x) || !(Math.abs(z[i]) >= 3)) continue;
    let s = surprisal.get(x);
    if (s === undefined) {
      const k = position.get(x) as number;
      let sum = 0;
      let m = 0;
      for (let o = 1; o <= window; o++) {
        for (const neighbour of [k - o, k + o]) {
          if (neighbour < 0 || neighbour >= distinct.length) continue;
          sum += counts.get(distinct[neighbour]) as number;
          m++;
        }
      }
      s = poissonTailSurprisal(counts.get(x) as number, m > 0 ? sum / m : 1);
      surprisal.set(x, s);
    }
    out[i] = s;
  }
  return out;
}

/**
 * −ln of the share of finite values at least as far from the median on the same side (the value itself
 * included), for each entry; 0 for NaN.
 */
export function empiricalTailSurprisal(column: Float64Array, median: number): Float64Array {
  const finite = Float64Array.from(column.filter(Number.isFinite)).sort();
  const m = finite.length;
  const out = new Float64Array(column.length);
  for (let i = 0; i < column.length; i++) {
    const x = column[i];
    if (!Number.isFinite(x)) continue;
    // Count of values ≥ x (upper side) or ≤ x (lower side), by binary search on the sorted values.
    let lo = 0;
    let hi = m;
    if (x >= median) {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (finite[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      out[i] = -Math.log((m - lo) / m);
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (finite[mid] <= x) lo = mid + 1;
        else hi = mid;
      }
      out[i] = -Math.log(lo / m);
    }
  }
  return out;
}

/** −ln P(X ≥ k) for X ~ Poisson(λ), summed in log space. */
export function poissonTailSurprisal(k: number, lambda: number): number {
  if (k <= 0) return 0;
  let logTerm = -lambda + k * Math.log(lambda) - logFactorial(k);
  let logSum = logTerm;
  for (let j = k + 1; j < k + 200; j++) {
    logTerm += Math.log(lambda) - Math.log(j);
    const hi = Math.max(logSum, logTerm);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logTerm - hi));
    if (logTerm < logSum - 40) break;
  }
  return Math.max(0, -logSum);
}

function logFactorial(k: number): number {
  let s = 0;
  for (let j = 2; j <= k; j++) s += Math.log(j);
  return s;
}

/** The column on the scale it is screened on (see {@link logScaled}). */
function screeningScale(column: Float64Array): Float64Array {
  return logScaled(column) ? column.map(Math.log) : column;
}

/** Two-sided surprisal of a robust z: −ln P(|Z| ≥ |z|), 0 at z = 0. */
export function zSurprisal(z: number): number {
  return Math.max(0, -(Math.LN2 + logUpperTail(Math.abs(z))));
}

/** Surprisal of an event of probability p, with the probability kept in [1/(2m), 1 − 1/(2m)] for m stays. */
function eventSurprisal(p: number, m: number): number {
  const eps = 1 / (2 * m);
  return -Math.log(Math.min(1 - eps, Math.max(eps, p)));
}

function columnOf(table: Table, j: number): Float64Array {
  const out = new Float64Array(table.n);
  for (let i = 0; i < table.n; i++) out[i] = table.values[i * table.F + j];
  return out;
}

/** Missing share per variable (a variable is missing when all its columns but counts are NaN). */
function missingness(table: Table): { missing: Uint8Array; share: Float64Array } {
  const V = table.variableNames.length;
  const missing = new Uint8Array(table.n * V).fill(1);
  for (let i = 0; i < table.n; i++) for (let j = 0; j < table.F; j++) if (!table.isCount[j] && Number.isFinite(table.values[i * table.F + j])) missing[i * V + table.variableOf[j]] = 0;
  const share = new Float64Array(V);
  for (let i = 0; i < table.n; i++) for (let v = 0; v < V; v++) share[v] += missing[i * V + v] / table.n;
  return { missing, share };
}

function univariate(table: Table): Float64Array {
  const { n, F } = table;
  const V = table.variableNames.length;
  const out = new Float64Array(n * V);
  // A variable charted on a handful of levels (a GCS component) has no smooth tail to compare a count
  // against: the floor of its scale is common, not a spike. Spikes are looked for only in variables
  // whose every summary takes at least 30 distinct values.
  const levels = new Float64Array(V).fill(Infinity);
  for (let j = 0; j < F; j++) if (!table.isCount[j]) levels[table.variableOf[j]] = Math.min(levels[table.variableOf[j]], new Set(columnOf(table, j).filter(Number.isFinite)).size);
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
function univariateHourly(data: Extract<ScreeningData, { view: 'timeseries' }>, table: Table): Float64Array {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  const out = new Float64Array(n * C);
  for (let c = 0; c < C; c++) {
    const observed: number[] = [];
    for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) if (data.mask[(i * T + t) * C + c]) observed.push(data.values[(i * T + t) * C + c]);
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

/**
 * Ridge regressions on standardised features with missing indicators: each observed feature from all
 * other columns (its residual, robust-standardised), each variable's missingness from every column of the
 * other variables (a linear probability, kept inside (0, 1)).
 */
function crossVariable(table: Table, ridge: number, warnings: string[]): Float64Array {
  const { n, F } = table;
  const V = table.variableNames.length;
  const { missing, share } = missingness(table);
  const withMissing = Array.from({ length: V }, (_, v) => v).filter((v) => share[v] > 0 && share[v] < 1);
  const d = F + withMissing.length + 1;
  const Z = new Float64Array(n * d);
  const centre = new Float64Array(F);
  const scale = new Float64Array(F);
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
    centre[j] = m;
    scale[j] = c > 1 && s > 0 ? Math.sqrt(s / (c - 1)) : 1;
    for (let i = 0; i < n; i++) {
      const x = scaled[i * F + j];
      Z[i * d + j] = Number.isFinite(x) ? (x - m) / scale[j] : 0;
    }
  }
  withMissing.forEach((v, k) => {
    for (let i = 0; i < n; i++) Z[i * d + F + k] = missing[i * V + v];
  });
  for (let i = 0; i < n; i++) Z[i * d + d - 1] = 1;
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

  const out = new Float64Array(n * V);
  const fit = (target: number, excluded: (col: number) => boolean): Float64Array | null => {
    const keep: number[] = [];
    for (let col = 0; col < d; col++) if (col !== target && !excluded(col)) keep.push(col);
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
  };

  for (let j = 0; j < F; j++) {
    if (table.isCount[j]) continue;
    const v = table.variableOf[j];
    const prediction = fit(j, () => false);
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

/**
 * Missingness against the panels it breaks: for a variable u missing in a stay, the most surprising of
 * P(u missing | v measured) over the variables v the stay has measured (counted on the training stays,
 * add-½ smoothed), in nats, counted when it is at least twice as surprising as u's missingness on its
 * own; a stay's pattern score is the sum over its missing variables, booked on the most surprising one. Labs come in panels: a haemoglobin missing while the haematocrit of the same blood
 * count was measured is improbable. Conditioning on each measured variable separately (not on the whole
 * pattern) keeps a trigger that blanks several variables together from explaining itself.
 */
function missingnessPattern(table: Table): Float64Array {
  const { n } = table;
  const V = table.variableNames.length;
  const { missing } = missingness(table);
  const measured = new Float64Array(V);
  const both = new Float64Array(V * V);
  for (let i = 0; i < n; i++)
    for (let v = 0; v < V; v++) {
      if (missing[i * V + v]) continue;
      measured[v]++;
      for (let u = 0; u < V; u++) if (missing[i * V + u]) both[u * V + v]++;
    }
  const out = new Float64Array(n * V);
  for (let i = 0; i < n; i++) {
    let total = 0;
    let worst = -1;
    let worstSurprisal = 0;
    for (let u = 0; u < V; u++) {
      if (!missing[i * V + u]) continue;
      let s = 0;
      for (let v = 0; v < V; v++) if (v !== u && !missing[i * V + v]) s = Math.max(s, -Math.log((both[u * V + v] + 0.5) / (measured[v] + 1)));
      // Only a missingness that a measured partner makes rarer than it is anyway (by a factor 2 or more)
      // breaks a panel; a variable that is simply often missing, or missing with its whole panel, does not.
      if (s + Math.log((n - measured[u] + 0.5) / (n + 1)) < Math.LN2) continue;
      total += s;
      if (s > worstSurprisal) [worst, worstSurprisal] = [u, s];
    }
    if (worst >= 0) out[i * V + worst] = total;
  }
  return out;
}

/** AR(1) per channel on consecutive hours where the later one is measured and an earlier one was. */
function temporal(data: Extract<ScreeningData, { view: 'timeseries' }>): Float64Array {
  const { rows: n, hours: T, channels } = data;
  const C = channels.length;
  const out = new Float64Array(n * C);
  for (let c = 0; c < C; c++) {
    const prev: number[] = [];
    const next: number[] = [];
    const owner: number[] = [];
    for (let i = 0; i < n; i++) {
      let seen = false;
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        if (seen && data.mask[k]) {
          prev.push(data.values[k - C]);
          next.push(data.values[k]);
          owner.push(i);
        }
        if (data.mask[k]) seen = true;
      }
    }
    const m = prev.length;
    if (m < 3) continue;
    let mx = 0;
    let my = 0;
    for (let k = 0; k < m; k++) {
      mx += prev[k] / m;
      my += next[k] / m;
    }
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < m; k++) {
      sxy += (prev[k] - mx) * (next[k] - my);
      sxx += (prev[k] - mx) ** 2;
    }
    const slope = sxx > 0 ? sxy / sxx : 0;
    const residual = Float64Array.from({ length: m }, (_, k) => next[k] - (my + slope * (prev[k] - mx)));
    const { median, lower, upper } = robustCentre(residual);
    for (let k = 0; k < m; k++) {
      const r = residual[k];
      const s = zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower);
      const o = owner[k] * C + c;
      if (s > out[o]) out[o] = s;
    }
  }
  return out;
}
