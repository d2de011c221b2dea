import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { DataError, InputError, removeStaleTemporariesOf, writeDirectoryAtomic } from '@ehr-backdoor/core';
import { aggregateRuns, type AggregateOptions, type Aggregation } from './aggregate/aggregate.js';
import { collectRuns, type RunCollection } from './collect/collect-runs.js';
import { readDatasets, type DatasetInfo } from './collect/datasets.js';
import { readVariantLabels } from './collect/study.js';
import type { AggregationWarning } from './collect/warnings.js';
import { readArtifacts } from './artifacts/run-artifacts.js';
import { aggregatedToArrow } from './output/arrow.js';
import { aggregatedToCsv, toCsv } from './output/csv.js';
import { writeParquetTables } from './output/parquet.js';
import { aggregatedTable, predictionsTable, runsTable } from './output/study-tables.js';
import type { PlotDefinition, PlotResult } from './plots/base.js';
import { PLOTS } from './plots/registry.js';
import { renderPng, renderSvg } from './plots/render.js';
import { loadReportAssets, toolVersions } from './report/assets.js';
import { renderReportHtml, type ReportPlot } from './report/report-html.js';
import type { AggregationCode } from './error-codes.js';

/**
 * From a tree of run directories to the figures of a study.
 *
 *   runs root ─collect─▶ runs + warnings ─datasets─▶ manifests ─aggregate─▶ rows, tests, ranking
 *     ─plots─▶ Vega-Lite specs ─vega─▶ SVG ─resvg─▶ PNG
 *     ─write (whole directory, atomically)─▶ aggregated.{csv,arrow,parquet} · runs.{csv,parquet} · stats.json
 *                                            predictions.parquet · plots/NAME.{vl.json,data.json,svg,png} · report.html
 *   (the run directories' predictions.arrow and checkpoint histories feed the curve plots and predictions.parquet)
 */
export interface BuildReportOptions extends AggregateOptions {
  /** Root of the run tree (a sweep's output directory). */
  readonly runsDir: string;
  /**
   * Report directory, replaced whole; it must be new, empty or an earlier report, and must not contain `runsDir` (InputError `E_OUT_DIR`).
   */
  readonly outDir: string;
  /** Render PNGs too (default true). */
  readonly png?: boolean;
  /** Write the Parquet twins of the tables and predictions.parquet (default true). */
  readonly parquet?: boolean;
  /** Replaces the clock in the report (tests). */
  readonly now?: Date;
  /** Which plots (default: all). */
  readonly plots?: readonly PlotDefinition[];
}

/** One plot of the report: the files written for it, or why it was skipped. */
export interface PlotOutcome {
  readonly name: string;
  readonly title: string;
  /** Files written for it, relative to the output directory (none when skipped). */
  readonly files: readonly string[];
  readonly skipped?: string;
}

/**
 * What {@link buildReport} wrote (absolute `outDir` and `report.html` path), the run counts, every warning, and the aggregation itself.
 */
export interface BuildReportResult {
  readonly outDir: string;
  readonly reportPath: string;
  readonly runs: RunCollection['counts'];
  readonly warnings: readonly AggregationWarning[];
  readonly plots: readonly PlotOutcome[];
  readonly aggregation: Aggregation;
}

/** Format version of the report's `stats.json`. */
export const STATS_FORMAT_VERSION = 1;
const REPORT_MARKER = 'stats.json';

/**
 * From a run tree to a report directory: collect, aggregate, plots (Vega-Lite JSON, SVG, PNG), tables and
 * an offline `report.html`, written whole (the directory appears complete or not at all).
 * @throws InputError `E_OUT_DIR` for an output directory that is not replaceable, `E_NO_RUNS` when no run has
 * started, `E_RUNS_NOT_FOUND` for a missing runs directory; DataError `E_NO_COMPLETED_RUNS` when no run has a
 * usable summary; option errors as {@link resolveAggregateOptions}.
 */
