import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, modelLabel, pointsOf, SCHEMA, triggerLabel, type PlotDefinition, type PlotInput } from './base.js';
import { pairedSeedPointsOf, seedPointsOf } from './seed-points.js';

export const eceCleanVsPoisoned: PlotDefinition = {
  name: 'ece_clean_vs_poisoned',
  section: 'Clean performance and calibration',
  title: 'Calibration: ECE clean vs poisoned',
  description:
    'Expected calibration error of each poisoned group (y) against its matching clean runs (x); point size is the poison rate. Points above the diagonal are worse calibrated after poisoning; small faint dots are the single seeds.',
  build: (input) => {
    const points = pointsOf(input, 'ece', (r) => r.poison_rate > 0 && Number.isFinite(r.clean_mean));
    if (points.length === 0) return { skipped: 'no poisoned run with an ECE has a matching clean run with an ECE' };
    // Both axes share one domain so the diagonal y = x means "no change in calibration".
    const seeds = pairedSeedPointsOf(input, 'ece', (r) => Number.isFinite(r.clean_mean));
    const all = [...points.flatMap((p) => [p.mean ?? NaN, p.clean_mean ?? NaN]), ...seeds.flatMap((s) => [s.value, s.clean_value])].filter(
      Number.isFinite,
    );
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = (hi - lo) * 0.08 || Math.max(Math.abs(hi) * 0.05, 0.001);
    const domain: [number, number] = [Math.max(0, lo - pad), hi + pad];
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: 'ECE: clean vs poisoned',
      width: 340,
      height: 340,
      layer: [
        {
          data: { values: [{ x: domain[0] }, { x: domain[1] }] },
          mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
          encoding: {
            x: { field: 'x', type: 'quantitative', scale: { domain } },
            y: { field: 'x', type: 'quantitative', scale: { domain } },
          },
        },
        {
          // each seed: its poisoned run against the clean run of the same seed
          data: { values: seeds.map((p) => ({ ...p })) },
          mark: { type: 'point', filled: true, opacity: 0.3, size: 14 },
          encoding: {
            x: { field: 'clean_value', type: 'quantitative', scale: { domain } },
            y: { field: 'value', type: 'quantitative', scale: { domain } },
            color: { field: 'model', type: 'nominal' },
            tooltip: [
              { field: 'run', type: 'nominal' },
              { field: 'clean_value', type: 'quantitative', title: 'clean ECE (same seed)', format: '.4f' },
              { field: 'value', type: 'quantitative', title: 'poisoned ECE', format: '.4f' },
            ],
          },
        },
        {
          data: { values: points.map((p) => ({ ...p })) },
          mark: { type: 'point', filled: true, opacity: 0.85 },
          encoding: {
            x: { field: 'clean_mean', type: 'quantitative', title: 'ECE of the matching clean runs', scale: { domain } },
            y: { field: 'mean', type: 'quantitative', title: 'ECE of the poisoned runs', scale: { domain } },
            color: { field: 'model', type: 'nominal' },
            shape: { field: 'trigger', type: 'nominal' },
            size: {
              field: 'poison_rate',
              type: 'quantitative',
              title: 'poison rate',
              legend: { format: '.1~%' },
              scale: { zero: false, range: [30, 220] },
            },
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'trigger', type: 'nominal' },
              { field: 'poison_rate', type: 'quantitative', title: 'poison rate', format: '.2~%' },
              { field: 'clean_mean', type: 'quantitative', title: 'clean ECE', format: '.4f' },
              { field: 'mean', type: 'quantitative', title: 'poisoned ECE', format: '.4f' },
              { field: 'n', type: 'quantitative', title: 'seeds' },
            ],
          },
        },
      ],
      config: BASE_CONFIG,
    };
    return { spec };
  },
};

export const asrVsAurocDrop: PlotDefinition = {
  name: 'asr_vs_auroc_drop',
  section: 'Attack',
  title: 'The attacker’s trade-off: ASR vs clean-AUROC drop',
  description:
    'Each point is a model × poison rate group (point size: the rate), one panel per trigger; lines join the rates of one model, faint dots are the single seeds. The attacker wants the top-left: high ASR at no cost in clean AUROC (a stealthy backdoor).',
  build: (input) => {
    const means = groupMeans(input);
    if (means.length === 0) return { skipped: 'no poisoned group has both an ASR and a clean-AUROC drop' };
    const seeds = seedTradeOffs(input);
    // Means and seeds share the facet's one data source; each layer filters its kind.
    const values = [...means.map((m) => ({ kind: 'mean', ...m })), ...seeds];
    return { spec: tradeOffSpec(values) };
  },
};

