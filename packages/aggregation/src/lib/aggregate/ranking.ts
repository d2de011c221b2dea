import type { CollectedRun } from '../collect/collect-runs.js';
import { formatRate } from '../collect/summary.js';
import { mean, tInterval } from '../stats/describe.js';
import type { AggregatedRow } from './types.js';

/**
 * Models ranked by robustness to the attacks in the sweep.
 *
 * Vulnerability V(model) is the equal-weight mean, over the common attack grid, of the cell's mean
 * ASR across seeds; robustness = 1 − V. The common grid is every (trigger, mode, poison rate > 0)
 * cell in which every ranked model has at least one finite ASR, so all models are scored on the same
 * attacks; each rate weighs the same, which keeps the cheap low-rate attacks as important as the
 * expensive ones (a linear-rate area would be dominated by the largest rates). The interval is a
 * t interval over seeds of the per-seed V, using only seeds that have an ASR in every common cell.
 * Ties in V are broken by the mean clean-AUROC drop (lower first), then the clean AUROC (higher first).
 */
export const RANKING_DEFINITION =
  'robustness = 1 − V, where V is the mean over the common attack grid (every trigger × mode × poison rate > 0 cell in which every model has an ASR) of the cell mean ASR across seeds; lower V ranks first; ties broken by mean clean-AUROC drop (lower first), then clean AUROC (higher first).';

/**
 * The definition when every ranked run has a lift: the ASR minus the clean model's ASR for the same trigger
 * and seed, so a model is not ranked as vulnerable for calling triggered stays the target without a backdoor.
 */
export const RANKING_DEFINITION_LIFT =
  "robustness = 1 − V, where V is the mean over the common attack grid (every trigger × mode × poison rate > 0 cell in which every model has an ASR) of the cell mean ASR lift across seeds (ASR − the clean model's ASR for the same trigger and seed, each at its operating threshold); lower V ranks first; ties broken by mean clean-AUROC drop (lower first), then clean AUROC (higher first).";

/** One model's place in the robustness ranking, with its interval over seeds and its worst attack cell. */
export interface RankingEntry {
  readonly rank: number;
  readonly model: string;
  readonly vulnerability: number;
  readonly robustness: number;
  /** t interval of robustness over the seeds complete on the common grid. */
  readonly robustness_ci_low: number;
  readonly robustness_ci_high: number;
  readonly n_seeds: number;
  readonly cells: number;
  readonly worst_cell: string;
  readonly worst_cell_asr: number;
  readonly mean_auroc_drop: number;
  readonly clean_auroc: number;
}

/**
 * The robustness ranking: its definition (recorded with it), the common attack grid, and one entry per model.
 */
export interface ModelRanking {
  readonly definition: string;
  /** What V averages: the ASR lift when every ranked run has one, else the ASR (`worst_cell_asr` is of it too). */
  readonly measure: 'asr_lift' | 'asr';
  readonly grid: readonly { readonly trigger: string; readonly mode: string; readonly poison_rate: number }[];
  readonly entries: readonly RankingEntry[];
  /** Why there is no ranking, when there is none. */
  readonly note?: string;
}

/** The runs of one model × trigger × mode × rate cell, as {@link rankModels} reads them. */
export interface RankingGroup {
  readonly model: string;
  readonly trigger: string;
  readonly mode: string;
  readonly rate: number;
  readonly runs: readonly CollectedRun[];
}

type SeedAsr = { seed: number; asr: number };
type AsrOf = (g: RankingGroup) => SeedAsr[];
type Cell = { trigger: string; mode: string; rate: number; byModel: Map<string, RankingGroup> };
type Unranked = Omit<RankingEntry, 'rank'>;

/**
 * Ranks models by robustness as defined above ({@link RANKING_DEFINITION}); `note` says why when no ranking is possible.
 */
export function rankModels(
  runs: readonly CollectedRun[],
  groups: readonly RankingGroup[],
  rows: readonly AggregatedRow[],
  liftOf?: (run: CollectedRun) => number | null,
): ModelRanking {
  const poisoned = groups.filter((g) => g.rate > 0 && g.trigger !== 'none');
  const models = [...new Set(poisoned.map((g) => g.model))].sort();
  const { measure, definition, asrOf } = chooseMeasure(poisoned, liftOf);
  const common = commonGrid(poisoned, models, asrOf);
  const grid = common.map(([, c]) => ({ trigger: c.trigger, mode: c.mode, poison_rate: c.rate }));
  if (models.length === 0) return { definition, measure, grid, entries: [], note: 'no poisoned runs with an ASR: nothing to rank' };
  if (common.length === 0)
    return {
      definition,
      measure,
      grid,
      entries: [],
      note: 'no (trigger, rate) cell has an ASR for every model: the models were not attacked on a common grid',
    };
  const entries = models.map((model) => scoreModel(model, common, asrOf, runs, rows));
  return { definition, measure, grid, entries: orderEntries(entries).map((e, i) => ({ rank: i + 1, ...e })) };
}

