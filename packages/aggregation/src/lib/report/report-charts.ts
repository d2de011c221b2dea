import { PLOT_SECTIONS } from '../plots/base.js';
import { esc } from './html.js';
import type { ReportPlot } from './report-input.js';

/** The charts, by report section: a placeholder each, which the page's script fills, or why it was not drawn. */
export function chartSections(all: readonly ReportPlot[]): string {
  return sectionsOf(all)
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
    .join('\n');
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

export function tableOfContents(plots: readonly ReportPlot[]): string {
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
  const label = (file: string) =>
    file.endsWith('.vl.json')
      ? 'Vega-Lite spec'
      : file.endsWith('.data.json')
        ? 'data (JSON)'
        : file.endsWith('.svg')
          ? 'SVG'
          : file.endsWith('.png')
            ? 'PNG'
            : file;
  if (!p.files || p.files.length === 0) return '';
  return `<p class="plot-links">${p.files.map((f) => `<a href="${esc(f)}" data-plot-file="${esc(p.name)}">${esc(label(f))}</a>`).join('')}</p>`;
}