export async function buildReport(options: BuildReportOptions): Promise<BuildReportResult> {
  const runsDir = resolve(options.runsDir);
  const outDir = resolve(options.outDir);
  checkOutDir(runsDir, outDir);

  const collection = await collectCompletedRuns(runsDir, options.runsDir);
  const { datasets, warnings: datasetWarnings } = await readDatasets(collection);
  const aggregation = aggregateRuns(collection, options);
  const artifacts = await readArtifacts(collection);
  const warnings = [...collection.warnings, ...datasetWarnings, ...aggregation.warnings, ...artifacts.warnings];
  const primary = datasets.find((d) => d.contentHash === aggregation.primaryDataset);

  const labels = await readVariantLabels(options.runsDir);
  const plotInput = { aggregation, dataset: primary, runs: collection.runs, artifacts: artifacts.byRun, ...(labels ? { labels } : {}) };
  const plots = (options.plots ?? PLOTS).map((plot) => ({ plot, result: plot.build(plotInput) }));
  const rendered = await renderPlots(plots, options.png !== false);

  const createdAt = (options.now ?? new Date()).toISOString();
  const createdBy = `ehr-backdoor-aggregate ${await ownVersion()}`;
  const versions = await toolVersions();
  const { reportPlots, outcomes } = describePlots(plots, options.png !== false);
  const parquetFiles =
    options.parquet === false
      ? []
      : ['aggregated.parquet', 'runs.parquet', ...(predictionsTable('', collection.runs, artifacts.byRun) ? ['predictions.parquet'] : [])];
  const html = renderReportHtml({
    createdAt,
    createdBy,
    collection,
    aggregation,
    datasets,
    warnings,
    plots: reportPlots,
    toolVersions: versions,
    assets: await loadReportAssets(),
    tables: parquetFiles,
  });
  const stats = statsJson({ createdAt, createdBy, collection, aggregation, datasets, warnings, outcomes, versions });

  // A report killed while it was written left its temporary folder beside outDir: remove it if its process is gone.
  await removeStaleTemporariesOf(outDir);
  await writeDirectoryAtomic(
    outDir,
    async (tmp) => {
      await writeFile(join(tmp, 'aggregated.csv'), aggregatedToCsv(aggregation.rows));
      await writeFile(join(tmp, 'aggregated.arrow'), aggregatedToArrow(aggregation.rows));
      await writeFile(join(tmp, 'runs.csv'), runsCsv(collection));
      await writeFile(join(tmp, 'stats.json'), JSON.stringify(stats, nanToNull, 2) + '\n');
      if (options.parquet !== false) {
        const predictions = predictionsTable(tmp, collection.runs, artifacts.byRun);
        await writeParquetTables([
          aggregatedTable(tmp, aggregation.rows),
          runsTable(tmp, collection.runs),
          ...(predictions ? [predictions] : []),
        ]);
      }
      await writePlots(join(tmp, 'plots'), rendered);
      await writeFile(join(tmp, 'report.html'), html);
    },
    { overwrite: true },
  );
  return { outDir, reportPath: join(outDir, 'report.html'), runs: collection.counts, warnings, plots: outcomes, aggregation };
}

/**
 * The runs under `runsDir` (`given` as the user wrote it, for messages).
 * @throws InputError `E_NO_RUNS` when no run has started; DataError `E_NO_COMPLETED_RUNS` when none has a usable summary.
 */
async function collectCompletedRuns(runsDir: string, given: string): Promise<RunCollection> {
  const collection = await collectRuns(runsDir);
  if (collection.counts.found === 0) {
    throw new InputError<AggregationCode>(
      'E_NO_RUNS',
      collection.counts.notStarted > 0
        ? `No run under ${given} has started yet (its sweep plan lists ${collection.counts.notStarted} cells); run or resume the sweep first.`
        : `No run directories under ${given}: it holds no {model}/{trigger}/{rate}/seed_{seed}/ directory. Point --runs at the output of a sweep.`,
    );
  }
  if (collection.runs.length === 0) {
    const kinds = new Map<string, number>();
    for (const w of collection.warnings) if (w.excluded) kinds.set(w.kind, (kinds.get(w.kind) ?? 0) + 1);
    throw new DataError<AggregationCode>(
      'E_NO_COMPLETED_RUNS',
      `None of the ${collection.counts.found} run directories under ${given} has a usable summary.json (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}); finish the sweep first (\`ehr-backdoor status ${given}\` shows its progress).`,
    );
  }
  return collection;
}

type BuiltPlot = { readonly plot: PlotDefinition; readonly result: PlotResult };

interface RenderedPlot {
  readonly name: string;
  readonly spec: unknown;
  readonly svg: string;
  readonly png?: Uint8Array;
}

/** SVG (and PNG) of every plot that was drawn. */
async function renderPlots(plots: readonly BuiltPlot[], png: boolean): Promise<RenderedPlot[]> {
  const rendered: RenderedPlot[] = [];
  for (const { plot, result } of plots) {
    if (!('spec' in result)) continue;
    const svg = await renderSvg(result.spec);
    rendered.push({ name: plot.name, spec: result.spec, svg, png: png ? renderPng(svg) : undefined });
  }
  return rendered;
}

