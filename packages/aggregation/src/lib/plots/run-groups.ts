import type { CollectedRun } from '../collect/collect-runs.js';
import type { RunArtifacts } from '../artifacts/run-artifacts.js';
import { triggerLabel, type PlotInput } from './base.js';

/**
 * The runs behind each curve of the per-run plots (ROC, precision–recall, reliability, training): for
 * every model × trigger of the primary dataset, one group per poison rate, and its clean baseline (the
 * rate-0 runs the aggregation matched to it) as rate 0. The runner's `none` cells appear only as baselines.
 */
export interface RunGroup {
  readonly model: string;
  /** The trigger, with its mode when it is not dirty-label. */
  readonly trigger: string;
  readonly poison_rate: number;
  readonly runs: readonly CollectedRun[];
}

export function runGroups(input: PlotInput): RunGroup[] {
  const byDir = new Map((input.runs ?? []).map((r) => [r.dir, r]));
  const pick = (dirs: readonly string[]) => dirs.map((d) => byDir.get(d)).filter((r): r is CollectedRun => r !== undefined);
  const out: RunGroup[] = [];
  const cleanSeen = new Set<string>();
  for (const g of input.aggregation.groups) {
    if (g.dataset_hash !== input.aggregation.primaryDataset || g.poison_rate === 0 || g.trigger === 'none') continue;
    const trigger = triggerLabel(g);
    const cleanKey = `${g.model}\u0000${trigger}`;
    if (g.clean && g.clean.runs.length > 0 && !cleanSeen.has(cleanKey)) {
      cleanSeen.add(cleanKey);
      out.push({ model: g.model, trigger, poison_rate: 0, runs: pick(g.clean.runs) });
    }
    out.push({ model: g.model, trigger, poison_rate: g.poison_rate, runs: pick(g.runs) });
  }
  return out.sort((a, b) => a.model.localeCompare(b.model) || a.trigger.localeCompare(b.trigger) || a.poison_rate - b.poison_rate);
}

/** The artifacts of a group's runs that have `key`, with the run. */
export function withArtifact<K extends keyof RunArtifacts>(
  input: PlotInput,
  runs: readonly CollectedRun[],
  key: K,
): { run: CollectedRun; value: NonNullable<RunArtifacts[K]> }[] {
  const out: { run: CollectedRun; value: NonNullable<RunArtifacts[K]> }[] = [];
  for (const run of runs) {
    const value = input.artifacts?.get(run.dir)?.[key];
    if (value !== undefined) out.push({ run, value: value as NonNullable<RunArtifacts[K]> });
  }
  return out;
}

/** Legend label of a poison rate: 0 is the clean model. */
export function rateLabel(rate: number): string {
  return rate === 0 ? 'clean' : `${Number((rate * 100).toFixed(3))} %`;
}

/**
 * Colour of each rate label, clean first in near-black, then light to dark with the rate, so the eye
 * reads "more poison" as "darker" in every panel.
 */
export function rateColour(rates: readonly number[]) {
  const sorted = [...new Set(rates)].sort((a, b) => a - b);
  const ramp = ['#fdae61', '#f46d43', '#d73027', '#a50026', '#67001f', '#3d0012'];
  const poisoned = sorted.filter((r) => r > 0);
  const range = sorted.map((r) =>
    r === 0
      ? '#2b2b2b'
      : ramp[Math.min(ramp.length - 1, Math.round((poisoned.indexOf(r) * (ramp.length - 1)) / Math.max(1, poisoned.length - 1)))],
  );
  return {
    field: 'rate',
    type: 'nominal' as const,
    title: 'poison rate',
    sort: sorted.map(rateLabel),
    scale: { domain: sorted.map(rateLabel), range },
  };
}

/** Rounds for the inline data: four decimals are more than a plot resolves and keep report.html small. */
export const r4 = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : null);
