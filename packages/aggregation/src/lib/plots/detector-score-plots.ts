import type { TopLevelSpec } from 'vega-lite';
import type { DetectorScores } from '../artifacts/detect-scores.js';
import { BASE_CONFIG, SCHEMA, type PlotDefinition, type PlotInput } from './base.js';
import { rocAt, rocCurve, unitGrid } from './curves.js';
import { r4, rateLabel, runGroups, withArtifact } from './run-groups.js';

/**
 * Detectors seen stay by stay, from each run's detect-scores.arrow: how their scores separate the
 * poisoned training stays from the clean ones, and the ROC curve of that separation. One panel per
 * model × trigger at its highest poison rate with scores, pooled (distributions) or averaged (ROC)
 * over seeds. Scores are compared as percentiles within their run and detector, since each detector
 * (and each run) has its own scale.
 */
const BINS = 20;
const GRID = unitGrid(40);

interface Panel {
  readonly panel: string;
  readonly runs: readonly (readonly DetectorScores[])[];
}

function panelsOf(input: PlotInput): Panel[] {
  const best = new Map<string, { rate: number; runs: (readonly DetectorScores[])[] }>();
  for (const group of runGroups(input)) {
    if (group.poison_rate === 0) continue;
    const runs = withArtifact(input, group.runs, 'detectScores').map((a) => a.value);
    if (runs.length === 0) continue;
    const key = `${group.model} · ${group.trigger}`;
    if ((best.get(key)?.rate ?? -1) < group.poison_rate) best.set(key, { rate: group.poison_rate, runs });
  }
  return [...best.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([key, v]) => ({ panel: `${key} · ${rateLabel(v.rate)}`, runs: v.runs }));
}

/** Percentile (average rank / n, in (0, 1]) of each finite score; NaN stays NaN. */
function percentiles(scores: Float64Array): Float64Array {
  const idx = Array.from(scores.keys())
    .filter((i) => Number.isFinite(scores[i]))
    .sort((a, b) => scores[a] - scores[b]);
  const out = new Float64Array(scores.length).fill(Number.NaN);
  for (let start = 0; start < idx.length; ) {
    let end = start;
    while (end + 1 < idx.length && scores[idx[end + 1]] === scores[idx[start]]) end++;
    for (let k = start; k <= end; k++) out[idx[k]] = (start + end + 2) / 2 / idx.length;
    start = end + 1;
  }
  return out;
}

const NO_SCORES = 'no poisoned run has detect-scores.arrow (written by `ehr-backdoor detect --run RUN` or `sweep --detect`)';

export const detectorScoreDistributions: PlotDefinition = {
  name: 'detector_score_distributions',
  section: 'Detection and defence',
  title: 'Detector scores: poisoned vs clean training stays',
  description:
    'Share of the poisoned (red) and of the clean (grey) training stays in each twentieth of the detector’s score, as a percentile within its run, pooled over seeds; one row per detector, one column per model × trigger at its highest poison rate. A useful detector puts the poisoned stays in the top bins.',
  build: (input) => {
    const rows: Record<string, unknown>[] = [];
    for (const { panel, runs } of panelsOf(input)) {
      const detectors = [...new Set(runs.flatMap((r) => r.map((d) => d.detector)))].sort();
      for (const detector of detectors) {
        const counts = { poisoned: new Float64Array(BINS), clean: new Float64Array(BINS) };
        for (const run of runs) {
          const d = run.find((x) => x.detector === detector);
          if (!d) continue;
          const pct = percentiles(d.scores);
          pct.forEach((p, i) => {
            if (Number.isFinite(p)) counts[d.poisoned[i] ? 'poisoned' : 'clean'][Math.min(BINS - 1, Math.floor(p * BINS - 1e-9))]++;
          });
        }
        for (const cls of ['poisoned', 'clean'] as const) {
          const total = counts[cls].reduce((a, b) => a + b, 0);
          if (total === 0) continue;
          counts[cls].forEach((c, b) =>
            rows.push({ panel, detector, stays: cls, bin_start: b / BINS, bin_end: (b + 1) / BINS, share: r4(c / total), count: c }),
          );
        }
      }
    }
    if (rows.length === 0) return { skipped: NO_SCORES };
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'Detector scores, poisoned vs clean training stays',
      data: { values: rows },
      facet: { row: { field: 'detector', type: 'nominal', title: 'detector' }, column: { field: 'panel', type: 'nominal', title: null } },
      spec: {
        width: 200,
        height: 110,
        mark: { type: 'rect', opacity: 0.55 },
        encoding: {
          x: {
            field: 'bin_start',
            type: 'quantitative',
            title: 'score percentile within the run',
            scale: { domain: [0, 1] },
            axis: { format: '.0%', tickCount: 5 },
          },
          x2: { field: 'bin_end' },
          y: { field: 'share', type: 'quantitative', title: 'share of the stays', stack: null },
          y2: { datum: 0 },
          color: {
            field: 'stays',
            type: 'nominal',
            title: 'training stays',
            scale: { domain: ['poisoned', 'clean'], range: ['#c0392b', '#7f8c8d'] },
          },
          tooltip: [
            { field: 'panel', type: 'nominal', title: 'model · trigger · rate' },
            { field: 'detector', type: 'nominal' },
            { field: 'stays', type: 'nominal' },
            { field: 'bin_start', type: 'quantitative', title: 'from percentile', format: '.0%' },
            { field: 'share', type: 'quantitative', format: '.3f' },
            { field: 'count', type: 'quantitative', title: 'stays (all seeds)' },
          ],
        },
      },
      resolve: { scale: { y: 'independent' } },
      config: BASE_CONFIG,
    };
    return { spec };
  },
};