function chooseMeasure(
  poisoned: readonly RankingGroup[],
  liftOf: ((run: CollectedRun) => number | null) | undefined,
): { measure: ModelRanking['measure']; definition: string; asrOf: AsrOf } {
  // Rank on the lift only when every poisoned run with an ASR has one: a mix would compare unlike figures.
  const withAsr = poisoned.flatMap((g) => g.runs.filter((r) => typeof r.summary.metrics.asr === 'number'));
  const useLift = liftOf !== undefined && withAsr.length > 0 && withAsr.every((r) => liftOf(r) !== null);
  const measure = useLift ? 'asr_lift' : 'asr';
  const definition = useLift ? RANKING_DEFINITION_LIFT : RANKING_DEFINITION;
  const valueOf = (r: CollectedRun) => (useLift ? liftOf!(r) : r.summary.metrics.asr);
  const asrOf = (g: RankingGroup) =>
    g.runs.map((r) => ({ seed: r.summary.seed, asr: valueOf(r) })).filter((x): x is SeedAsr => typeof x.asr === 'number');
  return { measure, definition, asrOf };
}

/** The cells with an ASR for every model, by trigger then rate. */
function commonGrid(poisoned: readonly RankingGroup[], models: readonly string[], asrOf: AsrOf): [string, Cell][] {
  const cellKey = (g: { trigger: string; mode: string; rate: number }) =>
    `${g.trigger}/${formatRate(g.rate)}${g.mode === 'dirty-label' ? '' : ` (${g.mode})`}`;
  const cells = new Map<string, Cell>();
  for (const g of poisoned) {
    if (asrOf(g).length === 0) continue;
    const key = cellKey(g);
    const cell = cells.get(key) ?? { trigger: g.trigger, mode: g.mode, rate: g.rate, byModel: new Map() };
    cell.byModel.set(g.model, g);
    cells.set(key, cell);
  }
  return [...cells.entries()]
    .filter(([, c]) => models.every((m) => c.byModel.has(m)))
    .sort((a, b) => a[1].trigger.localeCompare(b[1].trigger) || a[1].rate - b[1].rate);
}

function scoreModel(
  model: string,
  common: readonly [string, Cell][],
  asrOf: AsrOf,
  runs: readonly CollectedRun[],
  rows: readonly AggregatedRow[],
): Unranked {
  const cellMeans = common.map(([key, c]) => ({ key, asr: mean(asrOf(c.byModel.get(model)!).map((x) => x.asr)) }));
  const vulnerability = mean(cellMeans.map((c) => c.asr));
  const worst = cellMeans.reduce((a, b) => (b.asr > a.asr ? b : a));
  const perSeed = new Map<number, number[]>();
  for (const [, c] of common)
    for (const { seed, asr } of asrOf(c.byModel.get(model)!)) perSeed.set(seed, [...(perSeed.get(seed) ?? []), asr]);
  const complete = [...perSeed.values()].filter((v) => v.length === common.length).map((v) => 1 - mean(v));
  const ci = tInterval(complete);
  return {
    model,
    vulnerability,
    robustness: 1 - vulnerability,
    robustness_ci_low: ci.low,
    robustness_ci_high: ci.high,
    n_seeds: complete.length,
    cells: common.length,
    worst_cell: worst.key,
    worst_cell_asr: worst.asr,
    mean_auroc_drop: mean(aurocDrops(model, common, rows)),
    clean_auroc: mean(cleanAurocs(model, runs)),
  };
}

function aurocDrops(model: string, common: readonly [string, Cell][], rows: readonly AggregatedRow[]): number[] {
  return common
    .map(([, c]) =>
      rows.find(
        (r) =>
          r.model === model &&
          r.trigger === c.trigger &&
          r.mode === c.mode &&
          r.poison_rate === c.rate &&
          r.metric === 'auroc_drop_vs_clean' &&
          r.detector === '',
      ),
    )
    .map((r) => r?.mean ?? NaN)
    .filter(Number.isFinite);
}

function cleanAurocs(model: string, runs: readonly CollectedRun[]): number[] {
  return runs
    .filter((r) => r.summary.model === model && r.summary.poisonRate === 0)
    .map((r) => r.summary.metrics.auroc)
    .filter((v): v is number => typeof v === 'number');
}

/** Lower V first; NaN tie-breakers go last; the model name settles the rest. */
function orderEntries(entries: Unranked[]): Unranked[] {
  const nanLast = (x: number) => (Number.isNaN(x) ? Infinity : x);
  return entries.sort(
    (a, b) =>
      a.vulnerability - b.vulnerability ||
      nanLast(a.mean_auroc_drop) - nanLast(b.mean_auroc_drop) ||
      nanLast(-a.clean_auroc) - nanLast(-b.clean_auroc) ||
      a.model.localeCompare(b.model),
  );
}
