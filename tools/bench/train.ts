/**
 * Training throughput of @ehr-backdoor/train beside a PyTorch reference of the same architectures,
 * data, batch size and optimizer, in one run:
 *
 *   npx tsx --import ./tools/node/source-loader.js tools/bench/train.ts [--rows 2048] [--backend wasm] [--models mlp,lstm,tcn,tabtransformer]
 *
 * Data: a synthetic cohort in the real layout (36 variables × 5 statistics + 2 static features;
 * 24 hours × 36 channels, so 72 inputs per hour with the mask). Samples/s is measured on the second
 * epoch (the first warms up), without validation time. PyTorch runs with 1 thread first: tfjs-WASM runs
 * on one thread, so that table is the per-core comparison (a sweep runs one process per core on either
 * side); then with 2 threads (/usr/bin/python3 with python3-torch and libopenblas0-pthread from Debian).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDataset } from './bench-dataset.js';
import { rowsOfSplit, trainModel, type BackendChoice, type ModelKind } from '@ehr-backdoor/train';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rows = Number(arg('rows', '2048'));
const backend = arg('backend', 'wasm') as BackendChoice;
const models = arg('models', 'mlp,lstm,tcn,tabtransformer').split(',') as ModelKind[];
const batchSize = 128;
const hours = 24;

const dataset = benchDataset(rows, hours);
const features = dataset.tabular.features;
const C = dataset.timeSeries.channels.length;

const dir = mkdtempSync(join(tmpdir(), 'bench-train-'));
const train = rowsOfSplit(dataset, 'train');
const tfjs: Record<string, { samplesPerSecond: number; samplesPerCpuSecond: number; parameters: number; backend: string }> = {};
let featureToken: readonly number[] = [];
for (const kind of models) {
  let second = NaN;
  let cpuAtEpoch1 = process.cpuUsage();
  let perCpuSecond = NaN;
  const result = await trainModel({
    dataset,
    model: { kind },
    train: { epochs: 2, batchSize, patience: 0, selection: 'last' },
    seed: 1,
    backend,
    rows: { train, val: [] },
    onEpoch: (record, info) => {
      if (record.epoch === 1) cpuAtEpoch1 = process.cpuUsage();
      if (record.epoch === 2) {
        second = info.samplesPerSecond;
        const used = process.cpuUsage(cpuAtEpoch1);
        perCpuSecond = train.length / ((used.user + used.system) / 1e6);
      }
    },
  });
  tfjs[kind] = {
    samplesPerSecond: second,
    samplesPerCpuSecond: perCpuSecond,
    parameters: result.model.parameterCount,
    backend: result.backend.name,
  };
  const x = result.model.prepareInputs(dataset, train);
  writeFileSync(join(dir, kind === 'mlp' || kind === 'tabtransformer' ? 'tabular.bin' : 'series.bin'), x.dataSync() as Float32Array);
  x.dispose();
  const weights = result.model.meta.classWeights;
  writeFileSync(
    join(dir, 'y.bin'),
    Float32Array.from(train, (r) => dataset.labels[r]),
  );
  writeFileSync(
    join(dir, 'w.bin'),
    Float32Array.from(train, (r) => weights[dataset.labels[r]]),
  );
  if (kind === 'tabtransformer') featureToken = features.map((f) => [...new Set(features.map((g) => g.variable))].indexOf(f.variable));
  result.model.dispose();
  process.stderr.write(`tfjs ${kind}: ${second.toFixed(0)} samples/s\n`);
}
writeFileSync(
  join(dir, 'meta.json'),
  JSON.stringify({ batchSize, epochs: 1, features: features.length, hours, inputs: 2 * C, models, featureToken }),
);

type TorchResult = { samplesPerSecond: number; samplesPerCpuSecond: number; parameters: number };
// 2 threads as the study's reference; 1 thread as well, because on an oversubscribed machine OpenMP's
// threads spin-wait for each other and the 2-thread figure collapses (measured: 11× slower for the MLP).
const runTorch = (threads: number): Record<string, TorchResult> => {
  try {
    const script = fileURLToPath(new URL('./pytorch_reference.py', import.meta.url));
    const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
    const out = execFileSync('/usr/bin/python3', [script, dir, String(threads)], { encoding: 'utf8', env });
    return Object.fromEntries(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TorchResult & { model: string })
        .map((r) => [r.model, r]),
    );
  } catch (error) {
    process.stderr.write(
      `PyTorch reference unavailable (${(error as Error).message.split('\n')[0]}); apt-get install python3-torch libopenblas0-pthread\n`,
    );
    return {};
  }
};
const torchRuns = { 1: runTorch(1), 2: runTorch(2) };

console.log(`rows ${rows}, batch ${batchSize}, ${hours} h × ${2 * C} inputs, ${features.length} tabular features`);
console.log('wall = samples per second of elapsed time; cpu = samples per CPU-second (all threads)');
const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(0));
const ratio = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '-');
for (const threads of [1, 2] as const) {
  const torch = torchRuns[threads];
  console.log(
    threads === 1 ? '\nPer core: PyTorch with 1 thread (tfjs: one thread)' : `\nPyTorch with ${threads} threads (tfjs: one thread)`,
  );
  console.log('model            params(tfjs)  params(torch)  tfjs wall  torch wall  ratio   tfjs cpu  torch cpu  ratio');
  for (const kind of models) {
    const t = tfjs[kind];
    const p = torch[kind];
    console.log(
      `${kind.padEnd(16)} ${String(t.parameters).padStart(12)}  ${String(p?.parameters ?? '-').padStart(13)}  ${f(t.samplesPerSecond).padStart(9)}  ${f(p?.samplesPerSecond).padStart(10)}  ${ratio(t.samplesPerSecond, p?.samplesPerSecond).padStart(5)}  ${f(t.samplesPerCpuSecond).padStart(9)}  ${f(p?.samplesPerCpuSecond).padStart(9)}  ${ratio(t.samplesPerCpuSecond, p?.samplesPerCpuSecond).padStart(5)}`,
    );
  }
}
