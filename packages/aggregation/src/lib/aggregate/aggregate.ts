import type { CollectedRun, RunCollection } from '../collect/collect-runs.js';
import { formatRate } from '../collect/summary.js';
import { WARN, type AggregationWarning } from '../collect/warnings.js';
import { resolveAggregateOptions, type AggregateOptions, type ResolvedAggregateOptions } from './aggregate-options.js';
import { cleanRunsFor, cleanValue, groupRuns, type Group } from './groups.js';
import { measurementOf } from './measurement.js';
import { rankModels, type ModelRanking } from './ranking.js';
import { baselineRows, rowsOfGroup, type MutableRow, type Sample } from './rows.js';
import { runTests } from './significance.js';
import type { AggregatedRow, GroupInfo, TestRecord } from './types.js';

export type { AggregatedRow, CleanSource, GroupInfo, TestRecord } from './types.js';
export { resolveAggregateOptions } from './aggregate-options.js';
export type { AggregateOptions, ResolvedAggregateOptions } from './aggregate-options.js';

/**
 * Aggregation of collected runs into the study's table.
 *
 *   runs ──group (dataset × model × trigger × mode × rate)──▶ groups
 *        ──match clean (rate 0, same model, seed, dataset)──▶ paired deltas
 *        ──describe (mean, std, n, 95 % CI over seeds; logit-scale for bounded metrics)──▶ rows
 *        ──paired t (and exact sign-flip) poisoned vs clean by seed, Holm over the family; Welch beside──▶ tests
 *        ──rank models by robustness──▶ ranking
 *
 * Missing values (null in a summary) never count as values: n is the number of seeds that produced
 * the metric, and `n_missing` with `note` say how many did not and why.
 *
 * Phases, one file each: groups (grouping, clean matching) · measurement (primary dataset, mixes) ·
 * rows (describe; one loop collects a metric's values and the reasons for missing ones) · significance
 * (tests) · ranking.
 */

/**
 * The study's table: aggregated rows, tests, groups, the robustness ranking and the warnings raised on the way.
 */
export interface Aggregation {
  readonly options: ResolvedAggregateOptions;
  readonly rows: readonly AggregatedRow[];
  readonly tests: readonly TestRecord[];
  readonly groups: readonly GroupInfo[];
  readonly ranking: ModelRanking;
  /** The dataset with the most runs: the one the plots and the ranking show. */
  readonly primaryDataset: string;
  /**
   * How the aggregated runs were measured (each list sorted; more than one value raises `W_MIXED_MEASUREMENT`):
   * what the poison rate is a share of, the operating-threshold rule, the label and the target label.
   */
  readonly measurement: {
    readonly rateBasis: readonly string[];
    readonly thresholdRule: readonly string[];
    readonly labelDefinition: readonly string[];
    readonly targetLabel: readonly string[];
  };
  readonly warnings: readonly AggregationWarning[];
}

/**
 * Aggregates collected runs into the study's table (phases drawn above). Missing values never count as
 * values; a figure that cannot be computed is NaN with a note. Option errors as {@link resolveAggregateOptions}.
 */
export function aggregateRuns(collection: RunCollection, options: AggregateOptions = {}): Aggregation {
  const opts = resolveAggregateOptions(options);
  const ordered = groupRuns(collection);
  const { primaryDataset, measurement, warnings } = measurementOf(collection);
  const table = tabulate(ordered, opts);
  const tests = runTests(table.rows, table.samples, opts);
  return {
    options: opts,
    rows: table.rows,
    tests,
    groups: table.groups,
    ranking: rankModels(
      collection.runs.filter((r) => r.summary.datasetHash === primaryDataset),
      ordered
        .filter((g) => g.datasetHash === primaryDataset)
        .map((g) => ({ model: g.model, trigger: g.trigger, mode: g.mode, rate: g.rate, runs: g.runs })),
      table.rows,
      (run) => table.lifts.get(run) ?? null,
    ),
    primaryDataset,
    measurement,
    warnings: [...warnings, ...table.warnings],
  };
}

/**
 * Every group's rows (described over seeds, sorted), with the samples the tests need, the group
 * descriptions, each poisoned run's ASR lift over its clean run (for the ranking) and the groups
 * without a clean match.
 */
function tabulate(ordered: readonly Group[], opts: ResolvedAggregateOptions) {
  const warnings: AggregationWarning[] = [];
  const rows: MutableRow[] = [];
  const samples = new Map<MutableRow, Sample>();
  const groups: GroupInfo[] = [];
  const lifts = new Map<CollectedRun, number | null>();
  for (const group of ordered) {
    const clean = group.rate > 0 ? cleanRunsFor(group, ordered) : null;
    for (const run of clean ? group.runs : []) {
      const c = clean!.bySeed.get(run.summary.seed);
      const asr = run.summary.metrics.asr;
      const cleanAsr = c ? cleanValue(c, 'asr', 'asr', group.trigger) : null;
      lifts.set(run, typeof asr === 'number' && typeof cleanAsr === 'number' ? asr - cleanAsr : null);
    }
    if (clean && clean.source === 'missing')
      warnings.push(
        WARN.noCleanMatch(
          `${group.model}/${group.trigger}/${formatRate(group.rate)}${group.mode === 'dirty-label' ? '' : ` (${group.mode})`}`,
        ),
      );
    groups.push({
      dataset_hash: group.datasetHash,
      model: group.model,
      trigger: group.trigger,
      mode: group.mode,
      poison_rate: group.rate,
      runs: group.runs.map((r) => r.dir),
      seeds: group.runs.map((r) => r.summary.seed),
      clean: clean ? { source: clean.source, runs: [...clean.bySeed.values()].map((r) => r.dir) } : null,
    });
    rows.push(...rowsOfGroup(group, clean, opts, samples));
    if (group.rate === 0 && group.trigger === 'none') rows.push(...baselineRows(group, ordered, opts));
  }
  rows.sort(
    (a, b) =>
      a.dataset_hash.localeCompare(b.dataset_hash) ||
      a.model.localeCompare(b.model) ||
      a.trigger.localeCompare(b.trigger) ||
      a.mode.localeCompare(b.mode) ||
      a.poison_rate - b.poison_rate ||
      a.metric.localeCompare(b.metric) ||
      a.detector.localeCompare(b.detector),
  );
  return { rows, samples, groups, lifts, warnings };
}
