import { assertInput, hashJson, sha256 } from '@ehr-backdoor/core';
import { CLINICAL_VARIABLES, type ClinicalVariable } from '../variables.js';
import {
  SPLIT_CODE,
  type CohortStep,
  type DatasetManifest,
  type EhrDataset,
  type NormalisationStats,
  type SplitName,
  type TabularFeature,
} from './types.js';
import type { DataCode } from '../error-codes.js';

/**
 * A study's own dataset as plain arrays for {@link createDataset}: per-stay ids, 0/1 labels and splits, and
 * both views in the row-major layouts of {@link TabularView} and {@link TimeSeriesView}, in raw units.
 */
export interface DatasetArrays {
  readonly stayIds: ArrayLike<number>;
  readonly subjectIds: ArrayLike<number>;
  readonly labels: ArrayLike<number>;
  /** Split per stay, as names or SPLIT_CODE values. */
  readonly splits: ArrayLike<number> | readonly SplitName[];
  readonly tabular: { readonly features: readonly TabularFeature[]; readonly values: ArrayLike<number> };
  readonly timeSeries: {
    readonly channels: readonly string[];
    readonly hours: number;
    readonly values: ArrayLike<number>;
    readonly mask: ArrayLike<number>;
    readonly fillValues?: ArrayLike<number>;
  };
  /** Variables described by the channels and features; defaults to the project's table. */
  readonly variables?: readonly ClinicalVariable[];
  readonly windowHours?: number;
  readonly seed?: number;
  readonly source?: string;
  readonly cohortSteps?: readonly CohortStep[];
}

/**
 * Builds a validated EhrDataset from plain arrays: the entry point for studies with their own
 * cohort, and for tests. Shapes are checked before anything is copied; normalisation statistics are
 * fitted on the training split, as `prepare` does.
 */
export function createDataset(arrays: DatasetArrays): EhrDataset {
  const n = arrays.stayIds.length;
  const { features } = arrays.tabular;
  const { channels, hours } = arrays.timeSeries;
  const F = features.length;
  const C = channels.length;
  assertInput<DataCode>(n > 0, 'E_EMPTY_DATASET', () => 'createDataset: the dataset has no stays.');
  for (const [name, array] of [
    ['subjectIds', arrays.subjectIds],
    ['labels', arrays.labels],
    ['splits', arrays.splits],
  ] as const) {
    assertInput<DataCode>(array.length === n, 'E_SHAPE', () => `createDataset: ${name} has ${array.length} entries, expected ${n} (one per stay).`);
  }
  assertInput<DataCode>(Number.isInteger(hours) && hours > 0, 'E_SHAPE', () => `createDataset: timeSeries.hours must be a positive integer, got ${hours}.`);
  assertInput<DataCode>(
    arrays.tabular.values.length === n * F,
    'E_SHAPE',
    () => `createDataset: tabular.values has ${arrays.tabular.values.length} entries, expected n × F = ${n} × ${F}.`,
  );
  for (const key of ['values', 'mask'] as const) {
    assertInput<DataCode>(
      arrays.timeSeries[key].length === n * hours * C,
      'E_SHAPE',
      () => `createDataset: timeSeries.${key} has ${arrays.timeSeries[key].length} entries, expected n × T × C = ${n} × ${hours} × ${C}.`,
    );
  }
  const labels = Uint8Array.from(arrays.labels as ArrayLike<number>);
  assertInput<DataCode>(labels.every((y) => y === 0 || y === 1), 'E_LABEL', () => 'createDataset: labels must be 0 or 1.');
  const splits = Uint8Array.from(Array.from(arrays.splits as ArrayLike<number | SplitName>, (s) => (typeof s === 'string' ? SPLIT_CODE[s] : s)));
  assertInput<DataCode>(splits.every((s) => s === 0 || s === 1 || s === 2), 'E_SPLIT', () => "createDataset: splits must be 'train', 'val', 'test' (or 0, 1, 2).");
  const stayIds = Int32Array.from(arrays.stayIds);
  assertInput<DataCode>(new Set(stayIds).size === n, 'E_DUPLICATE_STAY', () => 'createDataset: stayIds must be unique.');
  const subjectIds = Int32Array.from(arrays.subjectIds);

  const tabularValues = Float32Array.from(arrays.tabular.values);
  const tsValues = Float32Array.from(arrays.timeSeries.values);
  const mask = Uint8Array.from(arrays.timeSeries.mask);
  const fillValues = arrays.timeSeries.fillValues ? Float32Array.from(arrays.timeSeries.fillValues) : new Float32Array(C);
  assertInput<DataCode>(fillValues.length === C, 'E_SHAPE', () => `createDataset: timeSeries.fillValues has ${fillValues.length} entries, expected ${C}.`);

  const normalisation = fitNormalisation(splits, tabularValues, F, tsValues, mask, hours, C);
  const splitSummary = summariseSplits(splits, labels, subjectIds);
  const variables = arrays.variables ?? CLINICAL_VARIABLES.filter((v) => channels.includes(v.name));
  const positives = labels.reduce((a, y) => a + y, 0);
  const contentHash = sha256(
    hashJson({ stayIds: sha256(new Uint8Array(stayIds.buffer)), labels: sha256(labels), splits: sha256(splits) }) +
      sha256(new Uint8Array(tabularValues.buffer)) +
      sha256(new Uint8Array(tsValues.buffer)) +
      sha256(mask) +
      hashJson({ features, channels, hours }),
  );
  const manifest: DatasetManifest = {
    formatVersion: 1,
    createdBy: '@ehr-backdoor/data createDataset',
    source: { path: arrays.source ?? 'in-memory', mimicVersion: 'none', files: {} },
    task: 'mortality',
    windowHours: arrays.windowHours ?? hours,
    seed: arrays.seed ?? 0,
    cohort: { steps: arrays.cohortSteps ?? [{ name: 'provided stays', remaining: n }], stays: n, positives },
    variables,
    outOfRange: {},
    splits: splitSummary,
    splitFractions: {
      train: splitSummary.train.stays / n,
      val: splitSummary.val.stays / n,
      test: splitSummary.test.stays / n,
    },
    normalisation,
    files: {},
    contentHash,
  };
  return {
    manifest,
    n,
    stayIds,
    subjectIds,
    labels,
    splits,
    tabular: { features: [...features], values: tabularValues },
    timeSeries: { channels: [...channels], hours, values: tsValues, mask, fillValues },
  };
}