/** Each plot for the report page and for stats.json: the files written for it, or why it was skipped. */
function describePlots(plots: readonly BuiltPlot[], png: boolean): { reportPlots: ReportPlot[]; outcomes: PlotOutcome[] } {
  const filesOf = (name: string) => [
    `plots/${name}.vl.json`,
    `plots/${name}.data.json`,
    `plots/${name}.svg`,
    ...(png ? [`plots/${name}.png`] : []),
  ];
  const reportPlots: ReportPlot[] = plots.map(({ plot, result }) => ({
    name: plot.name,
    title: plot.title,
    description: plot.description,
    section: plot.section ?? 'Attack',
    ...('spec' in result ? { spec: result.spec, files: filesOf(plot.name) } : { skipped: result.skipped }),
  }));
  const outcomes: PlotOutcome[] = plots.map(({ plot, result }) => ({
    name: plot.name,
    title: plot.title,
    files: 'spec' in result ? filesOf(plot.name) : [],
    ...('skipped' in result ? { skipped: result.skipped } : {}),
  }));
  return { reportPlots, outcomes };
}

/** plots/NAME.{vl.json,data.json,svg,png}. */
async function writePlots(dir: string, rendered: readonly RenderedPlot[]): Promise<void> {
  await mkdir(dir);
  for (const r of rendered) {
    await writeFile(join(dir, `${r.name}.vl.json`), JSON.stringify(r.spec, nanToNull, 2) + '\n');
    await writeFile(join(dir, `${r.name}.data.json`), JSON.stringify(specData(r.spec), nanToNull) + '\n');
    await writeFile(join(dir, `${r.name}.svg`), r.svg);
    if (r.png) await writeFile(join(dir, `${r.name}.png`), r.png);
  }
}

/** The output directory is replaced whole, so it must never be (or hold) the runs, nor be a directory that is not an earlier report. */
function checkOutDir(runsDir: string, outDir: string): void {
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + sep);
  if (inside(runsDir, outDir)) {
    throw new InputError<AggregationCode>(
      'E_OUT_DIR',
      `--out ${outDir} is or contains the runs directory ${runsDir}; the report directory is replaced whole, so choose another one (e.g. ${runsDir}-report).`,
    );
  }
  if (existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(join(outDir, REPORT_MARKER))) {
    throw new InputError<AggregationCode>(
      'E_OUT_DIR',
      `--out ${outDir} exists and is not an earlier report (no ${REPORT_MARKER}); it would be replaced whole. Choose a new or empty directory.`,
    );
  }
}

/**
 * The data a spec draws, for readers who want the numbers and not the chart: the rows of its one data
 * source, or `{ layer_N: rows }` when layers carry their own data.
 */
export function specData(spec: unknown): unknown {
  const sources: unknown[][] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const data = (node as { data?: { values?: unknown } }).data;
    if (data && Array.isArray(data.values)) sources.push(data.values);
    for (const layer of (node as { layer?: unknown[] }).layer ?? []) visit(layer);
    visit((node as { spec?: unknown }).spec);
  };
  visit(spec);
  return sources.length === 1 ? sources[0] : Object.fromEntries(sources.map((rows, i) => [`layer_${i}`, rows]));
}

function nanToNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function runsCsv(collection: RunCollection): string {
  const metricFields = [...new Set(collection.runs.flatMap((r) => Object.keys(r.summary.metrics)))].sort();
  const header = [
    'dir',
    'dataset_hash',
    'model',
    'trigger',
    'mode',
    'poison_rate',
    'seed',
    'target_label',
    'backend',
    'selection',
    ...metricFields,
  ];
  return toCsv(
    header,
    collection.runs.map((r) => {
      const s = r.summary;
      return [
        r.dir,
        s.datasetHash,
        s.model,
        s.trigger,
        s.mode,
        s.poisonRate,
        s.seed,
        s.targetLabel,
        s.backend,
        s.selection,
        ...metricFields.map((f) => s.metrics[f] ?? null),
      ];
    }),
  );
}

function statsJson(input: {
  createdAt: string;
  createdBy: string;
  collection: RunCollection;
  aggregation: Aggregation;
  datasets: readonly DatasetInfo[];
  warnings: readonly AggregationWarning[];
  outcomes: readonly PlotOutcome[];
  versions: Record<string, string>;
}) {
  const { aggregation: agg } = input;
  return {
    formatVersion: STATS_FORMAT_VERSION,
    createdBy: input.createdBy,
    createdAt: input.createdAt,
    input: { runsRoot: input.collection.root, ...input.collection.counts, runs: input.collection.runs.map((r) => r.dir) },
    options: agg.options,
    primaryDataset: agg.primaryDataset,
    measurement: agg.measurement,
    datasets: input.datasets,
    groups: agg.groups,
    rows: agg.rows,
    tests: agg.tests,
    ranking: agg.ranking,
    warnings: input.warnings,
    plots: input.outcomes,
    toolVersions: input.versions,
  };
}

async function ownVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A path for messages: relative to the working directory when that is shorter. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}
