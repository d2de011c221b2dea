/**
 * Every warning the aggregation can raise, in one place (as vega-lite's `log/message.ts`): the report's
 * warnings table, stats.json and the tests all read these kinds and codes, so a run that is left out
 * is always listed with the reason, never dropped in silence.
 */
export type WarningKind =
  | 'unfinished'
  | 'failed'
  | 'corrupt'
  | 'format-version'
  | 'invalid'
  | 'duplicate'
  | 'path-mismatch'
  | 'metadata'
  | 'dataset'
  | 'mixed-datasets'
  | 'mixed-selection'
  | 'mixed-measurement'
  | 'no-clean-match'
  | 'artifact';

/** A run (or the whole tree) that needs the reader's attention, and whether its metrics were left out. */
export interface AggregationWarning {
  readonly kind: WarningKind;
  /** Stable `W_...` code. */
  readonly code: string;
  /** The run directory or file concerned, relative to the runs root ('' for the whole tree). */
  readonly path: string;
  readonly message: string;
  /** True when the run's metrics are left out of every statistic. */
  readonly excluded: boolean;
}

type Make = (...args: never[]) => AggregationWarning;

const warning = (kind: WarningKind, code: string, excluded: boolean, path: string, message: string): AggregationWarning => ({
  kind,
  code,
  path,
  message,
  excluded,
});

/**
 * Constructors of every {@link AggregationWarning}, one per situation, so kinds, codes and wording live in one place.
 */
