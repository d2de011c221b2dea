import type { AggregatedRow, Aggregation } from '../aggregate/aggregate.js';
import { esc, fmt, fmtP, fmtRate, table } from './html.js';
import type { ReportInput } from './report-input.js';

/** The aggregated table's section: what its figures mean, the key metrics per group, and every row. */
export function tableSection(input: ReportInput): string {
  const agg = input.aggregation;
  return `<p class="desc">Key metrics per group (mean [${Math.round(agg.options.level * 100)} % CI over seeds, ${esc(intervalDescription(agg.options.interval))}], n = seeds with a value). ASR and flip rate are at each model's operating threshold (chosen on its clean validation split; the run summaries' <code>threshold_rule</code>), ASR at 0.5 at the fixed threshold; the ASR lift is the ASR minus the clean model's ASR for the same trigger and seed. Deltas are paired with the clean run of the same model and seed. Per-seed values are in the <code>per_seed</code> column. The full tidy table (every metric and detector) is in <a href="aggregated.csv"><code>aggregated.csv</code></a> / <a href="aggregated.arrow"><code>aggregated.arrow</code></a>${(input.tables ?? []).includes('aggregated.parquet') ? ' / <a href="aggregated.parquet"><code>aggregated.parquet</code></a>' : ''} and below; one row per run in <a href="runs.csv"><code>runs.csv</code></a>${(input.tables ?? []).includes('runs.parquet') ? ' / <a href="runs.parquet"><code>runs.parquet</code></a>' : ''}${(input.tables ?? []).includes('predictions.parquet') ? ', every prediction of every run in <a href="predictions.parquet"><code>predictions.parquet</code></a>' : ''} (docs/formats.md shows how to read them with pandas, polars and DuckDB).</p>
<p class="desc">${esc(measurementDescription(agg))}</p>
${keyTable(agg)}
<details><summary>Full table (${agg.rows.length} rows)</summary>
${table(
  [
    'model',
    'trigger',
    'mode',
    'rate',
    'detector',
    'metric',
    'n',
    'missing',
    'mean',
    'std',
    'CI low',
    'CI high',
    'clean mean',
    'Δ vs clean',
    'note',
  ],
  agg.rows.map((r) => [
    r.model,
    r.trigger,
    r.mode,
    fmtRate(r.poison_rate),
    r.detector,
    r.metric,
    String(r.n),
    String(r.n_missing),
    fmt(r.mean, 4),
    fmt(r.std, 4),
    fmt(r.ci_low, 4),
    fmt(r.ci_high, 4),
    fmt(r.clean_mean, 4),
    fmt(r.delta_mean, 4),
    r.note,
  ]),
)}
</details>`;
}

function measurementDescription(agg: Aggregation): string {
  const m = agg.measurement;
  const basis = m.rateBasis
    .map((b) =>
      b === 'train'
        ? 'a share of the whole training split (rate basis train)'
        : 'a share of the eligible training stays, label ≠ target (rate basis eligible)',
    )
    .join(' or ');
  const label = m.labelDefinition.map((l) => (l === 'icu_mortality' ? 'ICU mortality' : 'in-hospital mortality')).join(' or ');
  return `Measured as: poison rate = ${basis}; operating threshold ${m.thresholdRule.join(' or ')}; label ${label}; target label ${m.targetLabel.join(' or ')}.`;
}

function intervalDescription(interval: string): string {
  if (interval === 'auto') return 'logit-scale t interval for bounded metrics, t for the rest';
  if (interval === 'logit-t') return 'logit-scale t interval (t for unbounded metrics)';
  return interval === 'bootstrap' ? 'percentile bootstrap over seeds' : 't interval';
}

function ci(row: AggregatedRow | undefined): string {
  if (!row || row.n === 0) return '–';
  const m = fmt(row.mean);
  if (!Number.isFinite(row.ci_low)) return `${m} <span class="muted">(n=${row.n})</span>`;
  return `${m} <span class="muted">[${fmt(row.ci_low)}, ${fmt(row.ci_high)}] n=${row.n}</span>`;
}

function keyTable(agg: Aggregation): string {
  const metrics = [
    'asr_lift_vs_clean',
    'flip_rate',
    'asr',
    'asr_at_0_5',
    'auroc',
    'auroc_drop_vs_clean',
    'accuracy',
    'accuracy_drop_vs_clean',
    'ece',
    'ece_change_vs_clean',
    'confidence_shift',
  ];
  const groups = new Map<string, Map<string, AggregatedRow>>();
  for (const r of agg.rows) {
    if (r.detector !== '' || !metrics.includes(r.metric)) continue;
    const key = [r.dataset_hash, r.model, r.trigger, r.mode, r.poison_rate].join('\u0000');
    const g = groups.get(key) ?? new Map<string, AggregatedRow>();
    g.set(r.metric, r);
    groups.set(key, g);
  }
  const multiDataset = new Set(agg.rows.map((r) => r.dataset_hash)).size > 1;
  const header = [
    ...(multiDataset ? ['dataset'] : []),
    'model',
    'trigger',
    'mode',
    'rate',
    'ASR lift',
    'flip rate',
    'ASR',
    'ASR at 0.5',
    'AUROC',
    'AUROC drop',
    'accuracy',
    'accuracy drop',
    'ECE',
    'ECE change',
    'confidence shift',
  ];
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

export function rankingSection(agg: Aggregation): string {
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

export function testsSection(agg: Aggregation): string {
  if (agg.tests.length === 0) return '<p class="muted">No poisoned group to test.</p>';
  const computable = agg.tests.filter((t) => t.computable).length;
  return `<p class="desc">Paired t test (two-sided) of each poisoned group against the clean run of the same model and seed, for ${esc(agg.options.testMetrics.join(', '))};
the exact sign-flip permutation p beside it (with n seeds its smallest possible value is 2 / 2ⁿ: 0.25 for 3 seeds), and Welch's unpaired test as a secondary column.
Holm's correction runs over the ${computable} computable paired t tests (and separately over the permutation p-values). A test needs at least two seeds with both values; with fewer it is reported as not computable, never as significant.</p>
${table(
  [
    'model',
    'trigger',
    'rate',
    'metric',
    'pairs',
    'mean poisoned',
    'mean clean',
    'mean difference',
    't',
    'df',
    'p',
    'p (Holm)',
    'p perm.',
    'p perm. (Holm)',
    'p Welch',
    'significant',
  ],
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
