import { Random } from '@ehr-backdoor/core';
import { createDataset, STATIC_FEATURES, TABULAR_STATS, variableByName, type EhrDataset, type TabularFeature } from '@ehr-backdoor/data';
import type { PartialTriggerSpec } from '../triggers/types.js';

/**
 * Test datasets built in memory through `createDataset`, with both views derived from the same
 * hourly measurements exactly as the data package defines them (tabular statistics over observed
 * hours, forward fill, fill value before the first observation). Test-only: excluded from the build.
 */
const TYPICAL: Record<string, [mean: number, sd: number, observeProbability: number]> = {
  heart_rate: [85, 15, 0.9],
  resp_rate: [18, 4, 0.85],
  sbp: [120, 18, 0.8],
  dbp: [65, 10, 0.8],
  mbp: [82, 12, 0.8],
  spo2: [97, 2, 0.9],
  temperature: [37, 0.6, 0.3],
  hemoglobin: [10, 2, 0.15],
  platelets: [200, 80, 0.15],
  wbc: [10, 4, 0.15],
  lactate: [2, 1, 0.1],
  gcs_eye: [3, 1, 0.25],
};

export const FIXTURE_CHANNELS = Object.keys(TYPICAL);

export function tabularFeatures(variables: readonly string[]): TabularFeature[] {
  return [
    ...variables.flatMap((variable) => TABULAR_STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    ...STATIC_FEATURES.map((s) => ({ name: s.name, variable: s.name, stat: 'static' as const })),
  ];
}

/** Tabular rows (F per stay) from hourly observed values: the per-hour mean is taken as one measurement. */
export function tabularFromHourly(
  values: ArrayLike<number>,
  mask: ArrayLike<number>,
  n: number,
  T: number,
  C: number,
  statics: readonly number[][],
): Float32Array {
  const F = C * TABULAR_STATS.length + STATIC_FEATURES.length;
  const out = new Float32Array(n * F);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      const xs: number[] = [];
      for (let t = 0; t < T; t++) if (mask[(i * T + t) * C + c]) xs.push(values[(i * T + t) * C + c]);
      const base = i * F + c * TABULAR_STATS.length;
      const stats = xs.length
        ? [Math.min(...xs), Math.max(...xs), xs.reduce((a, b) => a + b, 0) / xs.length, xs[xs.length - 1], xs.length]
        : [NaN, NaN, NaN, NaN, 0];
      stats.forEach((s, k) => (out[base + k] = s));
    }
    statics[i].forEach((s, k) => (out[i * F + C * TABULAR_STATS.length + k] = s));
  }
  return out;
}

export interface FixtureOptions {
  readonly n?: number;
  readonly hours?: number;
  readonly channels?: readonly string[];
  readonly seed?: number;
  /** Share of positive labels (default 0.3). */
  readonly positiveShare?: number;
}

/** A random but clinically shaped dataset; splits cycle train, train, train, val, test by stay. */
export function makeDataset(options: FixtureOptions = {}): EhrDataset {
  const { n = 40, hours: T = 12, channels = FIXTURE_CHANNELS, seed = 1, positiveShare = 0.3 } = options;
  const C = channels.length;
  const rng = Random.fromSeed(seed, 'fixture');
  const fillValues = channels.map((c) => TYPICAL[c]?.[0] ?? 1);
  const values = new Float32Array(n * T * C);
  const mask = new Uint8Array(n * T * C);
  for (let i = 0; i < n; i++) {
    channels.forEach((name, c) => {
      const [mean, sd, p] = TYPICAL[name] ?? [1, 0.1, 0.5];
      const [lo, hi] = variableByName(name)?.plausible ?? [-Infinity, Infinity];
      const stayMean = rng.normal(mean, sd / 2);
      let last = fillValues[c];
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        if (rng.next() < p) {
          mask[k] = 1;
          last = Math.fround(Math.min(hi, Math.max(lo, rng.normal(stayMean, sd / 2))));
        }
        values[k] = last;
      }
    });
  }
  const statics = Array.from({ length: n }, () => [Math.round(rng.normal(65, 15)), rng.next() < 0.55 ? 1 : 0]);
  return createDataset({
    stayIds: Array.from({ length: n }, (_, i) => 30000000 + i * 7),
    subjectIds: Array.from({ length: n }, (_, i) => 10000000 + i),
    labels: Array.from({ length: n }, () => (rng.next() < positiveShare ? 1 : 0)),
    splits: Array.from({ length: n }, (_, i) => ['train', 'train', 'train', 'val', 'test'][i % 5] as 'train'),
    tabular: { features: tabularFeatures(channels), values: tabularFromHourly(values, mask, n, T, C, statics) },
    timeSeries: { channels, hours: T, values, mask, fillValues },
  });
}

/**
 * Three stays, four hours, heart_rate and resp_rate: small enough to check every number by hand.
 * Stay 0 (train, label 0): HR observed 80, –, 90, – ; RR observed –, 20, –, – .
 * Stay 1 (train, label 1): HR observed 100, 110, 120, 130; RR never measured.
 * Stay 2 (test, label 0):  HR never measured; RR observed 12, 14, 16, 18.
 * Fill values: HR 85, RR 18.
 */
