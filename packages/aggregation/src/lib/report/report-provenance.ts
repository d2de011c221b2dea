import type { AggregationWarning } from '../collect/warnings.js';
import { esc, table } from './html.js';
import type { ReportInput } from './report-input.js';

export function warningsSection(warnings: readonly AggregationWarning[]): string {
  if (warnings.length === 0) return '<p>No warnings: every run directory was finished and readable.</p>';
  return table(
    ['kind', 'code', 'run', 'message', 'left out'],
    warnings.map((w) => [
      esc(w.kind),
      esc(w.code),
      `<code>${esc(w.path || '(all runs)')}</code>`,
      esc(w.message),
      w.excluded ? '<span class="warn-excluded">yes</span>' : 'no',
    ]),
    { rawCells: true, className: 'warnings' },
  );
}

export function provenanceSection(input: ReportInput): string {
  const datasets = input.datasets.map((d) => [
    d.contentHash ? d.contentHash.slice(0, 16) : '(none recorded)',
    String(d.runs),
    d.path ?? '–',
    d.mimicVersion ?? '–',
    d.manifest ? `${d.manifest.cohort.stays ?? '?'} stays, ${d.manifest.cohort.positives ?? '?'} positives` : '–',
    d.manifest
      ? [d.manifest.task, d.manifest.windowHours !== undefined ? `${d.manifest.windowHours} h window` : undefined, d.manifest.createdBy]
          .filter(Boolean)
          .join(', ')
      : 'manifest not found',
  ]);
  const versions = new Map<string, Map<string, number>>();
  const backends = new Map<string, number>();
  const backendReasons = new Set<string>();
  for (const run of input.collection.runs) {
    for (const [k, v] of Object.entries(run.metadata?.versions ?? {})) {
      const m = versions.get(k) ?? new Map<string, number>();
      m.set(v, (m.get(v) ?? 0) + 1);
      versions.set(k, m);
    }
    const used = run.metadata?.backend?.used ?? run.summary.backend ?? '';
    if (used) backends.set(used, (backends.get(used) ?? 0) + 1);
    const requested = run.metadata?.backend?.requested;
    const reason = run.metadata?.backend?.reason;
    if (requested || reason) backendReasons.add(`requested ${requested ?? '?'} → ${used || '?'}${reason ? `: ${reason}` : ''}`);
  }
  const counted = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([v, n]) => `${v} (${n} run${n === 1 ? '' : 's'})`)
      .join(', ');
  return `<h3>Datasets</h3>
${table(['content hash', 'runs', 'path', 'MIMIC-IV version', 'cohort', 'dataset'], datasets)}
<h3>Versions recorded by the runs</h3>
${
  versions.size === 0
    ? '<p class="muted">No run_metadata.json recorded versions.</p>'
    : table(
        ['component', 'versions'],
        [...versions.entries()].sort().map(([k, m]) => [k, counted(m)]),
      )
}
<h3>Backends</h3>
${backends.size === 0 ? '<p class="muted">No backend recorded.</p>' : `<p>${esc(counted(backends))}</p>`}
${backendReasons.size > 0 ? `<ul>${[...backendReasons].map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}
<h3>This report</h3>
${table(
  ['item', 'value'],
  [
    ['created by', input.createdBy],
    ['created at', input.createdAt],
    ['runs root', input.collection.root],
    ['options', JSON.stringify(input.aggregation.options)],
    ...Object.entries(input.toolVersions).map(([k, v]) => [k, v]),
  ],
)}`;
}
