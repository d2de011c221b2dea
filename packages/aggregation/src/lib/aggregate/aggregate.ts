import { assertInput } from '@ehr-backdoor/core';
import type { CollectedRun, RunCollection } from '../collect/collect-runs.js';
import { formatRate, type RunSummary } from '../collect/summary.js';
import { WARN, type AggregationWarning } from '../collect/warnings.js';
import { describeSample, mean, type IntervalChoice, type IntervalMethod } from '../stats/describe.js';
import { holmAdjust } from '../stats/holm.js';
import { pairedTests } from '../stats/paired.js';
import { welchTest } from '../stats/welch.js';
import { DEFAULT_TEST_METRICS, DELTA_METRICS, isTriggerDependent, metricOfField, metricRange } from './metrics.js';
import { rankModels, type ModelRanking } from './ranking.js';
import type { AggregationCode } from '../error-codes.js';
import type { AggregatedRow, CleanSource, GroupInfo, TestRecord } from './types.js';

export type { AggregatedRow, CleanSource, GroupInfo, TestRecord } from './types.js';

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
 */
export interface AggregateOptions {
  /**
   * Interval over seeds: `auto` (default: logit-scale t for metrics with a bounded range, t for the rest), or one
   * method for every metric: `t`, `logit-t` (bounded metrics only; t for the rest) or percentile `bootstrap`.
   */
  readonly interval?: IntervalChoice;
  /** Confidence level of the intervals (default 0.95). */
  readonly level?: number;
  /** Resamples of the bootstrap interval (default 2000, at least 100). */
  readonly bootstrapSamples?: number;
  /** Seed of the bootstrap resampling (default 0). */
  readonly seed?: number;
  /** Family-wise error rate for the Holm-corrected tests (default 0.05). */
  readonly alpha?: number;
  /** Metrics tested poisoned vs clean (default asr, auroc, accuracy, ece). */
  readonly testMetrics?: readonly string[];
}

/** {@link AggregateOptions} with every default filled in and checked; recorded in stats.json. */
export interface ResolvedAggregateOptions {
  readonly interval: IntervalChoice;
  readonly level: number;
  readonly bootstrapSamples: number;
  readonly seed: number;
  readonly alpha: number;
  readonly testMetrics: readonly string[];
}

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
 * Fills in the defaults (t interval, level 0.95, alpha 0.05, 2000 bootstrap samples, seed 0, the default test
 * metrics) and checks them.
 * @throws InputError `E_LEVEL` or `E_ALPHA` outside (0, 1), `E_BOOTSTRAP_SAMPLES` below 100, `E_SEED` for a
 * negative or non-integer seed, `E_INTERVAL` for an interval other than `t` or `bootstrap`.
 */
export function resolveAggregateOptions(options: AggregateOptions = {}): ResolvedAggregateOptions {
  const level = options.level ?? 0.95;
  const alpha = options.alpha ?? 0.05;
  const bootstrapSamples = options.bootstrapSamples ?? 2000;
  const seed = options.seed ?? 0;
  assertInput<AggregationCode>(level > 0 && level < 1, 'E_LEVEL', () => `--level must be in (0, 1), got ${level}.`);
  assertInput<AggregationCode>(alpha > 0 && alpha < 1, 'E_ALPHA', () => `--alpha must be in (0, 1), got ${alpha}.`);
  assertInput<AggregationCode>(Number.isInteger(bootstrapSamples) && bootstrapSamples >= 100, 'E_BOOTSTRAP_SAMPLES', () => `--bootstrap-samples must be an integer ≥ 100, got ${bootstrapSamples}.`);
  assertInput<AggregationCode>(Number.isSafeInteger(seed) && seed >= 0, 'E_SEED', () => `--seed must be a non-negative integer, got ${seed}.`);
  assertInput<AggregationCode>(
    options.interval === undefined || ['auto', 't', 'logit-t', 'bootstrap'].includes(options.interval),
    'E_INTERVAL',
    () => `--ci must be "auto", "t", "logit-t" or "bootstrap", got ${String(options.interval)}.`,
  );
  return { interval: options.interval ?? 'auto', level, alpha, bootstrapSamples, seed, testMetrics: options.testMetrics ?? [...DEFAULT_TEST_METRICS] };
}

