/**
 * The fine-pruning table of docs/results.md from a runs folder whose cells ran
 * `ehr-backdoor detect --detectors fine_pruning`: per model, attack and rate, mean ± sd over seeds of
 * the ASR before, after pruning and after repair (operating threshold), the clean model's ASR for that
 * attack (same seed), the ASR at 0.5 before and after,
 * the clean-AUROC cost, DER and the share of penultimate units cut.
 *
 *   node tools/scripts/fine-pruning-table.mjs runs/fine-pruning
 */
import { join } from 'node:path';
import { readJsonIfAny as read, subfolders as dirs } from './runs-folder.mjs';

const root = process.argv[2] ?? 'runs/fine-pruning';
const stat = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return '—';
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return `${mean.toFixed(2)} ± ${sd.toFixed(2)}${v.length < values.length ? ` (n=${v.length})` : ''}`;
};

const rows = [];
for (const model of dirs(root)) {
  for (const attack of dirs(join(root, model))
    .filter((a) => a !== 'none')
    .sort()) {
    for (const rate of dirs(join(root, model, attack)).sort((a, b) => Number(a) - Number(b))) {
      const cells = dirs(join(root, model, attack, rate)).sort();
      const s = cells.map((seed) => ({
        run: read(join(root, model, attack, rate, seed, 'summary.json')),
        clean: read(join(root, model, 'none', '0', seed, 'summary.json')),
      }));
      const done = s.filter((c) => c.run && 'defence_fine_pruning_asr' in c.run);
      if (done.length === 0) continue;
      const col = (name) => done.map((c) => c.run[name] ?? NaN);
      rows.push(
        `| ${model} | ${attack} | ${(Number(rate) * 100).toFixed(0)} % | ${stat(col('asr'))} | ${stat(col('defence_fine_pruning_asr_pruned'))} | ${stat(col('defence_fine_pruning_asr'))} | ` +
          `${stat(done.map((c) => c.clean?.[`asr@${attack}`] ?? NaN))} | ${stat(col('asr_at_0_5'))} → ${stat(col('defence_fine_pruning_asr_at_0_5'))} | ${stat(col('defence_fine_pruning_clean_auroc_cost'))} | ` +
          `${stat(col('defence_fine_pruning_der'))} | ${stat(col('defence_fine_pruning_pruned_fraction'))} | ${done.length} |`,
      );
    }
  }
}
const cleanRows = [];
for (const model of dirs(root)) {
  const seeds = dirs(join(root, model, 'none', '0'));
  const runs = seeds
    .map((seed) => read(join(root, model, 'none', '0', seed, 'summary.json')))
    .filter((r) => r && 'defence_fine_pruning_clean_auroc_cost' in r);
  if (runs.length)
    cleanRows.push(
      `| ${model} | clean (rate 0) | ${stat(runs.map((r) => r.defence_fine_pruning_clean_auroc_cost))} | ${stat(runs.map((r) => r.defence_fine_pruning_pruned_fraction))} | ${runs.length} |`,
    );
}
console.log(
  '| model | attack | rate | ASR before | ASR pruned | ASR repaired | clean model ASR | ASR @0.5 before → repaired | clean-AUROC cost | DER | units cut | seeds |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log('\n| model | cell | clean-AUROC cost | units cut | seeds |\n|---|---|---|---|---|');
for (const r of cleanRows) console.log(r);
