import type { TopLevelSpec } from 'vega-lite';
import type { AggregatedRow, Aggregation } from '../aggregate/aggregate.js';
import type { RunCollection } from '../collect/collect-runs.js';
import type { DatasetInfo } from '../collect/datasets.js';
import type { AggregationWarning } from '../collect/warnings.js';
import { FONT_FAMILY, PLOT_SECTIONS } from '../plots/base.js';
import type { ReportAssets } from './assets.js';
import { esc, fmt, fmtP, fmtRate, scriptJson, scriptSource, table } from './html.js';

/**
 * report.html: one self-contained page. The vega bundles and the font are inlined and a Content
 * Security Policy forbids every fetch, so the page renders the same with no network, and any attempt
 * to reach one would show as an error in the console (which the end-to-end test watches).
 */
export interface ReportPlot {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly spec?: TopLevelSpec;
  readonly skipped?: string;
  /** Report section (table of contents); default 'Attack'. */
  readonly section?: string;
  /** Files written for the plot, relative to the report (spec, data, SVG, PNG): linked under the chart. */
  readonly files?: readonly string[];
}

export interface ReportInput {
  readonly title?: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly collection: RunCollection;
  readonly aggregation: Aggregation;
  readonly datasets: readonly DatasetInfo[];
  readonly warnings: readonly AggregationWarning[];
  readonly plots: readonly ReportPlot[];
  readonly toolVersions: Readonly<Record<string, string>>;
  readonly assets: ReportAssets;
  /** Extra table files written beside the report (Parquet), linked from the table section. */
  readonly tables?: readonly string[];
}

const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; font-src data:; img-src data: blob:";

