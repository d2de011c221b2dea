import type { TopLevelSpec } from 'vega-lite';
import type { AggregatedRow, Aggregation } from '../aggregate/aggregate.js';
import type { RunArtifacts } from '../artifacts/run-artifacts.js';
import type { CollectedRun } from '../collect/collect-runs.js';
import type { DatasetInfo } from '../collect/datasets.js';
import type { SeedPoint } from './seed-point.js';
import type { VariantLabels } from '../collect/study.js';

/**
 * What every plot builder shares: its input, its result, the font and the look. A builder is a pure
 * function from the aggregation to a Vega-Lite `TopLevelSpec` with its data inline, or a reason why
 * the plot cannot be drawn from these runs (no detector ran, no dataset manifest, ...).
 */
export const FONT_FAMILY = 'DejaVu Sans';

/** What a plot builder draws from: the aggregation and the primary dataset. */
export interface PlotInput {
  readonly aggregation: Aggregation;
  /** What the study's variant names stand for (from study.resolved.json), when the runs come from a study file. */
  readonly labels?: VariantLabels;
  /** The dataset the plots show (the primary one), with its manifest when it was found. */
  readonly dataset?: DatasetInfo;
  /** The aggregated runs, for per-seed points (summaries only). */
  readonly runs?: readonly CollectedRun[];
  /** What the run directories hold beyond summaries (predictions, training history), keyed by run directory. */
  readonly artifacts?: ReadonlyMap<string, RunArtifacts>;
}

/** A Vega-Lite spec with its data inline, or why the plot cannot be drawn from these runs. */
export type PlotResult = { readonly spec: TopLevelSpec } | { readonly skipped: string };

/** One plot of the report: its file name, title, description and builder. */
export interface PlotDefinition {
  /** File name stem: NAME.vl.json, NAME.svg, NAME.png. */
  readonly name: string;
  readonly title: string;
  /** One or two sentences for the report: what the chart shows and how to read it. */
  readonly description: string;
  /** The report section it belongs to (its table of contents groups plots by section); default 'Attack'. */
  readonly section?: PlotSection;
  /** Pure: the same input gives the same spec. */
  readonly build: (input: PlotInput) => PlotResult;
}

/** The report's sections, in order: what a reader looks at first to last. */
export const PLOT_SECTIONS = [
  'Attack',
  'Clean performance and calibration',
  'Training',
  'Explanations',
  'Detection and defence',
  'Data',
] as const;
/** One of {@link PLOT_SECTIONS}: where a plot appears in the report and its table of contents. */
export type PlotSection = (typeof PLOT_SECTIONS)[number];

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The Vega-Lite `config` every plot shares: the shipped font, white background, sizes and grid colour. */
export const BASE_CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#ececec' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const, offset: 12 },
};