export function summariseSplits(
  splits: Uint8Array,
  labels: Uint8Array,
  subjectIds: Int32Array,
): Record<SplitName, { stays: number; positives: number; subjects: number }> {
  const out = {} as Record<SplitName, { stays: number; positives: number; subjects: number }>;
  for (const name of ['train', 'val', 'test'] as const) {
    const code = SPLIT_CODE[name];
    let stays = 0;
    let positives = 0;
    const subjects = new Set<number>();
    for (let i = 0; i < splits.length; i++) {
      if (splits[i] !== code) continue;
      stays++;
      positives += labels[i];
      subjects.add(subjectIds[i]);
    }
    out[name] = { stays, positives, subjects: subjects.size };
  }
  return out;
}

/** Mean and standard deviation per tabular feature (NaN ignored) and per channel (observed cells), on training rows only. */
export function fitNormalisation(
  splits: Uint8Array,
  tabular: Float32Array,
  F: number,
  tsValues: Float32Array,
  mask: Uint8Array,
  T: number,
  C: number,
): NormalisationStats {
  const train = SPLIT_CODE.train;
  const tab = welford(F);
  const ts = welford(C);
  for (let i = 0; i < splits.length; i++) {
    if (splits[i] !== train) continue;
    for (let j = 0; j < F; j++) tab.add(j, tabular[i * F + j]);
    for (let t = 0; t < T; t++) {
      const base = (i * T + t) * C;
      for (let c = 0; c < C; c++) if (mask[base + c]) ts.add(c, tsValues[base + c]);
    }
  }
  return { tabular: tab.result(), timeSeries: ts.result() };
}

function welford(k: number) {
  const count = new Float64Array(k);
  const mean = new Float64Array(k);
  const m2 = new Float64Array(k);
  return {
    add(j: number, x: number) {
      if (!Number.isFinite(x)) return;
      count[j]++;
      const d = x - mean[j];
      mean[j] += d / count[j];
      m2[j] += d * (x - mean[j]);
    },
    result() {
      // A feature with no training values (or no spread) gets mean 0 / std 1 so normalising never divides by 0.
      return {
        mean: Array.from(mean, (m, j) => (count[j] > 0 ? m : 0)),
        std: Array.from(m2, (s, j) => (count[j] > 1 && s > 0 ? Math.sqrt(s / (count[j] - 1)) : 1)),
      };
    },
  };
}
