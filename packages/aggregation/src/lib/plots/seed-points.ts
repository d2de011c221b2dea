import type { CollectedRun } from '../collect/collect-runs.js';
import type { AggregatedRow, GroupInfo } from '../aggregate/aggregate.js';
import { DELTA_METRICS } from '../aggregate/metrics.js';
import { triggerLabel, type PlotInput } from './base.js';
import type { SeedPoint } from './seed-point.js';

function fieldOf(metric: string, detector: string): string {
  return detector === '' ? metric : metric.replace(/^(detect|defence)_/, (prefix) => `${prefix}${detector}_`);
}

function sameGroup(
  g: GroupInfo,
  r: Pick<AggregatedRow, 'dataset_hash' | 'model' | 'trigger' | 'mode' | 'poison_rate'>,
  trigger = r.trigger,
): boolean {
  return (
    g.dataset_hash === r.dataset_hash &&
    g.model === r.model &&
    g.trigger === trigger &&
    g.mode === r.mode &&
    g.poison_rate === r.poison_rate
  );
}

/** Per-seed values of `metric` for the rows {@link pointsOf} would plot with the same filter. */
export function seedPointsOf(input: PlotInput, metric: string, filter: (row: AggregatedRow) => boolean = () => true): SeedPoint[] {
  const agg = input.aggregation;
  const byDir = new Map((input.runs ?? []).map((r) => [r.dir, r]));
  const runsOf = (dirs: readonly string[]) => dirs.map((d) => byDir.get(d)).filter((r): r is CollectedRun => r !== undefined);
  const delta = DELTA_METRICS.find((d) => d.metric === metric);
  const out: SeedPoint[] = [];
  for (const row of agg.rows) {
    if (
      row.dataset_hash !== agg.primaryDataset ||
      row.metric !== metric ||
      row.trigger === 'none' ||
      !Number.isFinite(row.mean) ||
      !filter(row)
    )
      continue;
    const field = fieldOf(metric, row.detector);
    const push = (run: CollectedRun, value: number | null | undefined) => {
      if (typeof value === 'number' && Number.isFinite(value))
        out.push({
          model: row.model,
          trigger: triggerLabel(row),
          poison_rate: row.poison_rate,
          detector: row.detector,
          seed: run.summary.seed,
          value,
          run: run.dir,
        });
    };
    const group = agg.groups.find((g) => sameGroup(g, row));
    if (!group) {
      // A trigger's rate-0 row made from the clean `none` runs' `{field}@{trigger}` fields.
      const clean = agg.groups.find((g) => sameGroup(g, row, 'none'));
      for (const run of runsOf(clean?.runs ?? [])) push(run, run.summary.metrics[`${field}@${row.trigger}`]);
      continue;
    }
    if (delta) {
      const cleanBySeed = new Map(runsOf(group.clean?.runs ?? []).map((r) => [r.summary.seed, r]));
      for (const run of runsOf(group.runs)) {
        const clean = cleanBySeed.get(run.summary.seed);
        const a = run.summary.metrics[delta.of];
        const b = clean?.summary.metrics[delta.of];
        if (typeof a === 'number' && typeof b === 'number') push(run, delta.sign === -1 ? b - a : a - b);
      }
      continue;
    }
    for (const run of runsOf(group.runs)) push(run, run.summary.metrics[field]);
  }
  return out;
}

/** Per-seed pairs of a metric: each poisoned run's value and its clean run's (same model and seed). */
export function pairedSeedPointsOf(
  input: PlotInput,
  metric: string,
  filter: (row: AggregatedRow) => boolean = () => true,
): (SeedPoint & { readonly clean_value: number })[] {
  const byDir = new Map((input.runs ?? []).map((r) => [r.dir, r]));
  const out: (SeedPoint & { clean_value: number })[] = [];
  for (const p of seedPointsOf(input, metric, (r) => r.poison_rate > 0 && filter(r))) {
    const group = input.aggregation.groups.find((g) => g.runs.includes(p.run));
    const clean = (group?.clean?.runs ?? []).map((d) => byDir.get(d)).find((r) => r?.summary.seed === p.seed);
    const v = clean?.summary.metrics[metric];
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ ...p, clean_value: v });
  }
  return out;
}