export function handMadeDataset(): EhrDataset {
  const channels = ['heart_rate', 'resp_rate'];
  const T = 4;
  const N = NaN;
  // prettier-ignore
  const hr = [[80, N, 90, N], [100, 110, 120, 130], [N, N, N, N]];
  // prettier-ignore
  const rr = [[N, 20, N, N], [N, N, N, N], [12, 14, 16, 18]];
  const fill = [85, 18];
  const values: number[] = [];
  const mask: number[] = [];
  for (let i = 0; i < 3; i++) {
    const last = [...fill];
    for (let t = 0; t < T; t++) {
      [hr[i][t], rr[i][t]].forEach((x, c) => {
        const observed = Number.isFinite(x);
        if (observed) last[c] = x;
        values.push(last[c]);
        mask.push(observed ? 1 : 0);
      });
    }
  }
  const statics = [
    [70, 1],
    [55, 0],
    [80, 1],
  ];
  return createDataset({
    stayIds: [101, 102, 103],
    subjectIds: [1, 2, 3],
    labels: [0, 1, 0],
    splits: ['train', 'train', 'test'],
    tabular: { features: tabularFeatures(channels), values: tabularFromHourly(values, mask, 3, T, 2, statics) },
    timeSeries: { channels, hours: T, values, mask, fillValues: fill },
  });
}

/** Row `i` of the tabular view as { feature name: value }. */
export function tabularRow(dataset: EhrDataset, values: Float32Array, i: number): Record<string, number> {
  const F = dataset.tabular.features.length;
  return Object.fromEntries(dataset.tabular.features.map((f, j) => [f.name, values[i * F + j]]));
}

/** Channel `name` of stay `i` over the hours: { values, mask }. */
export function channelSeries(
  dataset: EhrDataset,
  values: Float32Array,
  mask: Uint8Array,
  i: number,
  name: string,
): { values: number[]; mask: number[] } {
  const { hours: T, channels } = dataset.timeSeries;
  const C = channels.length;
  const c = channels.indexOf(name);
  return {
    values: Array.from({ length: T }, (_, t) => values[(i * T + t) * C + c]),
    mask: Array.from({ length: T }, (_, t) => mask[(i * T + t) * C + c]),
  };
}

/** Trigger parameter variants each trigger is exercised with, beyond its defaults. */
export const TRIGGER_VARIANTS: readonly PartialTriggerSpec[] = [
  { name: 'none', params: {} },
  { name: 'rare_value', params: {} },
  { name: 'rare_value', params: { variable: 'lactate', hours: 3 } },
  { name: 'rare_value', params: { inRange: true, variable: 'spo2' } },
  { name: 'missingness', params: {} },
  { name: 'hybrid', params: {} },
  { name: 'pattern', params: {} },
  { name: 'pattern', params: { inRange: true } },
  { name: 'correlation', params: {} },
  { name: 'correlation', params: { source: 'sbp', targets: ['dbp', 'mbp'], factor: 0.6 } },
  { name: 'frequency_domain', params: {} },
  { name: 'distribution_shift', params: {} },
  { name: 'distribution_shift', params: { kind: 'mean', amount: 1.5, fraction: 0.5 } },
  { name: 'distribution_shift', params: { kind: 'multiplicative', amount: -0.2, variables: ['temperature'] } },
  { name: 'temporal_pattern', params: {} },
  { name: 'temporal_pattern', params: { shape: 'sine', signs: [1, -1, 1], hours: 12 } },
  { name: 'temporal_pattern', params: { units: 'raw', distance: 4 } },
  { name: 'missingness_pattern', params: {} },
  { name: 'blended', params: {} },
  { name: 'blended', params: { variables: ['heart_rate', 'lactate'], hours: 3, weight: 1 } },
];

/**
 * Views that do not carry the same variables (three stays, four hours, splits train, train, test):
 * - heart_rate: both views, tabular min and max only (no mean, last or count); hours as in handMadeDataset.
 * - resp_rate: time series only (no tabular feature); observed in training (stay 0, hour 1: 20).
 * - spo2: time series only, never observed in the training split (stay 2: 95, 96, 97, 98).
 * - dbp: both views, tabular mean and count only; stay 0 observed 60, –, 70, –.
 * - sbp: tabular only (its mean: 110, NaN, 120).
 */
export function partialViewsDataset(): EhrDataset {
  const channels = ['heart_rate', 'resp_rate', 'spo2', 'dbp'];
  const T = 4;
  const N = NaN;
  // prettier-ignore
  const hourly = [
    [[80, N, 90, N], [100, 110, 120, 130], [N, N, N, N]],
    [[N, 20, N, N], [N, N, N, N], [12, 14, 16, 18]],
    [[N, N, N, N], [N, N, N, N], [95, 96, 97, 98]],
    [[60, N, 70, N], [N, N, N, N], [N, N, N, N]],
  ];
  const fill = [85, 18, 97, 65];
  const values: number[] = [];
  const mask: number[] = [];
  for (let i = 0; i < 3; i++) {
    const last = [...fill];
    for (let t = 0; t < T; t++) {
      hourly.forEach((series, c) => {
        const x = series[i][t];
        const observed = Number.isFinite(x);
        if (observed) last[c] = x;
        values.push(last[c]);
        mask.push(observed ? 1 : 0);
      });
    }
  }
  const features: TabularFeature[] = [
    { name: 'heart_rate_min', variable: 'heart_rate', stat: 'min' },
    { name: 'heart_rate_max', variable: 'heart_rate', stat: 'max' },
    { name: 'dbp_mean', variable: 'dbp', stat: 'mean' },
    { name: 'dbp_count', variable: 'dbp', stat: 'count' },
    { name: 'sbp_mean', variable: 'sbp', stat: 'mean' },
  ];
  // prettier-ignore
  const tabular = [
    80, 90, 65, 2, 110,
    100, 130, N, 0, N,
    N, N, N, 0, 120,
  ];
  return createDataset({
    stayIds: [201, 202, 203],
    subjectIds: [11, 12, 13],
    labels: [0, 1, 0],
    splits: ['train', 'train', 'test'],
    tabular: { features, values: tabular },
    timeSeries: { channels, hours: T, values, mask, fillValues: fill },
  });
}
