#!/usr/bin/env node
// The same training runs read at two epochs: the last (the runner's default, fixed-epoch protocol) and the
// best validation-AUROC epoch (early stopping with weight restoring). For every poisoned cell of a sweep at
// the given rates, `ehr-backdoor evaluate` scores the best epoch's checkpoint (kept by every run), next to
// the summary's figures for the last epoch. No retraining: both columns are the same trajectory.
//
//   node tools/scripts/selection-effect.mjs RUNS [--rates 0.005,0.01] [--triggers rare_value]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [runs, ...rest] = process.argv.slice(2);
if (!runs || !existsSync(runs)) {
  process.stderr.write('usage: node tools/scripts/selection-effect.mjs RUNS [--rates 0.005,0.01] [--triggers rare_value]\n');
  process.exit(2);
}
const option = (name, fallback) => {
  const i = rest.indexOf(`--${name}`);
  return (i >= 0 ? rest[i + 1] : fallback).split(',');
};
const rates = option('rates', '0.005,0.01');
const triggers = option('triggers', 'rare_value');
const bin = new URL('../../apps/runner/bin/ehr-backdoor.js', import.meta.url).pathname;

const rows = [];
for (const model of readdirSync(runs).filter((d) => existsSync(join(runs, d, 'none')))) {
  for (const trigger of triggers) {
    for (const rate of rates) {
      const dir = join(runs, model, trigger, rate);
      if (!existsSync(dir)) continue;
      for (const seedDir of readdirSync(dir).sort()) {
        const run = join(dir, seedDir);
        if (!existsSync(join(run, 'summary.json'))) continue;
        const last = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8'));
        const epoch = join(run, 'checkpoints', `epoch-${String(last.best_epoch).padStart(4, '0')}`);
        const best = JSON.parse(
          execFileSync(process.execPath, [bin, 'evaluate', '--checkpoint', epoch, '--json'], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }),
        );
        const metrics = best.metrics ?? best;
        rows.push({
          cell: `${model}/${trigger}/${rate}/${seedDir}`,
          bestEpoch: last.best_epoch,
          lastEpoch: last.evaluated_epoch,
          asrBest: metrics.asr,
          asrLast: last.asr,
          aurocBest: metrics.auroc,
          aurocLast: last.auroc,
        });
      }
    }
  }
}
const f = (x) => (typeof x === 'number' ? x.toFixed(3) : 'NaN');
console.log('| cell | best epoch | ASR at best | ASR at last | AUROC at best | AUROC at last |');
console.log('|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.cell} | ${r.bestEpoch} of ${r.lastEpoch} | ${f(r.asrBest)} | ${f(r.asrLast)} | ${f(r.aurocBest)} | ${f(r.aurocLast)} |`,
  );
const mean = (k) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
if (rows.length)
  console.log(
    `| mean of ${rows.length} | | ${f(mean('asrBest'))} | ${f(mean('asrLast'))} | ${f(mean('aurocBest'))} | ${f(mean('aurocLast'))} |`,
  );