interface Group {
  readonly key: string;
  readonly datasetHash: string;
  readonly model: string;
  readonly trigger: string;
  readonly mode: string;
  readonly rate: number;
  readonly runs: CollectedRun[];
}

const keyOf = (datasetHash: string, model: string, trigger: string, mode: string, rate: number) => [datasetHash, model, trigger, mode, formatRate(rate)].join('\u0000');

/**
 * Aggregates collected runs into the study's table (phases drawn above). Missing values never count as
 * values; a figure that cannot be computed is NaN with a note. Option errors as {@link resolveAggregateOptions}.
 */
export function aggregateRuns(collection: RunCollection, options: AggregateOptions = {}): Aggregation {
  const opts = resolveAggregateOptions(options);
  const warnings: AggregationWarning[] = [];

  const groups = new Map<string, Group>();
  for (const run of collection.runs) {
    const s = run.summary;
    const key = keyOf(s.datasetHash, s.model, s.trigger, s.mode, s.poisonRate);
    let group = groups.get(key);
    if (!group) {
      group = { key, datasetHash: s.datasetHash, model: s.model, trigger: s.trigger, mode: s.mode, rate: Number(formatRate(s.poisonRate)), runs: [] };
      groups.set(key, group);
    }
    group.runs.push(run);
  }
  const ordered = [...groups.values()].sort(
    (a, b) => a.datasetHash.localeCompare(b.datasetHash) || a.model.localeCompare(b.model) || a.trigger.localeCompare(b.trigger) || a.mode.localeCompare(b.mode) || a.rate - b.rate,
  );
  for (const g of ordered) g.runs.sort((a, b) => a.summary.seed - b.summary.seed);

  const datasetOrder = [...runsPer(collection, (s) => s.datasetHash).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const primaryDataset = datasetOrder[0]?.[0] ?? '';
  if (datasetOrder.length > 1) warnings.push(WARN.mixedDatasets(datasetOrder.map(([h]) => h), primaryDataset));
  const runsPerSelection = runsPer(collection, (s) => s.selection);
  if (runsPerSelection.size > 1) warnings.push(WARN.mixedSelection([...runsPerSelection.entries()].sort((a, b) => a[0].localeCompare(b[0]))));
  const measurement = {
    rateBasis: runsPer(collection, (s) => s.rateBasis),
    thresholdRule: runsPer(collection, (s) => s.thresholdRule),
    labelDefinition: runsPer(collection, (s) => s.labelDefinition),
    targetLabel: runsPer(collection, (s) => String(s.targetLabel ?? 'unknown')),
  };
  const names = { rateBasis: 'poison-rate bases', thresholdRule: 'operating-threshold rules', labelDefinition: 'label definitions', targetLabel: 'target labels' } as const;
  for (const key of Object.keys(names) as (keyof typeof names)[]) {
    if (measurement[key].size > 1) warnings.push(WARN.mixedMeasurement(names[key], [...measurement[key].entries()].sort((a, b) => a[0].localeCompare(b[0]))));
  }

  const rows: MutableRow[] = [];
  const samples = new Map<MutableRow, Sample>();
  const groupInfos: GroupInfo[] = [];
  const lifts = new Map<CollectedRun, number | null>();
  for (const group of ordered) {
    const clean = group.rate > 0 ? cleanRunsFor(group, ordered) : null;
    for (const run of clean ? group.runs : []) {
      const c = clean!.bySeed.get(run.summary.seed);
      const asr = run.summary.metrics.asr;
      const cleanAsr = c ? cleanValue(c, 'asr', 'asr', group.trigger) : null;
      lifts.set(run, typeof asr === 'number' && typeof cleanAsr === 'number' ? asr - cleanAsr : null);
    }
    if (clean && clean.source === 'missing') warnings.push(WARN.noCleanMatch(`${group.model}/${group.trigger}/${formatRate(group.rate)}${group.mode === 'dirty-label' ? '' : ` (${group.mode})`}`));
    groupInfos.push({
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

  const tests = runTests(rows, samples, opts);
  return {
    options: opts,
    rows,
    tests,
    groups: groupInfos,
    ranking: rankModels(collection.runs.filter((r) => r.summary.datasetHash === primaryDataset), ordered.filter((g) => g.datasetHash === primaryDataset).map((g) => ({ model: g.model, trigger: g.trigger, mode: g.mode, rate: g.rate, runs: g.runs })), rows, (run) => lifts.get(run) ?? null),
    primaryDataset,
    measurement: {
      rateBasis: [...measurement.rateBasis.keys()].sort(),
      thresholdRule: [...measurement.thresholdRule.keys()].sort(),
      labelDefinition: [...measurement.labelDefinition.keys()].sort(),
      targetLabel: [...measurement.targetLabel.keys()].sort(),
    },
    warnings,
  };
}

interface CleanRuns {
  readonly source: CleanSource;
  readonly bySeed: Map<number, CollectedRun>;
}

/**
 * The clean baseline of a poisoned group: rate-0 runs of the same model on the same dataset, one per
 * seed, preferring (1) the same trigger and mode, (2) the same trigger, (3) trigger `none` (the
 * runner's clean cells), (4) any other trigger. Trigger-dependent metrics are only taken from (1)–(2)
 * or from `{metric}@{trigger}` baseline fields of the clean run.
 */
function cleanRunsFor(group: Group, all: readonly Group[]): CleanRuns {
  const candidates = all.filter((g) => g.rate === 0 && g.datasetHash === group.datasetHash && g.model === group.model);
  const priority = (g: Group) => (g.trigger === group.trigger ? (g.mode === group.mode ? 0 : 1) : g.trigger === 'none' ? 2 : 3);
  candidates.sort((a, b) => priority(a) - priority(b) || a.trigger.localeCompare(b.trigger) || a.mode.localeCompare(b.mode));
  const bySeed = new Map<number, CollectedRun>();
  for (const g of candidates) for (const run of g.runs) if (!bySeed.has(run.summary.seed)) bySeed.set(run.summary.seed, run);
  if (candidates.length === 0) return { source: 'missing', bySeed };
  const p = priority(candidates[0]);
  return { source: p <= 1 ? 'same-trigger' : p === 2 ? 'none-trigger' : 'other-trigger', bySeed };
}

function cleanValue(clean: CollectedRun, field: string, metric: string, trigger: string): number | null {
  if (!isTriggerDependent(metric) || clean.summary.trigger === trigger) return clean.summary.metrics[field] ?? null;
  return clean.summary.metrics[`${field}@${trigger}`] ?? null;
}

/**
 * The runner's clean cells use trigger `none`; a clean run evaluated with trigger T may carry its
 * trigger-dependent metrics as `{metric}@{T}` (e.g. `asr@rare_value`). They become the rate-0 rows of
 * trigger T (the start of its ASR curve), unless a real rate-0 cell of T exists.
 */
function baselineRows(group: Group, all: readonly Group[], opts: ResolvedAggregateOptions): MutableRow[] {
  const byTrigger = new Map<string, Set<string>>();
  for (const run of group.runs) {
    for (const field of Object.keys(run.summary.metrics)) {
      const at = field.lastIndexOf('@');
      if (at <= 0 || at === field.length - 1) continue;
      const trigger = field.slice(at + 1);
      const fields = byTrigger.get(trigger) ?? new Set<string>();
      fields.add(field.slice(0, at));
      byTrigger.set(trigger, fields);
    }
  }
  const rows: MutableRow[] = [];
  for (const [trigger, fields] of [...byTrigger.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    if (all.some((g) => g.rate === 0 && g.datasetHash === group.datasetHash && g.model === group.model && g.trigger === trigger && g.mode === group.mode)) continue;
    const virtual: Group = { ...group, key: `${group.key}@${trigger}`, trigger };
    for (const field of [...fields].sort()) {
      const key = metricOfField(field);
      if (!key) continue;
      const values: Seeded[] = [];
      const reasons = new Set<string>();
      for (const run of group.runs) {
        const v = run.summary.metrics[`${field}@${trigger}`];
        if (typeof v === 'number') values.push({ seed: run.summary.seed, value: v });
        else reasons.add(run.summary.reasons[`${field}@${trigger}`] ?? 'missing');
      }
      const row = makeRow(virtual, key.metric, key.detector, values, group.runs.length - values.length, reasons, null, opts);
      row.note = [`from ${field}@${trigger} of the clean runs (trigger none)`, row.note].filter(Boolean).join(' | ');
      rows.push(row);
    }
  }
  return rows;
}

type MutableRow = { -readonly [K in keyof AggregatedRow]: AggregatedRow[K] };
/** The values behind a row, kept aside for the tests: both groups, and the pairs (same seed) for the paired test. */
interface Sample {
  readonly values: readonly number[];
  readonly clean: readonly number[] | null;
  readonly pairs: readonly (readonly [number, number])[];
}

/** A run's value with its seed. */
interface Seeded {
  readonly seed: number;
  readonly value: number;
}

function rowsOfGroup(group: Group, clean: CleanRuns | null, opts: ResolvedAggregateOptions, samples: Map<MutableRow, Sample>): MutableRow[] {
  const fields = new Map<string, { metric: string; detector: string }>();
  for (const run of group.runs) {
    for (const field of Object.keys(run.summary.metrics)) {
      if (field.includes('@')) continue;
      const key = metricOfField(field);
      if (key && !fields.has(field)) fields.set(field, key);
    }
  }
  const rows: MutableRow[] = [];
  const sortedFields = [...fields.entries()].sort((a, b) => a[1].metric.localeCompare(b[1].metric) || a[1].detector.localeCompare(b[1].detector));
  for (const [field, { metric, detector }] of sortedFields) {
    const values: Seeded[] = [];
    const reasons = new Set<string>();
    const pairs: [number, number][] = [];
    for (const run of group.runs) {
      const v = run.summary.metrics[field];
      if (typeof v === 'number') {
        values.push({ seed: run.summary.seed, value: v });
        const c = clean?.bySeed.get(run.summary.seed);
        const cv = c ? cleanValue(c, field, metric, group.trigger) : null;
        if (typeof cv === 'number') pairs.push([v, cv]);
      } else reasons.add(run.summary.reasons[field] ?? 'missing');
    }
    const cleanValues: number[] = [];
    if (clean) {
      for (const run of clean.bySeed.values()) {
        const v = cleanValue(run, field, metric, group.trigger);
        if (typeof v === 'number') cleanValues.push(v);
      }
    }
    const row = makeRow(group, metric, detector, values, group.runs.length - values.length, reasons, clean ? cleanValues : null, opts);
    samples.set(row, { values: values.map((v) => v.value), clean: clean ? cleanValues : null, pairs });
    rows.push(row);
  }
  if (clean) {
    for (const delta of DELTA_METRICS) {
      const values: Seeded[] = [];
      const reasons = new Set<string>();
      for (const run of group.runs) {
        const c = clean.bySeed.get(run.summary.seed);
        const v = run.summary.metrics[delta.of];
        // Trigger-dependent metrics (ASR, flip rate) of a `none` clean run come from its `{metric}@{trigger}` fields.
        const cv = c ? cleanValue(c, delta.of, delta.of, group.trigger) : null;
        if (!c) reasons.add(`no clean run for seed ${run.summary.seed}`);
        else if (typeof v !== 'number' || typeof cv !== 'number') reasons.add(`${delta.of} missing in ${typeof v !== 'number' ? run.dir : c.dir}`);
        else values.push({ seed: run.summary.seed, value: delta.sign * (v - cv) });
      }
      if (values.length === 0 && group.runs.every((r) => !(delta.of in r.summary.metrics))) continue;
      rows.push(makeRow(group, delta.metric, '', values, group.runs.length - values.length, reasons, null, opts));
    }
  }
  return rows;
}

function makeRow(
  group: Group,
  metric: string,
  detector: string,
  seeded: readonly Seeded[],
  nMissing: number,
  reasons: Set<string>,
  cleanValues: number[] | null,
  opts: ResolvedAggregateOptions,
): MutableRow {
  const stream = [group.datasetHash, group.model, group.trigger, group.mode, formatRate(group.rate), metric, detector].join('/');
  const values = seeded.map((s) => s.value);
  const range = metricRange(metric);
  // `auto` and `logit-t` give bounded metrics a logit-scale interval; a metric without a range gets a t interval.
  const interval: IntervalMethod = opts.interval === 'bootstrap' ? 'bootstrap' : opts.interval === 't' || !range ? 't' : 'logit-t';
  const d = describeSample(values, { level: opts.level, interval, ...(range ? { range } : {}), bootstrap: { seed: opts.seed, samples: opts.bootstrapSamples, stream } });
  const notes: string[] = [];
  if (nMissing > 0) notes.push(`${nMissing} run(s) without a value: ${[...reasons].join('; ')}`);
  if (d.ci.reason) notes.push(`interval: ${d.ci.reason}`);
  const cleanMean = cleanValues ? mean(cleanValues) : NaN;
  return {
    dataset_hash: group.datasetHash,
    model: group.model,
    trigger: group.trigger,
    mode: group.mode,
    poison_rate: group.rate,
    detector,
    metric,
    n: d.n,
    n_missing: nMissing,
    mean: d.mean,
    std: d.std,
    ci_low: d.ci.low,
    ci_high: d.ci.high,
    ci_method: d.ci.method,
    per_seed: seeded.map((s) => `${s.seed}:${s.value}`).join(' '),
    clean_n: cleanValues ? cleanValues.length : 0,
    clean_mean: cleanMean,
    delta_mean: d.mean - cleanMean,
    p_value: NaN,
    p_holm: NaN,
    significant: false,
    note: notes.join(' | '),
  };
}

function runTests(rows: MutableRow[], samples: Map<MutableRow, Sample>, opts: ResolvedAggregateOptions): TestRecord[] {
  const tested = rows.filter((r) => r.poison_rate > 0 && r.detector === '' && opts.testMetrics.includes(r.metric) && samples.has(r));
  const results = tested.map((r) => {
    const sample = samples.get(r)!;
    const paired = pairedTests(
      sample.pairs.map((p) => p[0]),
      sample.pairs.map((p) => p[1]),
      opts.seed,
    );
    return { paired, welch: welchTest(sample.values, sample.clean ?? []) };
  });
  const adjusted = holmAdjust(results.map(({ paired }) => (paired.computable ? paired.p : NaN)));
  const adjustedPermutation = holmAdjust(results.map(({ paired }) => paired.pPermutation));
  const records: TestRecord[] = tested.map((r, i) => {
    const { paired, welch: t } = results[i];
    const significant = paired.computable && adjusted[i] < opts.alpha;
    const note = paired.computable
      ? ''
      : t.nB === 0
        ? `not computable: the matching clean runs have no ${r.metric}${isTriggerDependent(r.metric) ? ` for trigger ${r.trigger} (a clean run can supply it as ${r.metric}@${r.trigger})` : ''} (n = ${t.nA} vs 0)`
        : (paired.reason ?? 'not computable');
    r.p_value = paired.p;
    r.p_holm = adjusted[i];
    r.significant = significant;
    if (note) r.note = r.note ? `${r.note} | test ${note}` : `test ${note}`;
    return {
      dataset_hash: r.dataset_hash,
      model: r.model,
      trigger: r.trigger,
      mode: r.mode,
      poison_rate: r.poison_rate,
      metric: r.metric,
      n_poisoned: t.nA,
      n_clean: t.nB,
      mean_poisoned: t.meanA,
      mean_clean: t.meanB,
      difference: t.difference,
      test: 'paired-t',
      n_pairs: paired.nPairs,
      mean_difference: paired.meanDifference,
      t: paired.t,
      df: paired.df,
      p: paired.p,
      p_holm: adjusted[i],
      p_permutation: paired.pPermutation,
      p_permutation_holm: adjustedPermutation[i],
      p_permutation_min: paired.pPermutationMin,
      welch_t: t.t,
      welch_df: t.df,
      welch_p: t.p,
      computable: paired.computable,
      significant,
      note,
    };
  });
  return records;
}

function runsPer(collection: RunCollection, key: (summary: RunSummary) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of collection.runs) counts.set(key(run.summary), (counts.get(key(run.summary)) ?? 0) + 1);
  return counts;
}