export function renderReportHtml(input: ReportInput): string {
  const { aggregation: agg, collection } = input;
  const drawn = input.plots.filter((p) => p.spec);
  const specs = Object.fromEntries(drawn.map((p) => [p.name, p.spec]));
  const title = input.title ?? 'ehr-backdoor study report';
  const excluded = input.warnings.filter((w) => w.excluded).length;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
@font-face { font-family: '${FONT_FAMILY}'; src: url(data:font/ttf;base64,${input.assets.fontBase64}) format('truetype'); }
body { font-family: '${FONT_FAMILY}', sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1.5rem; color: #222; font-size: 14px; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: .3rem; }
table { border-collapse: collapse; margin: .8rem 0; font-size: 12.5px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.chart { margin: 1rem 0 2rem; overflow-x: auto; }
.desc { color: #555; max-width: 60rem; }
.muted { color: #777; }
.warn-excluded { color: #a40000; }
code { background: #f4f4f4; padding: 0 3px; }
nav a { margin-right: 1rem; }
nav.toc ol { margin: .2rem 0; } nav.toc li { margin: .1rem 0; } nav.toc a { margin-right: 0; }
.plot-links { font-size: 12px; color: #555; } .plot-links a { margin-right: .6rem; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="muted">Generated ${esc(input.createdAt)} by ${esc(input.createdBy)} from <code>${esc(collection.root)}</code>.
${collection.counts.found} run directories: ${collection.counts.aggregated} aggregated, ${excluded - collection.counts.notStarted} left out${collection.counts.notStarted > 0 ? `, and ${collection.counts.notStarted} planned cells not started` : ''} (see <a href="#warnings">warnings</a>).
Intervals: ${agg.options.interval === 't' ? 't-based' : `percentile bootstrap (${agg.options.bootstrapSamples} resamples, seed ${agg.options.seed})`}, ${Math.round(agg.options.level * 100)} % over seeds.
Tests: Welch, poisoned vs clean, Holm-corrected across ${agg.tests.filter((t) => t.computable).length} computable tests at α = ${agg.options.alpha}.</p>
${tableOfContents(input.plots)}

<h2 id="charts">Charts</h2>
${sectionsOf(input.plots)
  .map(
    ([section, plots]) =>
      `<h3 class="plot-section" id="${sectionId(section)}">${esc(section)}</h3>\n` +
      plots
        .map((p) =>
          p.spec
            ? `<section class="chart-section" id="plot-${esc(p.name)}"><h4>${esc(p.title)}</h4><p class="desc">${esc(p.description)}</p>${plotLinks(p)}<div class="chart" id="chart-${esc(p.name)}" data-chart="${esc(p.name)}"></div></section>`
            : `<section class="chart-section skipped" id="plot-${esc(p.name)}"><h4>${esc(p.title)}</h4><p class="muted">Not drawn: ${esc(p.skipped ?? '')}.</p></section>`,
        )
        .join('\n'),
  )
  .join('\n')}

<h2 id="ranking">Model ranking by robustness</h2>
${rankingSection(agg)}

<h2 id="table">Aggregated table</h2>
<p class="desc">Key metrics per group (mean [${Math.round(agg.options.level * 100)} % CI over seeds, ${esc(intervalDescription(agg.options.interval))}], n = seeds with a value). ASR and flip rate are at each model's operating threshold (chosen on its clean validation split; the run summaries' <code>threshold_rule</code>), ASR at 0.5 at the fixed threshold; the ASR lift is the ASR minus the clean model's ASR for the same trigger and seed. Deltas are paired with the clean run of the same model and seed. Per-seed values are in the <code>per_seed</code> column. The full tidy table (every metric and detector) is in <a href="aggregated.csv"><code>aggregated.csv</code></a> / <a href="aggregated.arrow"><code>aggregated.arrow</code></a>${(input.tables ?? []).includes('aggregated.parquet') ? ' / <a href="aggregated.parquet"><code>aggregated.parquet</code></a>' : ''} and below; one row per run in <a href="runs.csv"><code>runs.csv</code></a>${(input.tables ?? []).includes('runs.parquet') ? ' / <a href="runs.parquet"><code>runs.parquet</code></a>' : ''}${(input.tables ?? []).includes('predictions.parquet') ? ', every prediction of every run in <a href="predictions.parquet"><code>predictions.parquet</code></a>' : ''} (docs/formats.md shows how to read them with pandas, polars and DuckDB).</p>
<p class="desc">${esc(measurementDescription(agg))}</p>
${keyTable(agg)}
<details><summary>Full table (${agg.rows.length} rows)</summary>
${table(
  ['model', 'trigger', 'mode', 'rate', 'detector', 'metric', 'n', 'missing', 'mean', 'std', 'CI low', 'CI high', 'clean mean', 'Δ vs clean', 'note'],
  agg.rows.map((r) => [r.model, r.trigger, r.mode, fmtRate(r.poison_rate), r.detector, r.metric, String(r.n), String(r.n_missing), fmt(r.mean, 4), fmt(r.std, 4), fmt(r.ci_low, 4), fmt(r.ci_high, 4), fmt(r.clean_mean, 4), fmt(r.delta_mean, 4), r.note]),
)}
</details>

<h2 id="tests">Tests: poisoned vs clean</h2>
${testsSection(agg)}

<h2 id="warnings">Warnings</h2>
${warningsSection(input.warnings)}

<h2 id="provenance">Provenance</h2>
${provenanceSection(input)}

${input.assets.scripts.map((s) => `<script data-bundle="${esc(s.name)}@${esc(s.version)}">${scriptSource(s.source)}</script>`).join('\n')}
<script type="application/json" id="chart-specs">${scriptJson(specs)}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var status = {};
  window.__chartStatus = status;
  var jobs = Object.keys(specs).map(function (name) {
    return vegaEmbed('#chart-' + name, specs[name], { renderer: 'svg', actions: false })
      .then(function () { status[name] = 'rendered'; })
      .catch(function (error) { status[name] = 'failed'; console.error('chart ' + name + ' failed: ' + error); });
  });
  Promise.all(jobs).then(function () { document.body.setAttribute('data-rendered', 'true'); });
})();
</script>
</body>
</html>
`;
}

function measurementDescription(agg: Aggregation): string {
  const m = agg.measurement;
  const basis = m.rateBasis.map((b) => (b === 'train' ? 'a share of the whole training split (rate basis train)' : 'a share of the eligible training stays, label ≠ target (rate basis eligible)')).join(' or ');
  const label = m.labelDefinition.map((l) => (l === 'icu_mortality' ? 'ICU mortality' : 'in-hospital mortality')).join(' or ');
  return `Measured as: poison rate = ${basis}; operating threshold ${m.thresholdRule.join(' or ')}; label ${label}; target label ${m.targetLabel.join(' or ')}.`;
}

function intervalDescription(interval: string): string {
  if (interval === 'auto') return 'logit-scale t interval for bounded metrics, t for the rest';
  if (interval === 'logit-t') return 'logit-scale t interval (t for unbounded metrics)';
  return interval === 'bootstrap' ? 'percentile bootstrap over seeds' : 't interval';
}

/** Plots grouped by report section, in the sections' order (unknown sections last, in order of appearance). */
function sectionsOf(plots: readonly ReportPlot[]): [string, ReportPlot[]][] {
  const bySection = new Map<string, ReportPlot[]>();
  for (const s of PLOT_SECTIONS) bySection.set(s, []);
  for (const p of plots) {
    const section = p.section ?? 'Attack';
    bySection.set(section, [...(bySection.get(section) ?? []), p]);
  }
  return [...bySection.entries()].filter(([, ps]) => ps.length > 0);
}

const sectionId = (section: string) => `section-${section.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;

function tableOfContents(plots: readonly ReportPlot[]): string {
  const charts = sectionsOf(plots)
    .map(
      ([section, ps]) =>
        `<li><a href="#${sectionId(section)}">${esc(section)}</a><ol>${ps.map((p) => `<li><a href="#plot-${esc(p.name)}">${esc(p.title)}</a>${p.spec ? '' : ' <span class="muted">(not drawn)</span>'}</li>`).join('')}</ol></li>`,
    )
    .join('');
  return `<nav class="toc" id="contents"><h2>Contents</h2><ol>
<li><a href="#charts">Charts</a><ol>${charts}</ol></li>
<li><a href="#ranking">Model ranking by robustness</a></li>
<li><a href="#table">Aggregated table</a></li>
<li><a href="#tests">Tests: poisoned vs clean</a></li>
<li><a href="#warnings">Warnings</a></li>
<li><a href="#provenance">Provenance</a></li>
</ol></nav>`;
}

/** Links from a chart to its files: the Vega-Lite spec (open it in the Vega editor), its data, SVG and PNG. */
function plotLinks(p: ReportPlot): string {
  const label = (file: string) => (file.endsWith('.vl.json') ? 'Vega-Lite spec' : file.endsWith('.data.json') ? 'data (JSON)' : file.endsWith('.svg') ? 'SVG' : file.endsWith('.png') ? 'PNG' : file);
  if (!p.files || p.files.length === 0) return '';
  return `<p class="plot-links">${p.files.map((f) => `<a href="${esc(f)}" data-plot-file="${esc(p.name)}">${esc(label(f))}</a>`).join('')}</p>`;
}

function ci(row: AggregatedRow | undefined): string {
  if (!row || row.n === 0) return '–';
  const m = fmt(row.mean);
  if (!Number.isFinite(row.ci_low)) return `${m} <span class="muted">(n=${row.n})</span>`;
  return `${m} <span class="muted">[${fmt(row.ci_low)}, ${fmt(row.ci_high)}] n=${row.n}</span>`;
}

function keyTable(agg: Aggregation): string {
  const metrics = ['asr_lift_vs_clean', 'flip_rate', 'asr', 'asr_at_0_5', 'auroc', 'auroc_drop_vs_clean', 'accuracy', 'accuracy_drop_vs_clean', 'ece', 'ece_change_vs_clean', 'confidence_shift'];
  const groups = new Map<string, Map<string, AggregatedRow>>();
  for (const r of agg.rows) {
    if (r.detector !== '' || !metrics.includes(r.metric)) continue;
    const key = [r.dataset_hash, r.model, r.trigger, r.mode, r.poison_rate].join('\u0000');
    const g = groups.get(key) ?? new Map<string, AggregatedRow>();
    g.set(r.metric, r);
    groups.set(key, g);
  }
  const multiDataset = new Set(agg.rows.map((r) => r.dataset_hash)).size > 1;
  const header = [...(multiDataset ? ['dataset'] : []), 'model', 'trigger', 'mode', 'rate', 'ASR lift', 'flip rate', 'ASR', 'ASR at 0.5', 'AUROC', 'AUROC drop', 'accuracy', 'accuracy drop', 'ECE', 'ECE change', 'confidence shift'];
  const rows = [...groups.values()].map((g) => {
    const any = g.values().next().value as AggregatedRow;
    return [
      ...(multiDataset ? [esc(any.dataset_hash.slice(0, 12))] : []),
      esc(any.model),
      esc(any.trigger),
      esc(any.mode),
      esc(fmtRate(any.poison_rate)),
      ...metrics.map((m) => ci(g.get(m))),
    ];
  });
  return table(header, rows, { rawCells: true, className: 'key-table' });
}

function rankingSection(agg: Aggregation): string {
  const r = agg.ranking;
  const definition = `<p class="desc">${esc(r.definition)}</p>`;
  if (r.entries.length === 0) return `${definition}<p class="muted">No ranking: ${esc(r.note ?? '')}.</p>`;
  return `${definition}<p class="muted">Common grid: ${r.grid.map((c) => esc(`${c.trigger} @ ${fmtRate(c.poison_rate)}${c.mode === 'dirty-label' ? '' : ` (${c.mode})`}`)).join(', ')}.</p>
${table(
  [
    'rank',
    'model',
    r.measure === 'asr_lift' ? 'robustness (1 − mean ASR lift)' : 'robustness (1 − mean ASR)',
    'CI over seeds',
    'seeds',
    'worst cell',
    r.measure === 'asr_lift' ? 'worst-cell ASR lift' : 'worst-cell ASR',
    'mean AUROC drop',
    'clean AUROC',
  ],
  r.entries.map((e) => [
    String(e.rank),
    e.model,
    fmt(e.robustness),
    Number.isFinite(e.robustness_ci_low) ? `[${fmt(e.robustness_ci_low)}, ${fmt(e.robustness_ci_high)}]` : '–',
    String(e.n_seeds),
    e.worst_cell,
    fmt(e.worst_cell_asr),
    fmt(e.mean_auroc_drop, 4),
    fmt(e.clean_auroc),
  ]),
)}`;
}

function testsSection(agg: Aggregation): string {
  if (agg.tests.length === 0) return '<p class="muted">No poisoned group to test.</p>';
  const computable = agg.tests.filter((t) => t.computable).length;
  return `<p class="desc">Paired t test (two-sided) of each poisoned group against the clean run of the same model and seed, for ${esc(agg.options.testMetrics.join(', '))};
the exact sign-flip permutation p beside it (with n seeds its smallest possible value is 2 / 2ⁿ: 0.25 for 3 seeds), and Welch's unpaired test as a secondary column.
Holm's correction runs over the ${computable} computable paired t tests (and separately over the permutation p-values). A test needs at least two seeds with both values; with fewer it is reported as not computable, never as significant.</p>
${table(
  ['model', 'trigger', 'rate', 'metric', 'pairs', 'mean poisoned', 'mean clean', 'mean difference', 't', 'df', 'p', 'p (Holm)', 'p perm.', 'p perm. (Holm)', 'p Welch', 'significant'],
  agg.tests.map((t) => [
    t.model,
    t.mode === 'dirty-label' ? t.trigger : `${t.trigger} (${t.mode})`,
    fmtRate(t.poison_rate),
    t.metric,
    String(t.n_pairs),
    fmt(t.mean_poisoned, 4),
    fmt(t.mean_clean, 4),
    fmt(t.mean_difference, 4),
    fmt(t.t, 2),
    fmt(t.df, 1),
    fmtP(t.p),
    fmtP(t.p_holm),
    fmtP(t.p_permutation),
    fmtP(t.p_permutation_holm),
    fmtP(t.welch_p),
    t.computable ? (t.significant ? 'yes' : 'no') : t.note,
  ]),
)}`;
}

function warningsSection(warnings: readonly AggregationWarning[]): string {
  if (warnings.length === 0) return '<p>No warnings: every run directory was finished and readable.</p>';
  return table(
    ['kind', 'code', 'run', 'message', 'left out'],
    warnings.map((w) => [esc(w.kind), esc(w.code), `<code>${esc(w.path || '(all runs)')}</code>`, esc(w.message), w.excluded ? '<span class="warn-excluded">yes</span>' : 'no']),
    { rawCells: true, className: 'warnings' },
  );
}

function provenanceSection(input: ReportInput): string {
  const datasets = input.datasets.map((d) => [
    d.contentHash ? d.contentHash.slice(0, 16) : '(none recorded)',
    String(d.runs),
    d.path ?? '–',
    d.mimicVersion ?? '–',
    d.manifest ? `${d.manifest.cohort.stays ?? '?'} stays, ${d.manifest.cohort.positives ?? '?'} positives` : '–',
    d.manifest ? [d.manifest.task, d.manifest.windowHours !== undefined ? `${d.manifest.windowHours} h window` : undefined, d.manifest.createdBy].filter(Boolean).join(', ') : 'manifest not found',
  ]);
  const versions = new Map<string, Map<string, number>>();
  const backends = new Map<string, number>();
  const backendReasons = new Set<string>();
  for (const run of input.collection.runs) {
    for (const [k, v] of Object.entries(run.metadata?.versions ?? {})) {
      const m = versions.get(k) ?? new Map<string, number>();
      m.set(v, (m.get(v) ?? 0) + 1);
      versions.set(k, m);
    }
    const used = run.metadata?.backend?.used ?? run.summary.backend ?? '';
    if (used) backends.set(used, (backends.get(used) ?? 0) + 1);
    const requested = run.metadata?.backend?.requested;
    const reason = run.metadata?.backend?.reason;
    if (requested || reason) backendReasons.add(`requested ${requested ?? '?'} → ${used || '?'}${reason ? `: ${reason}` : ''}`);
  }
  const counted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([v, n]) => `${v} (${n} run${n === 1 ? '' : 's'})`)
      .join(', ');
  return `<h3>Datasets</h3>
${table(['content hash', 'runs', 'path', 'MIMIC-IV version', 'cohort', 'dataset'], datasets)}
<h3>Versions recorded by the runs</h3>
${versions.size === 0 ? '<p class="muted">No run_metadata.json recorded versions.</p>' : table(['component', 'versions'], [...versions.entries()].sort().map(([k, m]) => [k, counted(m)]))}
<h3>Backends</h3>
${backends.size === 0 ? '<p class="muted">No backend recorded.</p>' : `<p>${esc(counted(backends))}</p>`}
${backendReasons.size > 0 ? `<ul>${[...backendReasons].map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
<h3>This report</h3>
${table(
  ['item', 'value'],
  [
    ['created by', input.createdBy],
    ['created at', input.createdAt],
    ['runs root', input.collection.root],
    ['options', JSON.stringify(input.aggregation.options)],
    ...Object.entries(input.toolVersions).map(([k, v]) => [k, v]),
  ],
)}`;
}
