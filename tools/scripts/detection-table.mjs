/**
 * The detection table of docs/results.md (issue 17) from a runs folder of a detection study
 * (`analyses: { detect: { retrain: true } }`): per model, attack and defence, the mean over the seeds that
 * finished of detection AUROC, TPR at 5 % FPR, precision at flagged, ASR before → after removal and
 * retraining (operating threshold), the clean model's ASR for that attack (rate-0 cell, same seed), clean
 * AUROC after, the clean model's AUROC and DER; the last column counts the seeds.
 *
 *   node tools/scripts/detection-table.mjs runs/detection-timeseries
 */
import { join } from 'node:path';
import { readJsonIfAny as read, subfolders as dirs } from './runs-folder.mjs';

const root = process.argv[2] ?? 'runs/detection';
const mean = (values) => {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(2) : '–';
};
// The study's attack order when its resolved file is there, else by name.
const resolved = read(join(root, 'study.resolved.json'));
const order = (resolved?.attacks ?? []).map((a) => a.name);
const rank = (a) => (order.includes(a) ? order.indexOf(a) : order.length);

console.log(
  "| model | target | trigger | defence | detection AUROC | TPR at 5 % FPR | precision at flagged | ASR before → after | clean model's ASR | clean AUROC after | clean model's AUROC | DER | seeds |",
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const model of dirs(root)) {
  const attacks = dirs(join(root, model))
    .filter((a) => a !== 'none')
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const attack of attacks) {
    for (const rate of dirs(join(root, model, attack)).filter((r) => Number(r) > 0)) {
      const cells = dirs(join(root, model, attack, rate))
        .map((seed) => ({
          run: read(join(root, model, attack, rate, seed, 'summary.json')),
          clean: read(join(root, model, 'none', '0', seed, 'summary.json')),
        }))
        .filter((c) => c.run && Object.keys(c.run).some((k) => k.startsWith('defence_')));
      if (cells.length === 0) continue;
      const detectors = Object.keys(cells[0].run)
        .filter((k) => /^detect_[a-z_]+_auroc$/.test(k) && !k.startsWith('detect_strip_test'))
        .map((k) => k.slice('detect_'.length, -'_auroc'.length));
      const target = cells[0].run.target_label;
      for (const d of detectors) {
        const col = (name) => mean(cells.map((c) => c.run[name]));
        const clean = (name) => mean(cells.map((c) => c.clean?.[name]));
        console.log(
          `| ${model} | ${target} | \`${attack}\` | \`${d}\` | ${col(`detect_${d}_auroc`)} | ${col(`detect_${d}_tpr_at_5fpr`)} | ${col(`detect_${d}_precision_at_flagged`)} | ` +
            `${col('asr')} → ${col(`defence_${d}_asr`)} | ${clean(`asr@${attack}`)} | ${col(`defence_${d}_clean_auroc`)} | ${clean('auroc')} | ${col(`defence_${d}_der`)} | ${cells.length} |`,
        );
      }
    }
  }
}