/** Each poisoned model × trigger × mode × rate group of the primary dataset with both its mean ASR and its mean AUROC drop. */
function groupMeans(input: PlotInput): Record<string, unknown>[] {
  const agg = input.aggregation;
  const byGroup = new Map<string, Record<string, unknown>>();
  for (const r of agg.rows) {
    if (r.dataset_hash !== agg.primaryDataset || r.poison_rate === 0 || r.detector !== '' || r.trigger === 'none') continue;
    if (r.metric !== 'asr' && r.metric !== 'auroc_drop_vs_clean') continue;
    if (!Number.isFinite(r.mean)) continue;
    const key = [r.model, r.trigger, r.mode, r.poison_rate].join('\u0000');
    const entry = byGroup.get(key) ?? {
      model: modelLabel(r.model, input.labels),
      trigger: triggerLabel(r, input.labels),
      poison_rate: r.poison_rate,
    };
    if (r.metric === 'asr') Object.assign(entry, { asr: r.mean, asr_n: r.n });
    else Object.assign(entry, { auroc_drop: r.mean, drop_n: r.n });
    byGroup.set(key, entry);
  }
  return [...byGroup.values()].filter((e) => e.asr !== undefined && e.auroc_drop !== undefined);
}

/** Each poisoned seed's ASR against its own clean-AUROC drop, for the seeds that have both. */
function seedTradeOffs(input: PlotInput) {
  const drops = new Map(seedPointsOf(input, 'auroc_drop_vs_clean', (r) => r.poison_rate > 0).map((p) => [p.run, p.value]));
  return seedPointsOf(input, 'asr', (r) => r.poison_rate > 0)
    .filter((p) => drops.has(p.run))
    .map((p) => ({
      kind: 'seed',
      model: p.model,
      trigger: p.trigger,
      poison_rate: p.poison_rate,
      seed: p.seed,
      run: p.run,
      asr: p.value,
      auroc_drop: drops.get(p.run),
    }));
}

function tradeOffSpec(values: Record<string, unknown>[]): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: 'Attacker’s trade-off: ASR vs clean-AUROC drop',
    data: { values },
    facet: { column: { field: 'trigger', type: 'nominal', title: 'trigger' } },
    spec: {
      width: 250,
      height: 220,
      layer: [
        { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { x: { datum: 0 } } },
        {
          transform: [{ filter: "datum.kind === 'seed'" }],
          mark: { type: 'point', filled: true, opacity: 0.3, size: 14 },
          encoding: {
            x: { field: 'auroc_drop', type: 'quantitative' },
            y: { field: 'asr', type: 'quantitative' },
            color: { field: 'model', type: 'nominal' },
            tooltip: [
              { field: 'run', type: 'nominal' },
              { field: 'asr', type: 'quantitative', format: '.3f' },
              { field: 'auroc_drop', type: 'quantitative', title: 'AUROC drop', format: '.4f' },
            ],
          },
        },
        {
          transform: [{ filter: "datum.kind === 'mean'" }],
          mark: { type: 'line', opacity: 0.6 },
          encoding: {
            x: { field: 'auroc_drop', type: 'quantitative' },
            y: { field: 'asr', type: 'quantitative' },
            color: { field: 'model', type: 'nominal' },
            order: { field: 'poison_rate', type: 'quantitative' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'mean'" }],
          mark: { type: 'point', filled: true, opacity: 0.9 },
          encoding: {
            x: { field: 'auroc_drop', type: 'quantitative', title: 'clean-AUROC drop (clean − poisoned)' },
            y: { field: 'asr', type: 'quantitative', title: 'ASR', scale: { domain: [0, 1] } },
            color: { field: 'model', type: 'nominal' },
            size: {
              field: 'poison_rate',
              type: 'quantitative',
              title: 'poison rate',
              legend: { format: '.1~%' },
              scale: { zero: false, range: [30, 220] },
            },
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'trigger', type: 'nominal' },
              { field: 'poison_rate', type: 'quantitative', format: '.2~%' },
              { field: 'asr', type: 'quantitative', format: '.3f' },
              { field: 'auroc_drop', type: 'quantitative', title: 'AUROC drop', format: '.4f' },
              { field: 'asr_n', type: 'quantitative', title: 'seeds' },
            ],
          },
        },
      ],
    },
    config: BASE_CONFIG,
  };
}
