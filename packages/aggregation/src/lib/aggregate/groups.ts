import type { CollectedRun, RunCollection } from '../collect/collect-runs.js';
import { formatRate } from '../collect/summary.js';
import { isTriggerDependent } from './metrics.js';
import type { CleanSource } from './types.js';

/** The runs of one dataset × model × trigger × mode × rate, by seed. */
export interface Group {
  readonly key: string;
  readonly datasetHash: string;
  readonly model: string;
  readonly trigger: string;
  readonly mode: string;
  readonly rate: number;
  readonly runs: CollectedRun[];
}

const keyOf = (datasetHash: string, model: string, trigger: string, mode: string, rate: number) =>
  [datasetHash, model, trigger, mode, formatRate(rate)].join('\u0000');

/** The runs grouped, groups in (dataset, model, trigger, mode, rate) order and each group's runs by seed. */
export function groupRuns(collection: RunCollection): Group[] {
  const groups = new Map<string, Group>();
  for (const run of collection.runs) {
    const s = run.summary;
    const key = keyOf(s.datasetHash, s.model, s.trigger, s.mode, s.poisonRate);
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        datasetHash: s.datasetHash,
        model: s.model,
        trigger: s.trigger,
        mode: s.mode,
        rate: Number(formatRate(s.poisonRate)),
        runs: [],
      };
      groups.set(key, group);
    }
    group.runs.push(run);
  }
  const ordered = [...groups.values()].sort(
    (a, b) =>
      a.datasetHash.localeCompare(b.datasetHash) ||
      a.model.localeCompare(b.model) ||
      a.trigger.localeCompare(b.trigger) ||
      a.mode.localeCompare(b.mode) ||
      a.rate - b.rate,
  );
  for (const g of ordered) g.runs.sort((a, b) => a.summary.seed - b.summary.seed);
  return ordered;
}

export interface CleanRuns {
  readonly source: CleanSource;
  readonly bySeed: Map<number, CollectedRun>;
}

/**
 * The clean baseline of a poisoned group: rate-0 runs of the same model on the same dataset, one per
 * seed, preferring (1) the same trigger and mode, (2) the same trigger, (3) trigger `none` (the
 * runner's clean cells), (4) any other trigger. Trigger-dependent metrics are only taken from (1)–(2)
 * or from `{metric}@{trigger}` baseline fields of the clean run.
 */
export function cleanRunsFor(group: Group, all: readonly Group[]): CleanRuns {
  const candidates = all.filter((g) => g.rate === 0 && g.datasetHash === group.datasetHash && g.model === group.model);
  const priority = (g: Group) => (g.trigger === group.trigger ? (g.mode === group.mode ? 0 : 1) : g.trigger === 'none' ? 2 : 3);
  candidates.sort((a, b) => priority(a) - priority(b) || a.trigger.localeCompare(b.trigger) || a.mode.localeCompare(b.mode));
  const bySeed = new Map<number, CollectedRun>();
  for (const g of candidates) for (const run of g.runs) if (!bySeed.has(run.summary.seed)) bySeed.set(run.summary.seed, run);
  if (candidates.length === 0) return { source: 'missing', bySeed };
  const p = priority(candidates[0]);
  return { source: p <= 1 ? 'same-trigger' : p === 2 ? 'none-trigger' : 'other-trigger', bySeed };
}

/** A clean run's value of `field` for `trigger`: its own, or its `{field}@{trigger}` one for a trigger-dependent metric of another trigger. */
export function cleanValue(clean: CollectedRun, field: string, metric: string, trigger: string): number | null {
  if (!isTriggerDependent(metric) || clean.summary.trigger === trigger) return clean.summary.metrics[field] ?? null;
  return clean.summary.metrics[`${field}@${trigger}`] ?? null;
}
