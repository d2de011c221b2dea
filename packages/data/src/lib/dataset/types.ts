import type { ClinicalVariable, TabularStat } from '../variables.js';

/**
 * The in-memory form of a prepared dataset: what `loadDataset` returns and what poison, train,
 * explain and detect consume. Every value is in RAW clinical units (the variable table's unit);
 * normalisation is the model's business and is fitted on the (possibly poisoned) training split.
 *
 * Stay order is the order of the Arrow files: ascending stay_id, so it never depends on input row order.
 */
export type SplitName = 'train' | 'val' | 'test';
/** Codes stored in the `split` column. */
export const SPLIT_CODE: Readonly<Record<SplitName, number>> = { train: 0, val: 1, test: 2 };

/** One column of the tabular view: a variable's summary statistic over the window, or a static feature. */
export interface TabularFeature {
  /** Column name, `${variable}_${stat}` or a static feature's name. */
  readonly name: string;
  /** The clinical variable it summarises, or the static feature's name. */
  readonly variable: string;
  /** The summary statistic, or 'static'. */
  readonly stat: TabularStat | 'static';
}

/**
 * The tabular view: one row per stay of window summaries (min, max, mean, last, count per variable) and
 * the static features, in raw units.
 */
export interface TabularView {
  readonly features: readonly TabularFeature[];
  /**
   * n × F, row-major (row i, feature j at i*F + j). NaN where a variable was never measured in the
   * window (its `count` feature is then 0). Imputation is left to the model, fitted on training rows.
   */
  readonly values: Float32Array;
}

/**
 * The time-series view: an hourly grid (hours from ICU admission × channels) per stay, in raw units,
 * forward-filled, with a mask of which cells were actually measured.
 */
export interface TimeSeriesView {
  /** Channel order of the last axis: one channel per time-varying clinical variable. */
  readonly channels: readonly string[];
  /** T: hours in the observation window (one row per hour from ICU admission). */
  readonly hours: number;
  /**
   * n × T × C, row-major (stay i, hour t, channel c at (i*T + t)*C + c): the mean of the hour's
   * measurements where observed; otherwise the last observed value of the stay (forward fill); before
   * the first observation, the channel's fill value fitted on the training split (`fillValues`).
   */
  readonly values: Float32Array;
  /** n × T × C, same layout: 1 where the channel was measured in that hour, else 0. */
  readonly mask: Uint8Array;
  /** Per channel: the training-split median used before a stay's first observation. */
  readonly fillValues: Float32Array;
}

/**
 * Means and standard deviations fitted on the training split only, so no statistic leaks from
 * validation or test stays into the models.
 */
export interface NormalisationStats {
  /** Per tabular feature (training split, NaN ignored). */
  readonly tabular: { readonly mean: number[]; readonly std: number[] };
  /** Per time-series channel (training split, observed cells only). */
  readonly timeSeries: { readonly mean: number[]; readonly std: number[] };
}

/**
 * One step of the cohort's exclusion flow (CONSORT style): the criterion applied and the stays left after it.
 */
export interface CohortStep {
  readonly name: string;
  readonly remaining: number;
}

/**
 * `manifest.json` of a dataset directory: where the data came from, the cohort flow, variables, splits,
 * normalisation, the data files' hashes and the `contentHash` that identifies the dataset in every run.
 */
export interface DatasetManifest {
  /** Version of this manifest format; readers refuse others. */
  readonly formatVersion: 1;
  /** What wrote the dataset: `@ehr-backdoor/data prepareDataset` or `… createDataset`. */
  readonly createdBy: string;
  readonly source: {
    /** The MIMIC-IV directory it was prepared from, or the study's own label for `createDataset` (default `in-memory`). */
    readonly path: string;
    /** MIMIC-IV release detected, `synthetic (MIMIC-IV … layout)` for synth output, `none` for `createDataset`. */
    readonly mimicVersion: string;
    /** Present when the source was written by `synth` (generator, seed, stays). */
    readonly synthetic?: { readonly generator: string; readonly seed: number; readonly stays: number };
    readonly files: Record<string, { bytes: number }>;
    /** How `mimicVersion` was decided (written by `prepareDataset`). */
    readonly versionEvidence?: string;
  };
  /** The prediction task: mortality after the observation window. */
  readonly task: 'mortality';
  /**
   * Which mortality the label is (written by `prepareDataset`; absent = `hospital_mortality`, the only label of
   * datasets made before it existed): see `LabelDefinition`.
   */
  readonly labelDefinition?: 'hospital_mortality' | 'icu_mortality';
  /** Observation window from ICU admission, in hours (T of the time-series view). */
  readonly windowHours: number;
  /** Seed of the patient-level splits. */
  readonly seed: number;
  readonly cohort: {
    readonly steps: readonly CohortStep[];
    readonly stays: number;
    readonly positives: number;
  };
  readonly variables: readonly ClinicalVariable[];
  /** Per variable: values dropped as outside the plausible range. */
  readonly outOfRange: Readonly<Record<string, number>>;
  readonly splits: Readonly<Record<SplitName, { stays: number; positives: number; subjects: number }>>;
  readonly splitFractions: Readonly<Record<SplitName, number>>;
  readonly normalisation: NormalisationStats;
  readonly files: Readonly<Record<string, { sha256: string; bytes: number }>>;
  /** sha256 over the data files' hashes and the manifest's content fields: the dataset's identity. */
  readonly contentHash: string;
  /**
   * Written by `prepareDataset` (absent from in-memory datasets built by `createDataset`): the time-series
   * layout with the training-split fill values, so `loadDataset` can rebuild the views from the files.
   */
  readonly timeSeries?: { readonly channels: readonly string[]; readonly hours: number; readonly fillValues: readonly number[] };
  /** Written by `prepareDataset`: the tabular columns, in file order. */
  readonly tabularFeatures?: readonly TabularFeature[];
  /** Written by `prepareDataset`: per variable, in-range values inside the cohort's windows. */
  readonly measurements?: Readonly<Record<string, number>>;
  /** Written by `prepareDataset`: degenerate cases met and how they were handled (e.g. a channel never observed in training). */
  readonly warnings?: readonly string[];
}

/**
 * A prepared dataset in memory, in raw clinical units: per stay its ids, in-hospital mortality label,
 * split, and both views. What `loadDataset` and `createDataset` return and poison, train, explain and
 * detect consume.
 */
export interface EhrDataset {
  readonly manifest: DatasetManifest;
  /** Number of stays. */
  readonly n: number;
  /** MIMIC-IV `stay_id` per stay, ascending. */
  readonly stayIds: Int32Array;
  /** MIMIC-IV `subject_id` (the patient) per stay; splits never divide a patient. */
  readonly subjectIds: Int32Array;
  /** 1 = died in hospital (admissions.hospital_expire_flag). */
  readonly labels: Uint8Array;
  /** SPLIT_CODE per stay. */
  readonly splits: Uint8Array;
  readonly tabular: TabularView;
  readonly timeSeries: TimeSeriesView;
}

/** The two model input views: window summaries (`tabular`) and the hourly grid (`timeseries`). */
export type DatasetView = 'tabular' | 'timeseries';
