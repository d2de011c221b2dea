/**
 * The runner's sweep against the same grid run cell after cell by a PyTorch reference, in one run:
 *
 *   node --import ./tools/node/source-loader.js tools/bench/sweep.ts [--data data/default] [--epochs 5] [--threads 2]
 *
 *   1. `ehr-backdoor sweep` over a fixed small grid (mlp, tcn × rare_value × rates 0, 0.05 × seeds 0, 1),
 *      with its default workers (one process per core): wall time of the whole sweep, every phase included
 *      (data loading, poisoning, training, evaluation with bootstrap CIs, writing the run folders).
 *   2. For each cell, its inputs exported through the cell's own trained model (the same normalisation,
 *      the same poisoned training rows), then `pytorch_cell.py` trains the same architecture for the same
 *      epochs and predicts, one Python process per cell, sequentially (PyTorch with --threads threads).
 *
 * Prints both wall times and their ratio; AUROC/ASR of both side by side as a sanity check.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from '@ehr-backdoor/data';
import { applyPoisoning, buildTriggeredTestSet, readPlanManifest, resolveTrigger, triggeredTestDataset } from '@ehr-backdoor/poison';
import { loadModel, rowsOfSplit, selectBackend } from '@ehr-backdoor/train';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const data = resolve(arg('data', join(root, 'data/default')));
const epochs = arg('epochs', '5');
const threads = arg('threads', '2');
const bin = join(root, 'apps/runner/bin/ehr-backdoor.js');
const runs = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
const grid = ['--models', 'mlp', 'tcn', '--triggers', 'rare_value', '--poison-rates', '0', '0.05', '--seeds', '0', '1'];

const t0 = performance.now();
execFileSync(process.execPath, [bin, 'sweep', '--data', data, '--out', runs, '--epochs', epochs, ...grid], { stdio: ['ignore', 'ignore', 'inherit'] });
const runnerSeconds = (performance.now() - t0) / 1000;

await selectBackend('auto');
const dataset = await loadDataset(data);
const cells: { id: string; dir: string }[] = [];
for (const model of ['mlp', 'tcn']) {
  for (const [trigger, rate] of [['none', '0'], ['rare_value', '0.05']]) {
    for (const seed of [0, 1]) cells.push({ id: `${model}/${trigger}/${rate}/seed_${seed}`, dir: join(runs, model, trigger, rate, `seed_${seed}`) });
  }
}
const rows: { id: string; ours: { auroc: number; asr: number; epochs: number }; torch: { auroc: number; asr: number; seconds: number } }[] = [];
let torchSeconds = 0;
for (const cell of cells) {
  const summary = JSON.parse(readFileSync(join(cell.dir, 'summary.json'), 'utf8'));
  const plan = await readPlanManifest(join(cell.dir, 'poisoned_indices'));
  const poisoned = applyPoisoning(dataset, plan);
  const model = await loadModel(join(cell.dir, 'checkpoints'));
  const trigger = resolveTrigger(summary.trigger === 'none' ? 'rare_value' : summary.trigger, {});
  const triggered = buildTriggeredTestSet(dataset, trigger, 1);
  const trainRows = rowsOfSplit(poisoned, 'train');
  const testRows = rowsOfSplit(dataset, 'test');
  const out = mkdtempSync(join(tmpdir(), 'bench-cell-'));
  const dump = (name: string, ds: typeof dataset, r: ArrayLike<number>) => {
    const x = model.prepareInputs(ds, r);
    writeFileSync(join(out, `${name}.bin`), x.dataSync() as Float32Array);
    const shape = x.shape.slice(1);
    x.dispose();
    return shape;
  };
  const shape = dump('train', poisoned, trainRows);
  dump('test', dataset, testRows);
  const triggeredDataset = triggeredTestDataset(dataset, triggered);
  dump('triggered', triggeredDataset, Array.from({ length: triggered.rowIndices.length }, (_, i) => i));
  writeFileSync(join(out, 'y_train.bin'), Float32Array.from(trainRows, (r) => poisoned.labels[r]));
  writeFileSync(join(out, 'y_test.bin'), Float32Array.from(testRows, (r) => dataset.labels[r]));
  const features = dataset.tabular.features;
  const variables = [...new Set(features.map((f) => f.variable))];
  writeFileSync(
    join(out, 'meta.json'),
    JSON.stringify({
      model: summary.model,
      seed: summary.seed,
      epochs: summary.epochs_run,
      batchSize: 128,
      shape,
      nTrain: trainRows.length,
      nTest: testRows.length,
      nTriggered: triggered.rowIndices.length,
      classWeights: model.meta.classWeights,
      featureToken: features.map((f) => variables.indexOf(f.variable)),
    }),
  );
  model.dispose();
  const t = performance.now();
  const result = spawnSync('/usr/bin/python3', [join(root, 'tools/bench/pytorch_cell.py'), out, threads], { encoding: 'utf8', cwd: join(root, 'tools/bench') });
  const seconds = (performance.now() - t) / 1000;
  if (result.status !== 0) throw new Error(`pytorch_cell.py failed: ${result.stderr}`);
  torchSeconds += seconds;
  const torch = JSON.parse(result.stdout.trim().split('\n').pop()!);
  rows.push({ id: cell.id, ours: { auroc: summary.auroc, asr: summary.trigger === 'none' ? summary['asr@rare_value'] : summary.asr, epochs: summary.epochs_run }, torch: { ...torch, seconds } });
}

console.log(`grid: ${cells.length} cells (mlp, tcn × rare_value × rates 0, 0.05 × seeds 0, 1), up to ${epochs} epochs, data ${data}`);
console.log(`${'cell'.padEnd(32)} ${'epochs'.padStart(6)}  ${'ours AUROC'.padStart(10)} ${'torch AUROC'.padStart(11)}  ${'ours ASR'.padStart(8)} ${'torch ASR'.padStart(9)}  ${'torch s'.padStart(7)}`);
for (const r of rows) {
  console.log(`${r.id.padEnd(32)} ${String(r.ours.epochs).padStart(6)}  ${r.ours.auroc.toFixed(3).padStart(10)} ${r.torch.auroc.toFixed(3).padStart(11)}  ${r.ours.asr.toFixed(3).padStart(8)} ${r.torch.asr.toFixed(3).padStart(9)}  ${r.torch.seconds.toFixed(1).padStart(7)}`);
}
console.log(`\nrunner sweep (all phases, ${execFileSync('nproc').toString().trim()} workers): ${runnerSeconds.toFixed(1)} s`);
console.log(`PyTorch, cell after cell (${threads} threads, train + predict + process start): ${torchSeconds.toFixed(1)} s`);
console.log(`ratio (PyTorch sequential / runner sweep): ${(torchSeconds / runnerSeconds).toFixed(2)}×  — above 1 means the runner's sweep is faster`);