/** A tidy point of a metric: one group's mean and interval, for plotting. */
export interface PlotPoint {
  readonly model: string;
  /** The trigger, with its poisoning mode when it is not the default dirty-label. */
  readonly trigger: string;
  readonly poison_rate: number;
  readonly detector: string;
  readonly mean: number | null;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly n: number;
  readonly clean_mean: number | null;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function triggerLabel(row: Pick<AggregatedRow, 'trigger' | 'mode'>, labels?: VariantLabels): string {
  const name = labels?.attacks[row.trigger] ?? row.trigger;
  return row.mode === 'dirty-label' ? name : `${name} (${row.mode})`;
}

/** The model variant's label (its name, or `name (kind)` for a variant of a study). */
export function modelLabel(model: string, labels?: VariantLabels): string {
  return labels?.models[model] ?? model;
}

/** Rows of the primary dataset for one metric, as plot points; the runner's clean `none` cells are left to the baselines. */
export function pointsOf(input: PlotInput, metric: string, filter: (row: AggregatedRow) => boolean = () => true): PlotPoint[] {
  return input.aggregation.rows
    .filter(
      (r) =>
        r.dataset_hash === input.aggregation.primaryDataset &&
        r.metric === metric &&
        r.trigger !== 'none' &&
        Number.isFinite(r.mean) &&
        filter(r),
    )
    .map((r) => ({
      model: modelLabel(r.model, input.labels),
      trigger: triggerLabel(r, input.labels),
      poison_rate: r.poison_rate,
      detector: r.detector,
      mean: finite(r.mean),
      ci_low: finite(r.ci_low),
      ci_high: finite(r.ci_high),
      n: r.n,
      clean_mean: finite(r.clean_mean),
    }));
}

/** The poison rates present, for explicit axis ticks (a symlog axis would otherwise label odd values). */
export function ratesOf(points: readonly { poison_rate: number }[]): number[] {
  return [...new Set(points.map((p) => p.poison_rate))].sort((a, b) => a - b);
}

export function rateAxis(rates: readonly number[]) {
  return {
    field: 'poison_rate',
    type: 'quantitative' as const,
    title: 'poison rate',
    // symlog keeps 0 (the clean runs) on the axis while spreading 0.5 %, 1 %, 5 %, 10 % apart.
    scale: { type: 'symlog' as const, constant: 0.005 },
    // Rates cluster at the low end; let no tick label be culled for overlap (the default hides 10 %).
    axis: { values: [...rates], format: '.1~%', labelAngle: 0, grid: true, labelOverlap: false, labelFlush: true },
  };
}

export const TOOLTIP = [
  { field: 'model', type: 'nominal' as const },
  { field: 'trigger', type: 'nominal' as const },
  { field: 'poison_rate', type: 'quantitative' as const, title: 'poison rate', format: '.2~%' },
  { field: 'mean', type: 'quantitative' as const, format: '.4f' },
  { field: 'ci_low', type: 'quantitative' as const, title: '95% CI low', format: '.4f' },
  { field: 'ci_high', type: 'quantitative' as const, title: '95% CI high', format: '.4f' },
  { field: 'n', type: 'quantitative' as const, title: 'seeds' },
];

/**
 * Mean line with its confidence band over seeds, one facet per trigger and one colour per model.
 * Groups with fewer than two seeds have a point but no band; each seed's own value is a faint dot.
 */
export function lineWithBand(
  points: readonly PlotPoint[],
  options: { title: string; yTitle: string; zeroRule?: boolean; yDomain?: [number, number]; seeds?: readonly SeedPoint[] },
): TopLevelSpec {
  const rates = ratesOf(points);
  const seeds = options.seeds ?? [];
  const isMean = "datum.kind === 'mean'";
  const hasBand = points.some((p) => p.ci_low !== null && p.ci_high !== null);
  const y = {
    field: 'mean',
    type: 'quantitative' as const,
    title: options.yTitle,
    ...(options.yDomain ? { scale: { domain: options.yDomain } } : {}),
  };
  const color = { field: 'model', type: 'nominal' as const, title: 'model' };
  return {
    $schema: SCHEMA,
    title: options.title,
    // Means and seeds share one data source (a facet has one); each layer filters its kind.
    data: { values: [...points.map((p) => ({ kind: 'mean', ...p })), ...seeds.map((s) => ({ kind: 'seed', ...s }))] },
    facet: { column: { field: 'trigger', type: 'nominal', title: 'trigger' } },
    spec: {
      width: 250,
      height: 180,
      layer: [
        // No band layer when no group has an interval (one seed each): an empty layer makes vega warn about infinite extents.
        ...(hasBand
          ? [
              {
                transform: [{ filter: `${isMean} && isValid(datum.ci_low) && isValid(datum.ci_high)` }],
                // A t interval can leave a bounded metric's range (an ASR band above 1); clip it to the axis.
                // The band is coloured through `fill`, not `color`, so the legend shows the line's symbol only.
                mark: { type: 'area' as const, opacity: 0.18, clip: true },
                encoding: {
                  x: rateAxis(rates),
                  y: { field: 'ci_low', type: 'quantitative' as const, title: options.yTitle },
                  y2: { field: 'ci_high' },
                  fill: { ...color, legend: null },
                },
              },
            ]
          : []),
        {
          transform: [{ filter: isMean }],
          mark: { type: 'line', point: true, strokeWidth: 2 },
          encoding: { x: rateAxis(rates), y, color, tooltip: TOOLTIP },
        },
        ...(seeds.length > 0
          ? [
              {
                transform: [{ filter: "datum.kind === 'seed'" }],
                mark: { type: 'point' as const, filled: true, size: 16, opacity: 0.45 },
                encoding: {
                  x: rateAxis(rates),
                  y: { field: 'value', type: 'quantitative' as const },
                  color: { ...color, legend: null },
                  tooltip: [
                    { field: 'run', type: 'nominal' as const },
                    { field: 'seed', type: 'quantitative' as const },
                    { field: 'value', type: 'quantitative' as const, title: options.yTitle, format: '.4f' },
                  ],
                },
              },
            ]
          : []),
        ...(options.zeroRule
          ? [{ mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#888' }, encoding: { y: { datum: 0 } } }]
          : []),
      ],
    },
    resolve: { scale: { y: 'shared' } },
    config: BASE_CONFIG,
  };
}
