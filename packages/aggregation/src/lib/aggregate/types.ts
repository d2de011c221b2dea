import type { IntervalMethod } from '../stats/describe.js';

// The rows, tests and groups of an aggregation, apart from `aggregate.ts` so that the ranking, plots and
// outputs that read them do not import the module that computes them (and it, in turn, the ranking).

/** One row of aggregated.csv: a metric of one group (and detector), over seeds. NaN where not computable. */
export interface AggregatedRow {
  /** Content hash of the dataset the runs trained on; statistics never mix datasets. */
  readonly dataset_hash: string;
  readonly model: string;
  readonly trigger: string;
  readonly mode: string;
  /** Share of eligible training stays poisoned, in [0, 1]; 0 is the clean baseline. */
  readonly poison_rate: number;
  /** The detector of detect_/defence_ metrics, '' otherwise. */
  readonly detector: string;
  /** Summary field, or `detect_*` / `defence_*` with the detector in `detector`. */
  readonly metric: string;
  /** Seeds with a finite value. */
  readonly n: number;
  /** Runs in the group without a value for this metric. */
  readonly n_missing: number;
  /** Mean over seeds. */
  readonly mean: number;
  /** Sample standard deviation over seeds (NaN below 2 seeds). */
  readonly std: number;
  /** Lower bound of the interval over seeds at the aggregation's level (NaN below 2 seeds). */
  readonly ci_low: number;
  /** Upper bound of the interval over seeds. */
  readonly ci_high: number;
  readonly ci_method: IntervalMethod;
  /** The per-seed values behind the row, `seed:value` separated by spaces, in seed order. */
  readonly per_seed: string;
  /** The matching clean runs' values (rate > 0 only). */
  readonly clean_n: number;
  readonly clean_mean: number;
  /** mean − clean_mean. */
  readonly delta_mean: number;
  /** Paired t test p-value poisoned vs clean (pairs by seed), and Holm-adjusted (tested metrics only). */
  readonly p_value: number;
  readonly p_holm: number;
  /** True only for a computable test whose Holm-adjusted p is below alpha. */
  readonly significant: boolean;
  /** Why a figure is NaN: missing values, too few seeds, a test not computable. */
  readonly note: string;
}

/**
 * One metric, poisoned group vs its clean baseline: the paired t test over seeds (pairs: the poisoned and the
 * clean run of the same seed), with the Holm-adjusted p over the family of tests; the exact sign-flip
 * permutation p beside it (Holm-adjusted too); Welch's unpaired test as a secondary column. NaN, with a
 * reason, when not computable (fewer than 2 pairs, zero variance of the differences).
 */
export interface TestRecord {
  readonly dataset_hash: string;
  readonly model: string;
  readonly trigger: string;
  readonly mode: string;
  readonly poison_rate: number;
  readonly metric: string;
  readonly n_poisoned: number;
  readonly n_clean: number;
  readonly mean_poisoned: number;
  readonly mean_clean: number;
  readonly difference: number;
  /** The primary test: `paired-t`. */
  readonly test: 'paired-t';
  /** Seeds with both a poisoned and a clean value. */
  readonly n_pairs: number;
  /** Mean of the per-seed differences poisoned − clean. */
  readonly mean_difference: number;
  /** Paired t statistic, its degrees of freedom (n_pairs − 1) and two-sided p. */
  readonly t: number;
  readonly df: number;
  readonly p: number;
  readonly p_holm: number;
  /** Exact sign-flip permutation p (two-sided), its Holm adjustment, and the smallest p it can reach (2 / 2^n_pairs). */
  readonly p_permutation: number;
  readonly p_permutation_holm: number;
  readonly p_permutation_min: number;
  /** Welch's unpaired t test, secondary. */
  readonly welch_t: number;
  readonly welch_df: number;
  readonly welch_p: number;
  readonly computable: boolean;
  /** Only a computable test whose Holm-adjusted paired-t p is below alpha. */
  readonly significant: boolean;
  readonly note: string;
}

/** One group of runs (dataset × model × trigger × mode × rate) and where its clean baseline came from. */
export interface GroupInfo {
  readonly dataset_hash: string;
  readonly model: string;
  readonly trigger: string;
  readonly mode: string;
  readonly poison_rate: number;
  readonly runs: readonly string[];
  readonly seeds: readonly number[];
  /** Where the clean baseline came from (rate > 0 only). */
  readonly clean: { readonly source: CleanSource; readonly runs: readonly string[] } | null;
}

/**
 * Which rate-0 runs serve as a poisoned group's clean baseline, by preference: the same trigger, the
 * runner's `none` cells, another trigger; `missing` when there are none.
 */
export type CleanSource = 'same-trigger' | 'none-trigger' | 'other-trigger' | 'missing';
