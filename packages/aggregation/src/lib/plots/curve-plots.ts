import type { TopLevelSpec } from 'vega-lite';
import { cleanTestRows } from '../artifacts/predictions.js';
import { BASE_CONFIG, SCHEMA, type PlotDefinition, type PlotInput } from './base.js';
import { interpolatedPrecisionAt, prCurve, rocAt, rocCurve, unitGrid, type Curve } from './curves.js';
import { r4, rateColour, rateLabel, runGroups, withArtifact } from './run-groups.js';

/**
 * ROC and precision–recall curves of the clean test set, one panel per model × trigger, one curve per
 * poison rate (the clean model at rate 0): the mean over seeds at a fixed grid (vertical averaging),
 * with the seeds' range as a band, from each run's predictions.arrow.
 */
const GRID = unitGrid(40);

interface CurveRow {
  model: string;
  trigger: string;
  poison_rate: number;
  rate: string;
  x: number;
  y: number | null;
  y_min: number | null;
  y_max: number | null;
  seeds: number;
}

function averagedCurves(
  input: PlotInput,
  curveOf: (y: Uint8Array, p: Float32Array) => Curve | undefined,
  at: (c: Curve, grid: readonly number[]) => number[],
): CurveRow[] {
  const rows: CurveRow[] = [];
  for (const group of runGroups(input)) {
    const curves: number[][] = [];
    for (const { run, value } of withArtifact(input, group.runs, 'predictions')) {
      // Curves rank stays by p(positive class); p_target is p(class 1) when the target is 1.
      const clean = cleanTestRows(value);
      const score = run.summary.targetLabel === 0 ? Float32Array.from(clean.pTarget, (p) => 1 - p) : clean.pTarget;
      const curve = curveOf(clean.yTrue, score);
      if (curve) curves.push(at(curve, GRID));
    }
    if (curves.length === 0) continue;
    GRID.forEach((x, i) => {
      const ys = curves.map((c) => c[i]);
      rows.push({
        model: group.model,
        trigger: group.trigger,
        poison_rate: group.poison_rate,
        rate: rateLabel(group.poison_rate),
        x,
        y: r4(ys.reduce((a, b) => a + b, 0) / ys.length),
        y_min: r4(Math.min(...ys)),
        y_max: r4(Math.max(...ys)),
        seeds: ys.length,
      });
    });
  }
  return rows;
}

function curveSpec(rows: CurveRow[], options: { title: string; x: string; y: string; diagonal: boolean }): TopLevelSpec {
  const colour = rateColour(rows.map((r) => r.poison_rate));
  const x = { field: 'x', type: 'quantitative' as const, title: options.x, scale: { domain: [0, 1] }, axis: { tickCount: 5 } };
  return {
    $schema: SCHEMA,
    title: options.title,
    data: { values: rows },
    facet: { row: { field: 'model', type: 'nominal', title: 'model' }, column: { field: 'trigger', type: 'nominal', title: 'trigger' } },
    spec: {
      width: 170,
      height: 170,
      layer: [
        ...(options.diagonal
          ? [
              {
                mark: { type: 'rule' as const, color: '#bbb', strokeDash: [3, 3] },
                encoding: { x: { datum: 0 }, y: { datum: 0 }, x2: { datum: 1 }, y2: { datum: 1 } },
              },
            ]
          : []),
        {
          // The band is the range over seeds; its fill shares the line's colour scale and legend.
          mark: { type: 'area', opacity: 0.12 },
          encoding: {
            x,
            y: { field: 'y_min', type: 'quantitative', title: options.y },
            y2: { field: 'y_max' },
            fill: { ...colour, legend: { symbolOpacity: 1 } },
            detail: { field: 'rate' },
          },
        },
        {
          mark: { type: 'line', strokeWidth: 1.6 },
          encoding: {
            x,
            y: { field: 'y', type: 'quantitative', title: options.y, scale: { domain: [0, 1] }, axis: { tickCount: 5 } },
            color: colour,
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'trigger', type: 'nominal' },
              { field: 'rate', type: 'nominal', title: 'poison rate' },
              { field: 'x', type: 'quantitative', title: options.x, format: '.3f' },
              { field: 'y', type: 'quantitative', title: `${options.y} (mean)`, format: '.3f' },
              { field: 'y_min', type: 'quantitative', title: 'lowest seed', format: '.3f' },
              { field: 'y_max', type: 'quantitative', title: 'highest seed', format: '.3f' },
              { field: 'seeds', type: 'quantitative' },
            ],
          },
        },
      ],
    },
    config: BASE_CONFIG,
  };
}

const NO_PREDICTIONS =
  'no run has a readable predictions.arrow (written by `ehr-backdoor run` since format 1; see the warnings for unreadable files)';

export const rocCurves: PlotDefinition = {
  name: 'roc_curves',
  section: 'Clean performance and calibration',
  title: 'ROC curves on the clean test set, clean vs poisoned models',
  description:
    'True- against false-positive rate of mortality on the clean (untriggered) test stays, one panel per model × trigger and one curve per poison rate (clean = the matching rate-0 models). Curves are the mean over seeds at fixed false-positive rates (vertical averaging); the faint band spans the seeds.',
  build: (input) => {
    const rows = averagedCurves(input, rocCurve, rocAt);
    if (rows.length === 0) return { skipped: NO_PREDICTIONS };
    return { spec: curveSpec(rows, { title: 'ROC, clean test set', x: 'false-positive rate', y: 'true-positive rate', diagonal: true }) };
  },
};

export const prCurves: PlotDefinition = {
  name: 'pr_curves',
  section: 'Clean performance and calibration',
  title: 'Precision–recall curves on the clean test set, clean vs poisoned models',
  description:
    'Interpolated precision (the best precision at any recall ≥ r) against recall of mortality on the clean test stays, per model × trigger, one curve per poison rate; mean over seeds with the seeds’ range as a band. With few deaths in the test set, precision–recall shows what the ROC hides.',
  build: (input) => {
    const rows = averagedCurves(input, prCurve, interpolatedPrecisionAt);
    if (rows.length === 0) return { skipped: NO_PREDICTIONS };
    return { spec: curveSpec(rows, { title: 'Precision–recall, clean test set', x: 'recall', y: 'precision', diagonal: false }) };
  },
};
