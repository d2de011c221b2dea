import type { CollectedRun } from '../collect/collect-runs.js';
import { formatRate } from '../collect/summary.js';
import { describeSample, mean, type IntervalMethod } from '../stats/describe.js';
import type { ResolvedAggregateOptions } from './aggregate-options.js';
import { cleanValue, type CleanRuns, type Group } from './groups.js';
import { DELTA_METRICS, metricOfField, metricRange } from './metrics.js';
import type { AggregatedRow } from './types.js';

export type MutableRow = { -readonly [K in keyof AggregatedRow]: AggregatedRow[K] };

/** The values behind a row, kept aside for the tests: both groups, and the pairs (same seed) for the paired test. */
export interface Sample {
  readonly values: readonly number[];
  readonly clean: readonly number[] | null;
  readonly pairs: readonly (readonly [number, number])[];
}

/** A run's value with its seed. */
interface Seeded {
  readonly seed: number;
  readonly value: number;
}

/** Each run's value, in the runs' order, and why the others have none (each reason once, in order of appearance). */
interface SeededValues {
  readonly values: readonly Seeded[];
  readonly reasons: ReadonlySet<string>;
}

type Outcome = { readonly value: number } | { readonly missing: string };

function seededValues(runs: readonly CollectedRun[], outcomeOf: (run: CollectedRun) => Outcome): SeededValues {
  const values: Seeded[] = [];
  const reasons = new Set<string>();
  for (const run of runs) {
    const outcome = outcomeOf(run);
    if ('value' in outcome) values.push({ seed: run.summary.seed, value: outcome.value });
    else reasons.add(outcome.missing);
  }
  return { values, reasons };
}

/** A summary field of a run, or the reason the run recorded for its absence. */
const fieldOf =
  (field: string) =>
  (run: CollectedRun): Outcome => {
    const v = run.summary.metrics[field];
    return typeof v === 'number' ? { value: v } : { missing: run.summary.reasons[field] ?? 'missing' };
  };

/** The rows of one group: every metric field of its runs, then (against the clean runs) the deltas. */
export function rowsOfGroup(
  group: Group,
  clean: CleanRuns | null,
  opts: ResolvedAggregateOptions,
  samples: Map<MutableRow, Sample>,
): MutableRow[] {
  const fields = new Map<string, { metric: string; detector: string }>();
  for (const run of group.runs) {
    for (const field of Object.keys(run.summary.metrics)) {
      if (field.includes('@')) continue;
      const key = metricOfField(field);
      if (key && !fields.has(field)) fields.set(field, key);
    }
  }
  const rows: MutableRow[] = [];
  const sortedFields = [...fields.entries()].sort(
    (a, b) => a[1].metric.localeCompare(b[1].metric) || a[1].detector.localeCompare(b[1].detector),
  );
  for (const [field, { metric, detector }] of sortedFields) {
    const seeded = seededValues(group.runs, fieldOf(field));
    const pairs: [number, number][] = [];
    for (const run of group.runs) {
      const v = run.summary.metrics[field];
      const c = clean?.bySeed.get(run.summary.seed);
      const cv = c ? cleanValue(c, field, metric, group.trigger) : null;
      if (typeof v === 'number' && typeof cv === 'number') pairs.push([v, cv]);
    }
    const cleanValues: number[] = [];
    if (clean) {
      for (const run of clean.bySeed.values()) {
        const v = cleanValue(run, field, metric, group.trigger);
        if (typeof v === 'number') cleanValues.push(v);
      }
    }
    const row = makeRow(group, metric, detector, seeded, clean ? cleanValues : null, opts);
    samples.set(row, { values: seeded.values.map((v) => v.value), clean: clean ? cleanValues : null, pairs });
    rows.push(row);
  }
  if (clean) rows.push(...deltaRows(group, clean, opts));
  return rows;
}

/** The paired differences poisoned − clean (signed so that larger is worse) of the DELTA_METRICS, by seed. */
function deltaRows(group: Group, clean: CleanRuns, opts: ResolvedAggregateOptions): MutableRow[] {
  const rows: MutableRow[] = [];
  for (const delta of DELTA_METRICS) {
    const seeded = seededValues(group.runs, (run): Outcome => {
      const c = clean.bySeed.get(run.summary.seed);
      const v = run.summary.metrics[delta.of];
      // Trigger-dependent metrics (ASR, flip rate) of a `none` clean run come from its `{metric}@{trigger}` fields.
      const cv = c ? cleanValue(c, delta.of, delta.of, group.trigger) : null;
      if (!c) return { missing: `no clean run for seed ${run.summary.seed}` };
      if (typeof v !== 'number' || typeof cv !== 'number')
        return { missing: `${delta.of} missing in ${typeof v !== 'number' ? run.dir : c.dir}` };
      return { value: delta.sign * (v - cv) };
    });
    if (seeded.values.length === 0 && group.runs.every((r) => !(delta.of in r.summary.metrics))) continue;
    rows.push(makeRow(group, delta.metric, '', seeded, null, opts));
  }
  return rows;
}

/**
 * The runner's clean cells use trigger `none`; a clean run evaluated with trigger T may carry its
 * trigger-dependent metrics as `{metric}@{T}` (e.g. `asr@rare_value`). They become the rate-0 rows of
 * trigger T (the start of its ASR curve), unless a real rate-0 cell of T exists.
 */
export function baselineRows(group: Group, all: readonly Group[], opts: ResolvedAggregateOptions): MutableRow[] {
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
    if (
      all.some(
        (g) =>
          g.rate === 0 && g.datasetHash === group.datasetHash && g.model === group.model && g.trigger === trigger && g.mode === group.mode,
      )
    )
      continue;
    const virtual: Group = { ...group, key: `${group.key}@${trigger}`, trigger };
    for (const field of [...fields].sort()) {
      const key = metricOfField(field);
      if (!key) continue;
      const row = makeRow(virtual, key.metric, key.detector, seededValues(group.runs, fieldOf(`${field}@${trigger}`)), null, opts);
      row.note = [`from ${field}@${trigger} of the clean runs (trigger none)`, row.note].filter(Boolean).join(' | ');
      rows.push(row);
    }
  }
  return rows;
}

function makeRow(
  group: Group,
  metric: string,
  detector: string,
  seeded: SeededValues,
  cleanValues: number[] | null,
  opts: ResolvedAggregateOptions,
): MutableRow {
  const stream = [group.datasetHash, group.model, group.trigger, group.mode, formatRate(group.rate), metric, detector].join('/');
  const values = seeded.values.map((s) => s.value);
  const nMissing = group.runs.length - values.length;
  const range = metricRange(metric);
  // `auto` and `logit-t` give bounded metrics a logit-scale interval; a metric without a range gets a t interval.
  const interval: IntervalMethod = opts.interval === 'bootstrap' ? 'bootstrap' : opts.interval === 't' || !range ? 't' : 'logit-t';
  const d = describeSample(values, {
    level: opts.level,
    interval,
    ...(range ? { range } : {}),
    bootstrap: { seed: opts.seed, samples: opts.bootstrapSamples, stream },
  });
  const notes: string[] = [];
  if (nMissing > 0) notes.push(`${nMissing} run(s) without a value: ${[...seeded.reasons].join('; ')}`);
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
    per_seed: seeded.values.map((s) => `${s.seed}:${s.value}`).join(' '),
    clean_n: cleanValues ? cleanValues.length : 0,
    clean_mean: cleanMean,
    delta_mean: d.mean - cleanMean,
    p_value: NaN,
    p_holm: NaN,
    significant: false,
    note: notes.join(' | '),
  };
}
