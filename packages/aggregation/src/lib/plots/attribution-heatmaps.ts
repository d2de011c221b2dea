import type { TopLevelSpec } from 'vega-lite';
import type { AttributionMeans } from '../artifacts/attributions.js';
import { BASE_CONFIG, SCHEMA, type PlotDefinition, type PlotInput } from './base.js';
import { r4, rateLabel, runGroups, withArtifact } from './run-groups.js';

/**
 * "Do explanations reveal the backdoor?" as a picture: mean integrated-gradients attribution per
 * variable × hour (time-series models) or variable × statistic (tabular models) on the untriggered and
 * the triggered copies of the same test stays, and their difference. One row per model × trigger, at
 * the highest poison rate whose runs kept their attributions (`explain --save-attributions`), mean over
 * seeds; the variables shown are those whose attribution the trigger changes most.
 */
const TOP_VARIABLES = 12;
const COPIES = ['untriggered', 'triggered', 'triggered − untriggered'] as const;

interface Cell {
  variable: string;
  x: string;
  clean: number;
  triggered: number;
}

/** Mean over runs of the per-element mean, summed into (variable, x) cells. */
function cellsOf(means: readonly AttributionMeans[], xOf: (e: AttributionMeans['elements'][number]) => string): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const m of means) {
    m.elements.forEach((e, j) => {
      const x = xOf(e);
      const key = `${e.variable}\u0000${x}`;
      const cell = cells.get(key) ?? { variable: e.variable, x, clean: 0, triggered: 0 };
      cell.clean += m.clean[j] / means.length;
      cell.triggered += m.triggered[j] / means.length;
      cells.set(key, cell);
    });
  }
  return cells;
}

function heatmapRows(input: PlotInput, view: 'timeseries' | 'tabular') {
  const isView = (m: AttributionMeans) =>
    view === 'timeseries' ? m.elements.some((e) => e.hour !== null) : m.elements.every((e) => e.hour === null);
  const best = new Map<string, { rate: number; means: AttributionMeans[] }>();
  for (const group of runGroups(input)) {
    if (group.poison_rate === 0) continue;
    const means = withArtifact(input, group.runs, 'attributions')
      .map((a) => a.value)
      .filter(isView);
    if (means.length === 0) continue;
    const key = `${group.model}\u0000${group.trigger}`;
    if ((best.get(key)?.rate ?? -1) < group.poison_rate) best.set(key, { rate: group.poison_rate, means });
  }
  const rows: Record<string, unknown>[] = [];
  const order: string[] = [];
  for (const [key, { rate, means }] of [...best.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const [model, trigger] = key.split('\u0000');
    const panel = `${model} · ${trigger} · ${rateLabel(rate)}`;
    order.push(panel);
    const cells = cellsOf(means, (e) => (view === 'timeseries' ? String(e.hour) : e.detail));
    const change = new Map<string, number>();
    for (const c of cells.values()) change.set(c.variable, (change.get(c.variable) ?? 0) + Math.abs(c.triggered - c.clean));
    const shown = new Set(
      [...change.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, TOP_VARIABLES)
        .map(([v]) => v),
    );
    for (const c of cells.values()) {
      if (!shown.has(c.variable)) continue;
      const values = [c.clean, c.triggered, c.triggered - c.clean];
      COPIES.forEach((copy, i) =>
        rows.push({
          panel,
          copy,
          variable: c.variable,
          x: view === 'timeseries' ? Number(c.x) : c.x,
          attribution: r4(values[i]),
          seeds: means.length,
          stays: means[0].stays,
        }),
      );
    }
  }
  return { rows, order };
}

function heatmapSpec(rows: Record<string, unknown>[], order: string[], view: 'timeseries' | 'tabular'): TopLevelSpec {
  const extent = Math.max(1e-6, ...rows.map((r) => Math.abs((r.attribution as number | null) ?? 0)));
  return {
    $schema: SCHEMA,
    title: view === 'timeseries' ? 'Mean attribution per variable and hour' : 'Mean attribution per variable and statistic',
    data: { values: rows },
    facet: {
      row: { field: 'panel', type: 'nominal', title: null, sort: order, header: { labelAngle: 0, labelAlign: 'left' } },
      column: { field: 'copy', type: 'nominal', title: null, sort: [...COPIES] },
    },
    spec: {
      width: view === 'timeseries' ? 260 : 150,
      height: 13 * TOP_VARIABLES,
      mark: { type: 'rect' },
      encoding: {
        x:
          view === 'timeseries'
            ? { field: 'x', type: 'ordinal', title: 'hour of the window', axis: { labelAngle: 0, values: [0, 6, 12, 18, 23] } }
            : { field: 'x', type: 'nominal', title: 'statistic', axis: { labelAngle: -40 } },
        y: { field: 'variable', type: 'nominal', title: null },
        color: {
          field: 'attribution',
          type: 'quantitative',
          title: 'mean attribution',
          scale: { scheme: 'redblue', reverse: true, domain: [-extent, extent] },
        },
        tooltip: [
          { field: 'panel', type: 'nominal', title: 'model · trigger · rate' },
          { field: 'copy', type: 'nominal' },
          { field: 'variable', type: 'nominal' },
          { field: 'x', type: view === 'timeseries' ? 'ordinal' : 'nominal', title: view === 'timeseries' ? 'hour' : 'statistic' },
          { field: 'attribution', type: 'quantitative', format: '.4f' },
          { field: 'seeds', type: 'quantitative' },
          { field: 'stays', type: 'quantitative', title: 'stays per run' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: BASE_CONFIG,
  };
}

const skip = (kind: string) =>
  `no poisoned run of a ${kind} model kept its attributions (attributions.arrow: \`ehr-backdoor explain --run RUN --save-attributions\`, or \`sweep --explain --save-attributions\`)`;

export const attributionHeatmapTimeSeries: PlotDefinition = {
  name: 'attribution_heatmap_timeseries',
  section: 'Explanations',
  title: 'Attribution heatmaps, time-series models: variable × hour',
  description:
    'Mean integrated-gradients attribution (towards the logit of death, zero baseline) of each variable and hour, value and missingness mask together, on the untriggered and triggered copies of the same test stays, and their difference; one row per model × trigger at its highest poison rate with kept attributions, mean over seeds. A backdoor the explanations reveal shows as a concentrated block in the difference. The 12 variables whose attribution changes most are shown.',
  build: (input) => {
    const { rows, order } = heatmapRows(input, 'timeseries');
    if (rows.length === 0) return { skipped: skip('time-series') };
    return { spec: heatmapSpec(rows, order, 'timeseries') };
  },
};

export const attributionHeatmapTabular: PlotDefinition = {
  name: 'attribution_heatmap_tabular',
  section: 'Explanations',
  title: 'Attribution heatmaps, tabular models: variable × statistic',
  description:
    'Mean integrated-gradients attribution of each variable and summary statistic on the untriggered and triggered copies of the same test stays, and their difference; one row per model × trigger at its highest poison rate with kept attributions, mean over seeds; the 12 variables whose attribution changes most.',
  build: (input) => {
    const { rows, order } = heatmapRows(input, 'tabular');
    if (rows.length === 0) return { skipped: skip('tabular') };
    return { spec: heatmapSpec(rows, order, 'tabular') };
  },
};
