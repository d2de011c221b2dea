/**
 * The runner's sweep against the same grid run cell after cell by a PyTorch reference, in one run:
 *
 *   node --import ./tools/node/source-loader.js tools/bench/sweep.ts [--data data/default] [--epochs 5] [--threads 2] [--repeat 1]
 *
 *   1. `ehr-backdoor sweep` over a fixed small grid (mlp, tcn × rare_value × rates 0, 0.05 × seeds 0, 1),
 *      with its default workers (one process per core): wall time of the whole sweep, every phase included
 *      (data loading, poisoning, training, evaluation with bootstrap CIs, writing the run folders).
 *   2. For each cell, its inputs exported through the cell's own trained model (the same normalisation,
 *      the same poisoned training rows), then `pytorch_cell.py` trains the same architecture for the same
 *      epochs and predicts, one Python process per cell, sequentially (PyTorch with --threads threads).
 *
 * Prints both wall times and their ratio; AUROC/ASR of both side by side as a sanity check. With
 * --repeat N the two sides run N times, alternately (runner, PyTorch, runner, …), each runner sweep into
 * a fresh directory, and the median of the N ratios is printed too: on a shared machine the load
 * drifts, and alternating exposes both sides to the same drift.
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
const repeat = Math.max(1, Number(arg('repeat', '1')));
const bin = join(root, 'apps/runner/bin/ehr-backdoor.js');
const grid = ['--models', 'mlp', 'tcn', '--triggers', 'rare_value', '--poison-rates', '0', '0.05', '--seeds', '0', '1'];

const runnerSweep = (): { runs: string; seconds: number } => {
  const runs = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  const t0 = performance.now();
  execFileSync(process.execPath, [bin, 'sweep', '--data', data, '--out', runs, '--epochs', epochs, ...grid], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { runs, seconds: (performance.now() - t0) / 1000 };
};
const first = runnerSweep();
const runs = first.runs;
const runnerTimes = [first.seconds];

await selectBackend('auto');
const dataset = await loadDataset(data);
const cells: { id: string; dir: string }[] = [];
for (const model of ['mlp', 'tcn']) {
  for (const [trigger, rate] of [['none', '0'], ['rare_value', '0.05']]) {
    for (const seed of [0, 1]) cells.push({ id: `${model}/${trigger}/${rate}/seed_${seed}`, dir: join(runs, model, trigger, rate, `seed_${seed}`) });
  }
}
type Ours = { auroc: number; asr: number; epochs: number };
const rows: { id: string; ours: Ours; torch: { auroc: number; asr: number; seconds: number } }[] = [];
const exported: { id: string; out: string; ours: Ours }[] = [];
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
  exported.push({ id: cell.id, out, ours: { auroc: summary.auroc, asr: summary.trigger === 'none' ? summary['asr@rare_value'] : summary.asr, epochs: summary.epochs_run } });
}

/** Every cell in PyTorch, one process after the other; the total wall time. */
const torchSweep = (record: boolean): number => {
  let total = 0;
  for (const cell of exported) {
    const t = performance.now();
    const result = spawnSync('/usr/bin/python3', [join(root, 'tools/bench/pytorch_cell.py'), cell.out, threads], { encoding: 'utf8', cwd: join(root, 'tools/bench') });
    const seconds = (performance.now() - t) / 1000;
    if (result.status !== 0) throw new Error(`pytorch_cell.py failed: ${result.stderr}`);
    total += seconds;
    if (record) rows.push({ id: cell.id, ours: cell.ours, torch: { ...JSON.parse(result.stdout.trim().split('\n').pop()!), seconds } });
  }
  return total;
};
const torchTimes = [torchSweep(true)];
for (let r = 1; r < repeat; r++) {
  runnerTimes.push(runnerSweep().seconds);
  torchTimes.push(torchSweep(false));
}

console.log(`grid: ${cells.length} cells (mlp, tcn × rare_value × rates 0, 0.05 × seeds 0, 1), up to ${epochs} epochs, data ${data}`);
console.log(`${'cell'.padEnd(32)} ${'epochs'.padStart(6)}  ${'ours AUROC'.padStart(10)} ${'torch AUROC'.padStart(11)}  ${'ours ASR'.padStart(8)} ${'torch ASR'.padStart(9)}  ${'torch s'.padStart(7)}`);
for (const r of rows) {
  console.log(`${r.id.padEnd(32)} ${String(r.ours.epochs).padStart(6)}  ${r.ours.auroc.toFixed(3).padStart(10)} ${r.torch.auroc.toFixed(3).padStart(11)}  ${r.ours.asr.toFixed(3).padStart(8)} ${r.torch.asr.toFixed(3).padStart(9)}  ${r.torch.seconds.toFixed(1).padStart(7)}`);
}
const workers = execFileSync('nproc').toString().trim();
const ratios = runnerTimes.map((r, i) => torchTimes[i] / r);
for (let i = 0; i < repeat; i++) {
  const label = repeat > 1 ? `run ${i + 1}: ` : '\n';
  console.log(`${label}runner sweep (all phases, ${workers} workers): ${runnerTimes[i].toFixed(1)} s`);
  console.log(`${repeat > 1 ? '       ' : ''}PyTorch, cell after cell (${threads} threads, train + predict + process start): ${torchTimes[i].toFixed(1)} s`);
  console.log(`${repeat > 1 ? '       ' : ''}ratio (PyTorch sequential / runner sweep): ${ratios[i].toFixed(2)}×  — above 1 means the runner's sweep is faster`);
}
if (repeat > 1) {
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = repeat % 2 ? sorted[(repeat - 1) / 2] : (sorted[repeat / 2 - 1] + sorted[repeat / 2]) / 2;
  console.log(`\nmedian ratio over ${repeat} alternating runs: ${median.toFixed(2)}× (range ${sorted[0].toFixed(2)}–${sorted[repeat - 1].toFixed(2)}×)`);
}
