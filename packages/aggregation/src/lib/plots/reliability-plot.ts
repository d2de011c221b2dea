import type { TopLevelSpec } from 'vega-lite';
import { cleanTestRows } from '../artifacts/predictions.js';
import { BASE_CONFIG, SCHEMA, type PlotDefinition } from './base.js';
import { reliabilityOfTarget } from './curves.js';
import { r4, rateColour, rateLabel, runGroups, withArtifact } from './run-groups.js';

export const reliabilityDiagrams: PlotDefinition = {
  name: 'reliability_diagrams',
  section: 'Clean performance and calibration',
  title: 'Reliability diagrams of p(target), clean vs poisoned models',
  description:
    'Clean test stays binned by the predicted probability of the attack’s target label (10 bins); each point is a bin’s mean p(target) against the share of its stays whose true label is the target, pooled over seeds, its size the number of stays. On the diagonal a model is calibrated; a backdoor that leaks into clean predictions bends the poisoned curves away from the clean one.',
  build: (input) => {
    const rows: Record<string, unknown>[] = [];
    for (const group of runGroups(input)) {
      const parts = withArtifact(input, group.runs, 'predictions').map(({ run, value }) => {
        const clean = cleanTestRows(value);
        const target = run.summary.targetLabel ?? 1;
        return { isTarget: Uint8Array.from(clean.yTrue, (y) => (y === target ? 1 : 0)), pTarget: clean.pTarget };
      });
      if (parts.length === 0) continue;
      for (const bin of reliabilityOfTarget(parts)) {
        rows.push({
          model: group.model,
          trigger: group.trigger,
          poison_rate: group.poison_rate,
          rate: rateLabel(group.poison_rate),
          bin: `${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}`,
          predicted: r4(bin.predicted),
          observed: r4(bin.observed),
          stays: bin.count,
          seeds: parts.length,
        });
      }
    }
    if (rows.length === 0) return { skipped: 'no run has a readable predictions.arrow (see the warnings for unreadable files)' };
    const colour = rateColour(rows.map((r) => r.poison_rate as number));
    const axis = { scale: { domain: [0, 1] }, axis: { tickCount: 5 } };
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'Reliability of p(target), clean test set',
      data: { values: rows },
      facet: { row: { field: 'model', type: 'nominal', title: 'model' }, column: { field: 'trigger', type: 'nominal', title: 'trigger' } },
      spec: {
        width: 170,
        height: 170,
        layer: [
          {
            mark: { type: 'rule', color: '#bbb', strokeDash: [3, 3] },
            encoding: { x: { datum: 0 }, y: { datum: 0 }, x2: { datum: 1 }, y2: { datum: 1 } },
          },
          {
            mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8 },
            encoding: {
              x: { field: 'predicted', type: 'quantitative', title: 'mean predicted p(target)', ...axis },
              y: { field: 'observed', type: 'quantitative', title: 'share with target label', ...axis },
              color: colour,
            },
          },
          {
            mark: { type: 'point', filled: true, opacity: 0.85 },
            encoding: {
              x: { field: 'predicted', type: 'quantitative' },
              y: { field: 'observed', type: 'quantitative' },
              color: colour,
              size: { field: 'stays', type: 'quantitative', title: 'stays in bin', scale: { range: [8, 120] } },
              tooltip: [
                { field: 'model', type: 'nominal' },
                { field: 'trigger', type: 'nominal' },
                { field: 'rate', type: 'nominal', title: 'poison rate' },
                { field: 'bin', type: 'nominal', title: 'p(target) bin' },
                { field: 'predicted', type: 'quantitative', format: '.3f', title: 'mean p(target)' },
                { field: 'observed', type: 'quantitative', format: '.3f', title: 'share with target label' },
                { field: 'stays', type: 'quantitative' },
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
