import { assertInput, hashJson, sha256 } from '@ehr-backdoor/core';
import { CLINICAL_VARIABLES, type ClinicalVariable } from '../variables.js';
import { fitNormalisation } from './normalisation.js';
import { summariseSplits } from './split-summary.js';
import { SPLIT_CODE, type CohortStep, type DatasetManifest, type EhrDataset, type SplitName, type TabularFeature } from './types.js';
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
 *
 *   check shapes ─▶ typed copies (labels, splits, unique stay ids checked) ─▶ manifest (statistics, content hash)
 */
export function createDataset(arrays: DatasetArrays): EhrDataset {
  assertShapes(arrays);
  const copies = copyArrays(arrays);
  const { features } = arrays.tabular;
  const { channels, hours } = arrays.timeSeries;
  return {
    manifest: inMemoryManifest(arrays, copies),
    n: copies.stayIds.length,
    stayIds: copies.stayIds,
    subjectIds: copies.subjectIds,
    labels: copies.labels,
    splits: copies.splits,
    tabular: { features: [...features], values: copies.tabular },
    timeSeries: { channels: [...channels], hours, values: copies.tsValues, mask: copies.mask, fillValues: copies.fillValues },
  };
}

/** Every array has one entry per stay (× features, × hours × channels). */
function assertShapes(arrays: DatasetArrays): void {
  const n = arrays.stayIds.length;
  const F = arrays.tabular.features.length;
  const { channels, hours } = arrays.timeSeries;
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
}

/** The dataset's own typed copies of the caller's arrays. */
interface DatasetCopies {
  readonly stayIds: Int32Array;
  readonly subjectIds: Int32Array;
  readonly labels: Uint8Array;
  readonly splits: Uint8Array;
  readonly tabular: Float32Array;
  readonly tsValues: Float32Array;
  readonly mask: Uint8Array;
  readonly fillValues: Float32Array;
}

/** Typed copies, checking what only the values can tell: labels 0/1, known splits, unique stay ids, one fill value per channel. */
function copyArrays(arrays: DatasetArrays): DatasetCopies {
  const n = arrays.stayIds.length;
  const C = arrays.timeSeries.channels.length;
  const labels = Uint8Array.from(arrays.labels);
  assertInput<DataCode>(labels.every((y) => y === 0 || y === 1), 'E_LABEL', () => 'createDataset: labels must be 0 or 1.');
  const splits = Uint8Array.from(Array.from<number | SplitName, number>(arrays.splits, (s) => (typeof s === 'string' ? SPLIT_CODE[s] : s)));
  assertInput<DataCode>(splits.every((s) => s === 0 || s === 1 || s === 2), 'E_SPLIT', () => "createDataset: splits must be 'train', 'val', 'test' (or 0, 1, 2).");
  const stayIds = Int32Array.from(arrays.stayIds);
  assertInput<DataCode>(new Set(stayIds).size === n, 'E_DUPLICATE_STAY', () => 'createDataset: stayIds must be unique.');
  const subjectIds = Int32Array.from(arrays.subjectIds);

  const tabular = Float32Array.from(arrays.tabular.values);
  const tsValues = Float32Array.from(arrays.timeSeries.values);
  const mask = Uint8Array.from(arrays.timeSeries.mask);
  const fillValues = arrays.timeSeries.fillValues ? Float32Array.from(arrays.timeSeries.fillValues) : new Float32Array(C);
  assertInput<DataCode>(fillValues.length === C, 'E_SHAPE', () => `createDataset: timeSeries.fillValues has ${fillValues.length} entries, expected ${C}.`);
  return { stayIds, subjectIds, labels, splits, tabular, tsValues, mask, fillValues };
}

/** The manifest of an in-memory dataset: statistics of the copies and a content hash over them. */
function inMemoryManifest(arrays: DatasetArrays, copies: DatasetCopies): DatasetManifest {
  const { stayIds, subjectIds, labels, splits, tabular, tsValues, mask } = copies;
  const n = stayIds.length;
  const { features } = arrays.tabular;
  const { channels, hours } = arrays.timeSeries;
  const normalisation = fitNormalisation(splits, tabular, features.length, tsValues, mask, hours, channels.length);
  const splitSummary = summariseSplits(splits, labels, subjectIds);
  const variables = arrays.variables ?? CLINICAL_VARIABLES.filter((v) => channels.includes(v.name));
  const positives = labels.reduce((a, y) => a + y, 0);
  const contentHash = sha256(
    hashJson({ stayIds: sha256(new Uint8Array(stayIds.buffer)), labels: sha256(labels), splits: sha256(splits) }) +
      sha256(new Uint8Array(tabular.buffer)) +
      sha256(new Uint8Array(tsValues.buffer)) +
      sha256(mask) +
      hashJson({ features, channels, hours }),
  );
  return {
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
}
