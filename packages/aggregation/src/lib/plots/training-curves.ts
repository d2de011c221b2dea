import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, SCHEMA, type PlotDefinition } from './base.js';
import { r4, rateColour, rateLabel, runGroups, withArtifact } from './run-groups.js';

const METRICS = [
  ['train_loss', 'training loss (class-weighted BCE)'],
  ['val_loss', 'validation loss (BCE)'],
  ['val_auroc', 'validation AUROC'],
] as const;

export const trainingCurves: PlotDefinition = {
  name: 'training_curves',
  section: 'Training',
  title: 'Training curves per epoch',
  description:
    'Training loss, validation loss and validation AUROC after each epoch, from the history every checkpoint carries; one column per model, one thin line per run (each seed and trigger), coloured by poison rate. Validation stays are clean, so a backdoor that costs nothing on them leaves these curves where the clean runs are; ASR is measured once, at the evaluated epoch, not per epoch.',
  build: (input) => {
    const rows: Record<string, unknown>[] = [];
    const seen = new Set<string>();
    for (const group of runGroups(input)) {
      for (const { run, value } of withArtifact(input, group.runs, 'history')) {
        // A clean run is the baseline of every trigger of its model: draw it once.
        const key = `${group.poison_rate === 0 ? '' : group.trigger}\u0000${run.dir}`;
        if (seen.has(key)) continue;
        seen.add(key);
        for (const h of value) {
          const values = { train_loss: h.trainLoss, val_loss: h.valLoss, val_auroc: h.valAuroc };
          for (const [metric, label] of METRICS) {
            const v = r4(values[metric]);
            if (v === null) continue;
            rows.push({
              model: group.model,
              trigger: group.poison_rate === 0 ? 'clean' : group.trigger,
              poison_rate: group.poison_rate,
              rate: rateLabel(group.poison_rate),
              seed: run.summary.seed,
              run: run.dir,
              epoch: h.epoch,
              metric: label,
              value: v,
            });
          }
        }
      }
    }
    if (rows.length === 0)
      return { skipped: 'no run has checkpoints with a training history (checkpoints/final/checkpoint.json or checkpoints/epoch-NNNN/)' };
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'Training curves',
      data: { values: rows },
      facet: {
        row: { field: 'metric', type: 'nominal', title: null, sort: METRICS.map((m) => m[1]) },
        column: { field: 'model', type: 'nominal', title: 'model' },
      },
      spec: {
        width: 200,
        height: 140,
        mark: { type: 'line', strokeWidth: 1, opacity: 0.55, point: { size: 10, opacity: 0.6 } },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: rateColour(rows.map((r) => r.poison_rate as number)),
          detail: { field: 'run', type: 'nominal' },
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'trigger', type: 'nominal' },
            { field: 'rate', type: 'nominal', title: 'poison rate' },
            { field: 'seed', type: 'quantitative' },
            { field: 'epoch', type: 'quantitative' },
            { field: 'metric', type: 'nominal' },
            { field: 'value', type: 'quantitative', format: '.4f' },
          ],
        },
      },
      resolve: { scale: { y: 'independent' } },
      config: BASE_CONFIG,
    };
    return { spec };
  },
};
