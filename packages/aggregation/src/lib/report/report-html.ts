import { FONT_FAMILY } from '../plots/base.js';
import type { ReportAssets } from './assets.js';
import { esc, scriptJson, scriptSource } from './html.js';
import { chartSections, tableOfContents } from './report-charts.js';
import type { ReportInput } from './report-input.js';
import { warningsSection, provenanceSection } from './report-provenance.js';
import { rankingSection, tableSection, testsSection } from './report-tables.js';

export type { ReportInput, ReportPlot } from './report-input.js';

/**
 * report.html: one self-contained page. The vega bundles and the font are inlined and a Content
 * Security Policy forbids every fetch, so the page renders the same with no network, and any attempt
 * to reach one would show as an error in the console (which the end-to-end test watches).
 *
 *   head (CSP, font, style) ─▶ summary ─▶ contents ─▶ charts (report-charts) ─▶ ranking, table, tests
 *     (report-tables) ─▶ warnings, provenance (report-provenance) ─▶ the scripts that draw the charts
 */
const CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; font-src data:; img-src data: blob:";

export function renderReportHtml(input: ReportInput): string {
  const { aggregation: agg } = input;
  const title = input.title ?? 'ehr-backdoor study report';

  return `<!doctype html>
<html lang="en">
<head>
${documentHead(title, input.assets)}
</head>
<body>
<h1>${esc(title)}</h1>
${summaryParagraph(input)}
${tableOfContents(input.plots)}

<h2 id="charts">Charts</h2>
${chartSections(input.plots)}

<h2 id="ranking">Model ranking by robustness</h2>
${rankingSection(agg)}

<h2 id="table">Aggregated table</h2>
${tableSection(input)}

<h2 id="tests">Tests: poisoned vs clean</h2>
${testsSection(agg)}

<h2 id="warnings">Warnings</h2>
${warningsSection(input.warnings)}

<h2 id="provenance">Provenance</h2>
${provenanceSection(input)}

${chartScripts(input)}
</body>
</html>
`;
}

function documentHead(title: string, assets: ReportAssets): string {
  return `<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
@font-face { font-family: '${FONT_FAMILY}'; src: url(data:font/ttf;base64,${assets.fontBase64}) format('truetype'); }
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
</style>`;
}

/** Where the report comes from, how many runs it aggregates, and how intervals and tests were computed. */
function summaryParagraph(input: ReportInput): string {
  const { aggregation: agg, collection } = input;
  const excluded = input.warnings.filter((w) => w.excluded).length;
  return `<p class="muted">Generated ${esc(input.createdAt)} by ${esc(input.createdBy)} from <code>${esc(collection.root)}</code>.
${collection.counts.found} run directories: ${collection.counts.aggregated} aggregated, ${excluded - collection.counts.notStarted} left out${collection.counts.notStarted > 0 ? `, and ${collection.counts.notStarted} planned cells not started` : ''} (see <a href="#warnings">warnings</a>).
Intervals: ${agg.options.interval === 't' ? 't-based' : `percentile bootstrap (${agg.options.bootstrapSamples} resamples, seed ${agg.options.seed})`}, ${Math.round(agg.options.level * 100)} % over seeds.
Tests: Welch, poisoned vs clean, Holm-corrected across ${agg.tests.filter((t) => t.computable).length} computable tests at α = ${agg.options.alpha}.</p>`;
}

/** The inlined vega bundles, the specs, and the script that draws each chart into its placeholder. */
function chartScripts(input: ReportInput): string {
  const specs = Object.fromEntries(input.plots.filter((p) => p.spec).map((p) => [p.name, p.spec]));
  return `${input.assets.scripts.map((s) => `<script data-bundle="${esc(s.name)}@${esc(s.version)}">${scriptSource(s.source)}</script>`).join('\n')}
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
</script>`;
}
