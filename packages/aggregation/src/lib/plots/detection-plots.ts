import type { TopLevelSpec } from 'vega-lite';
import { seedPointsOf } from './seed-points.js';
import { BASE_CONFIG, pointsOf, rateAxis, ratesOf, SCHEMA, TOOLTIP, type PlotDefinition } from './base.js';

export const detectionAurocHeatmap: PlotDefinition = {
  name: 'detection_auroc_heatmap',
  section: 'Detection and defence',
  title: 'Poison detection AUROC (detector × trigger)',
  description:
    'AUROC of each detector’s per-stay score against the true poisoned training rows, averaged over seeds, one row of panels per model (an MLP and a TCN study aggregated together stay apart) and one column per poison rate. 0.5 is chance; cells list the mean.',
  build: (input) => {
    const points = pointsOf(input, 'detect_auroc', (r) => r.poison_rate > 0 && r.detector !== '');
    if (points.length === 0) return { skipped: 'no run has detect_{detector}_auroc (run the sweep with --detect)' };
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'Detection AUROC by detector and trigger (mean over seeds)',
      data: { values: points.map((p) => ({ ...p })) },
      facet: {
        row: { field: 'model', type: 'nominal', title: 'model' },
        column: { field: 'poison_rate', type: 'ordinal', title: 'poison rate', header: { format: '.1~%', formatType: 'number' } },
      },
      spec: {
        width: { step: 70 },
        height: { step: 34 },
        encoding: {
          x: { field: 'trigger', type: 'nominal', title: 'trigger', axis: { labelAngle: -30 } },
          y: { field: 'detector', type: 'nominal', title: 'detector' },
        },
        layer: [
          {
            mark: { type: 'rect', stroke: 'white' },
            encoding: {
              color: {
                aggregate: 'mean',
                field: 'mean',
                type: 'quantitative',
                title: 'AUROC',
                scale: { domain: [0.5, 1], scheme: 'viridis', clamp: true },
              },
              tooltip: [
                { field: 'detector', type: 'nominal' },
                { field: 'trigger', type: 'nominal' },
                { aggregate: 'mean', field: 'mean', type: 'quantitative', title: 'mean AUROC', format: '.3f' },
                { aggregate: 'count', type: 'quantitative', title: 'model groups' },
              ],
            },
          },
          {
            mark: { type: 'text', fontSize: 11 },
            encoding: {
              text: { aggregate: 'mean', field: 'mean', type: 'quantitative', format: '.2f' },
              color: { condition: { test: 'datum.mean_mean > 0.8', value: 'black' }, value: 'white' },
            },
          },
        ],
      },
      config: BASE_CONFIG,
    };
    return { spec };
  },
};

export const asrAfterDefence: PlotDefinition = {
  name: 'asr_after_defence',
  section: 'Detection and defence',
  title: 'ASR after defence',
  description:
    'ASR before any defence (dashed; at rate 0 the clean model’s) and after removing each detector’s flagged training rows and retraining (`--detect --retrain`), at the operating threshold the retrained model chooses on its clean validation split (summaries written before it: both at 0.5). One row of panels per model, one column per trigger; faint dots are the single seeds.',
  build: (input) => {
    const defence = pointsOf(input, 'defence_asr', (r) => r.poison_rate > 0 && r.detector !== '');
    if (defence.length === 0) return { skipped: 'no run has defence_{detector}_asr (run the sweep with --detect --retrain)' };
    const cells = new Set(defence.map((p) => `${p.model}\u0000${p.trigger}`));
    // defence_asr is at the operating threshold when the runs also wrote defence_*_asr_at_0_5, and at 0.5
    // before; "no defence" is read at the same threshold (asr, or asr_at_0_5 / asr in older summaries).
    const atOperatingPoint = input.aggregation.rows.some((r) => r.metric === 'defence_asr_at_0_5');
    const hasAt05 = input.aggregation.rows.some((r) => r.metric === 'asr_at_0_5');
    const beforeMetric = atOperatingPoint || !hasAt05 ? 'asr' : 'asr_at_0_5';
    const before = pointsOf(input, beforeMetric, () => true)
      .filter((p) => cells.has(`${p.model}\u0000${p.trigger}`))
      .map((p) => ({ ...p, detector: 'no defence' }));
    const seeds = [
      ...seedPointsOf(input, beforeMetric, () => true)
        .filter((p) => cells.has(`${p.model}\u0000${p.trigger}`))
        .map((p) => ({ ...p, detector: 'no defence' })),
      ...seedPointsOf(input, 'defence_asr', (r) => r.poison_rate > 0 && r.detector !== ''),
    ];
    // Means and seeds share the facet's one data source; each layer filters its kind.
    const values = [...[...before, ...defence].map((p) => ({ kind: 'mean', ...p })), ...seeds.map((p) => ({ kind: 'seed', ...p }))];
    const rates = ratesOf(values);
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'ASR before and after each defence',
      data: { values },
      facet: { row: { field: 'model', type: 'nominal', title: 'model' }, column: { field: 'trigger', type: 'nominal', title: 'trigger' } },
      spec: {
        width: 200,
        height: 150,
        layer: [
          {
            transform: [{ filter: "datum.kind === 'mean'" }],
            mark: { type: 'line', point: true },
            encoding: {
              x: rateAxis(rates),
              y: { field: 'mean', type: 'quantitative', title: 'ASR', scale: { domain: [0, 1] } },
              color: { field: 'detector', type: 'nominal', title: 'defence' },
              strokeDash: { condition: { test: "datum.detector === 'no defence'", value: [5, 3] }, value: [1, 0] },
              tooltip: [{ field: 'detector', type: 'nominal', title: 'defence' }, ...TOOLTIP],
            },
          },
          {
            transform: [{ filter: "datum.kind === 'seed'" }],
            mark: { type: 'point', filled: true, opacity: 0.3, size: 12 },
            encoding: {
              x: rateAxis(rates),
              y: { field: 'value', type: 'quantitative' },
              color: { field: 'detector', type: 'nominal', title: 'defence' },
              tooltip: [
                { field: 'run', type: 'nominal' },
                { field: 'detector', type: 'nominal', title: 'defence' },
                { field: 'value', type: 'quantitative', title: 'ASR', format: '.3f' },
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