export const detectionRocCurves: PlotDefinition = {
  name: 'detection_roc_curves',
  section: 'Detection and defence',
  title: 'Detection ROC curves',
  description:
    'True-positive rate (poisoned stays found) against false-positive rate (clean stays flagged) as each detector’s threshold moves, one panel per model × trigger at its highest poison rate, one curve per detector; mean over seeds at fixed false-positive rates. The diagonal is a detector that guesses.',
  build: (input) => {
    const rows: Record<string, unknown>[] = [];
    for (const { panel, runs } of panelsOf(input)) {
      const detectors = [...new Set(runs.flatMap((r) => r.map((d) => d.detector)))].sort();
      for (const detector of detectors) {
        const curves: number[][] = [];
        for (const run of runs) {
          const d = run.find((x) => x.detector === detector);
          if (!d) continue;
          const keep = Array.from(d.scores.keys()).filter((i) => Number.isFinite(d.scores[i]));
          const curve = rocCurve(
            keep.map((i) => d.poisoned[i]),
            keep.map((i) => d.scores[i]),
          );
          if (curve) curves.push(rocAt(curve, GRID));
        }
        if (curves.length === 0) continue;
        GRID.forEach((x, i) =>
          rows.push({ panel, detector, x, y: r4(curves.reduce((a, c) => a + c[i], 0) / curves.length), seeds: curves.length }),
        );
      }
    }
    if (rows.length === 0) return { skipped: NO_SCORES };
    const axis = { scale: { domain: [0, 1] }, axis: { tickCount: 5 } };
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'Detection ROC, poisoned training stays',
      data: { values: rows },
      facet: { column: { field: 'panel', type: 'nominal', title: null } },
      spec: {
        width: 190,
        height: 190,
        layer: [
          {
            mark: { type: 'rule', color: '#bbb', strokeDash: [3, 3] },
            encoding: { x: { datum: 0 }, y: { datum: 0 }, x2: { datum: 1 }, y2: { datum: 1 } },
          },
          {
            mark: { type: 'line', strokeWidth: 1.6 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: 'false-positive rate (clean stays flagged)', ...axis },
              y: { field: 'y', type: 'quantitative', title: 'true-positive rate (poisoned found)', ...axis },
              color: { field: 'detector', type: 'nominal', title: 'detector' },
              tooltip: [
                { field: 'panel', type: 'nominal', title: 'model · trigger · rate' },
                { field: 'detector', type: 'nominal' },
                { field: 'x', type: 'quantitative', title: 'FPR', format: '.3f' },
                { field: 'y', type: 'quantitative', title: 'TPR (mean)', format: '.3f' },
                { field: 'seeds', type: 'quantitative' },
              ],
            },
          },
        ],
      },
      config: BASE_CONFIG,
    };
    return { spec };
  },
};