export const WARN = {
  /** `W_RUN_RUNNING` (excluded): a `.lock` and no summary.json; the run is in progress or was killed. */
  running: (path: string) =>
    warning(
      'unfinished',
      'W_RUN_RUNNING',
      true,
      path,
      'no summary.json yet and a .lock file is present: the run is in progress (or was killed); it is left out until it finishes.',
    ),
  /** `W_RUN_INTERRUPTED` (excluded): no summary.json and a `.lock` whose holder, a process of this host, is gone. */
  interrupted: (path: string, holder: string) =>
    warning(
      'unfinished',
      'W_RUN_INTERRUPTED',
      true,
      path,
      `no summary.json and a stale .lock: its holder (${holder}) is no longer running, so the run was interrupted; run the same sweep again to resume it from its last checkpoint.`,
    ),
  /** `W_RUN_PARTIAL` (excluded): checkpoints but no summary.json; a stopped run to resume. */
  partial: (path: string) =>
    warning('unfinished', 'W_RUN_PARTIAL', true, path, 'checkpoints but no summary.json: a stopped run; resume the sweep to finish it.'),
  /** `W_RUN_UNFINISHED` (excluded): no summary.json; `status` is what run_metadata.json says, if anything. */
  pending: (path: string, status?: string) =>
    warning(
      'unfinished',
      'W_RUN_UNFINISHED',
      true,
      path,
      `no summary.json${status ? ` (run_metadata.json says status "${status}")` : ''}: the run has not finished.`,
    ),
  /** `W_RUN_NOT_STARTED` (excluded): a cell of sweep-plan.json without a directory yet. */
  notStarted: (path: string) =>
    warning(
      'unfinished',
      'W_RUN_NOT_STARTED',
      true,
      path,
      'a cell of the sweep plan (sweep-plan.json) without a directory: it has not started; run or resume the sweep.',
    ),
  /** `W_PLAN_UNREADABLE`: sweep-plan.json could not be read, so cells not started cannot be listed. */
  planUnreadable: (path: string, detail: string) =>
    warning(
      'invalid',
      'W_PLAN_UNREADABLE',
      false,
      path,
      `the sweep plan could not be read (${detail}); cells that have not started cannot be listed.`,
    ),
  /** `W_RUN_FAILED` (excluded): the run recorded an error. */
  failed: (path: string, error: string) => warning('failed', 'W_RUN_FAILED', true, path, `the run failed: ${error}`),
  /** `W_SUMMARY_CORRUPT` (excluded): summary.json is not valid JSON. */
  corruptSummary: (path: string, detail: string) =>
    warning(
      'corrupt',
      'W_SUMMARY_CORRUPT',
      true,
      path,
      `summary.json is not valid JSON (${detail}); delete the run directory and run the cell again.`,
    ),
  /** `W_SUMMARY_VERSION` (excluded): summary.json of a format version this aggregator does not read. */
  summaryVersion: (path: string, version: unknown) =>
    warning(
      'format-version',
      'W_SUMMARY_VERSION',
      true,
      path,
      `summary.json has formatVersion ${JSON.stringify(version)}; this aggregator reads version 1. Aggregate it with the ehr-backdoor version that wrote it, or re-run the cell.`,
    ),
  /** `W_SUMMARY_INVALID` (excluded): summary.json lacks valid coordinates. */
  invalidSummary: (path: string, problem: string) =>
    warning('invalid', 'W_SUMMARY_INVALID', true, path, `summary.json is not a valid run summary: ${problem}.`),
  /** `W_FIELD_INVALID`: a metric field that is neither a number nor null; treated as missing. */
  invalidField: (path: string, field: string, value: unknown) =>
    warning(
      'invalid',
      'W_FIELD_INVALID',
      false,
      path,
      `summary.json field "${field}" is ${JSON.stringify(value)}, not a number or null; it is treated as missing.`,
    ),
  /** `W_RUN_DUPLICATE` (excluded): the same cell as `kept`, so no seed counts twice. */
  duplicate: (path: string, kept: string) =>
    warning(
      'duplicate',
      'W_RUN_DUPLICATE',
      true,
      path,
      `the same cell (model, trigger, rate, seed, mode, dataset) as ${kept}; only the first is used so that no seed counts twice.`,
    ),
  /** `W_PATH_MISMATCH`: the directory name disagrees with summary.json; the summary wins. */
  pathMismatch: (path: string, detail: string) =>
    warning(
      'path-mismatch',
      'W_PATH_MISMATCH',
      false,
      path,
      `the directory name disagrees with summary.json (${detail}); the summary's values are used.`,
    ),
  /** `W_METADATA_MISSING`: no run_metadata.json; aggregated without provenance. */
  metadataMissing: (path: string) =>
    warning(
      'metadata',
      'W_METADATA_MISSING',
      false,
      path,
      'run_metadata.json is missing; the run is aggregated but has no provenance (versions, backend, dataset path).',
    ),
  /** `W_METADATA_CORRUPT`: run_metadata.json unreadable; aggregated without provenance. */
  metadataCorrupt: (path: string, detail: string) =>
    warning(
      'metadata',
      'W_METADATA_CORRUPT',
      false,
      path,
      `run_metadata.json is unreadable (${detail}); the run is aggregated without its provenance.`,
    ),
  /** `W_METADATA_VERSION`: run_metadata.json of another format version; its provenance is ignored. */
  metadataVersion: (path: string, version: unknown) =>
    warning(
      'metadata',
      'W_METADATA_VERSION',
      false,
      path,
      `run_metadata.json has formatVersion ${JSON.stringify(version)}; its provenance is ignored (this aggregator reads version 1).`,
    ),
  /**
   * `W_DATASET_MANIFEST`: the dataset manifest could not be read; no cohort-flow plot or dataset provenance.
   */
  datasetManifest: (path: string, manifestPath: string, detail: string) =>
    warning(
      'dataset',
      'W_DATASET_MANIFEST',
      false,
      path,
      `the dataset manifest ${manifestPath} could not be read (${detail}); the cohort-flow plot and dataset provenance are left out.`,
    ),
  /** `W_MIXED_DATASETS`: runs on several datasets; statistics stay apart and plots show `primary`. */
  mixedDatasets: (hashes: readonly string[], primary: string) =>
    warning(
      'mixed-datasets',
      'W_MIXED_DATASETS',
      false,
      '',
      `runs on ${hashes.length} different datasets (${hashes.map((h) => h.slice(0, 12)).join(', ')}); statistics are kept apart per dataset and the plots show the dataset with the most runs (${primary.slice(0, 12)}).`,
    ),
  /**
   * `W_MIXED_MEASUREMENT`: runs measured differently (poison-rate basis, operating-threshold rule, label
   * definition or target label) are aggregated together.
   */
  mixedMeasurement: (what: string, counts: readonly (readonly [string, number])[]) =>
    warning(
      'mixed-measurement',
      'W_MIXED_MEASUREMENT',
      false,
      '',
      `runs with different ${what} are aggregated together (${counts.map(([s, n]) => `${n} with ${s}`).join(', ')}); ` +
        `their figures mean different things, so aggregate each set of runs separately.`,
    ),
  /** `W_MIXED_SELECTION`: runs evaluated at different epochs (last vs best validation) are aggregated together. */
  mixedSelection: (counts: readonly (readonly [string, number])[]) =>
    warning(
      'mixed-selection',
      'W_MIXED_SELECTION',
      false,
      '',
      `runs evaluated at different epochs are aggregated together (${counts.map(([s, n]) => `${n} with selection '${s}'`).join(', ')}); ` +
        `selecting the best validation epoch changes ASR, so aggregate each protocol's runs separately.`,
    ),
  /** `W_NO_CLEAN_MATCH`: a poisoned group without a clean run; its deltas and tests are not computable. */
  noCleanMatch: (group: string) =>
    warning(
      'no-clean-match',
      'W_NO_CLEAN_MATCH',
      false,
      '',
      `no clean run (poison rate 0, same model and seed) for ${group}: its deltas and tests against clean are not computable.`,
    ),
  /** `W_PREDICTIONS_CORRUPT`: predictions.arrow unreadable; the run is left out of the curve plots and predictions.parquet only. */
  predictionsCorrupt: (path: string, problem: string) =>
    warning(
      'artifact',
      'W_PREDICTIONS_CORRUPT',
      false,
      path,
      `predictions.arrow cannot be used (${problem}); the run is left out of the ROC, precision–recall and reliability plots and of predictions.parquet, not of the statistics.`,
    ),
  /** `W_HISTORY_CORRUPT`: the checkpoint's training history is unreadable; the run is left out of the training curves. */
  historyCorrupt: (path: string, problem: string) =>
    warning(
      'artifact',
      'W_HISTORY_CORRUPT',
      false,
      path,
      `the training history cannot be read (${problem}); the run is left out of the training curves.`,
    ),
  /** `W_ATTRIBUTIONS_CORRUPT`: attributions.arrow unreadable; the run is left out of the attribution heatmaps. */
  attributionsCorrupt: (path: string, problem: string) =>
    warning(
      'artifact',
      'W_ATTRIBUTIONS_CORRUPT',
      false,
      path,
      `attributions.arrow cannot be used (${problem}); the run is left out of the attribution heatmaps.`,
    ),
  /** `W_DETECT_SCORES_CORRUPT`: detect-scores.arrow unreadable; the run is left out of the detector score plots. */
  detectScoresCorrupt: (path: string, problem: string) =>
    warning(
      'artifact',
      'W_DETECT_SCORES_CORRUPT',
      false,
      path,
      `detect-scores.arrow cannot be used (${problem}); the run is left out of the detector score distributions and detection ROC curves.`,
    ),
  /** `W_ARTIFACT_MISSING`: some runs lack a file that some plots draw from; those plots show the other runs. */
  artifactMissing: (file: string, missing: number, total: number, plots: readonly string[], example: string) =>
    warning(
      'artifact',
      'W_ARTIFACT_MISSING',
      false,
      '',
      `${missing} of ${total} runs have no ${file} (e.g. ${example}); ${plots.join(', ')} leave${plots.length === 1 ? 's' : ''} them out.`,
    ),
} satisfies Record<string, Make>;
