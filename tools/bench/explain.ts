/**
 * Integrated-gradients throughput of @ehr-backdoor/explain beside a PyTorch autograd reference of the
 * same trained MLP, the same inputs and the same Gauss–Legendre rule, in one run:
 *
 *   npx tsx --import ./tools/node/source-loader.js tools/bench/explain.ts [--inputs 1024] [--steps 50] [--backend wasm] [--batches 1024,4096]
 *
 *   synthetic cohort in the real tabular layout (36 variables × 5 statistics + 2 static = 182 features)
 *     ─▶ train the default MLP [128, 64] for 2 epochs (train package, chosen backend)
 *     ─▶ IG on `inputs` test stays at `steps` steps (warm-up first), per internal batch size
 *     ─▶ weights, inputs and attributions to a temp dir ─▶ tools/bench/explain_reference.py
 *        (/usr/bin/python3 with python3-torch): the same IG, timed on 1 and 2 threads, and the largest
 *        attribution difference between the two implementations.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { integratedGradients } from '@ehr-backdoor/explain';
import { describeBackend, rowsOfSplit, selectBackend, trainModel, type BackendChoice } from '@ehr-backdoor/train';
import { benchDataset } from './bench-dataset.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const inputs = Number(arg('inputs', '1024'));
const steps = Number(arg('steps', '50'));
const backend = arg('backend', 'wasm') as BackendChoice;
const internalBatches = arg('batches', '1024,4096').split(',').map(Number);

// 2 048 training and 256 validation stays, then the `inputs` test stays IG is timed on; the time series are
// noise (the MLP reads only the tabular view).
const dataset = benchDataset(2048, 6, { stream: 'bench-explain', validation: 256, test: inputs, seriesCarryRisk: false });
const featureCount = dataset.tabular.features.length;

const info = await selectBackend(backend);
const { model } = await trainModel({ dataset, model: { kind: 'mlp' }, train: { epochs: 2 }, seed: 1, backend });
const x = model.prepareInputs(dataset, rowsOfSplit(dataset, 'test'));
const forward = (z: tf.Tensor) => model.forwardLogits(z);
await integratedGradients({ forward, inputs: tf.slice(x, 0, 64), steps });

// CPU time next to wall time: on a shared machine wall time measures the neighbours as well.
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const tfjs: { internalBatchSize: number; inputsPerSecond: number; inputsPerCpuSecond: number; relativeDelta: number }[] = [];
let attributions: Float32Array = new Float32Array(0);
for (const internalBatchSize of internalBatches) {
  await integratedGradients({ forward, inputs: tf.slice(x, 0, Math.ceil(internalBatchSize / steps) + 1), steps, internalBatchSize });
  const started = performance.now();
  const cpuStarted = cpuSeconds();
  const result = await integratedGradients({ forward, inputs: x, steps, internalBatchSize });
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds() - cpuStarted;
  let num = 0;
  let den = 0;
  result.delta.forEach((d, i) => ((num += Math.abs(d)), (den += Math.abs(result.forwardAtInput[i] - result.forwardAtBaseline[i]))));
  tfjs.push({ internalBatchSize, inputsPerSecond: inputs / seconds, inputsPerCpuSecond: inputs / cpu, relativeDelta: num / den });
  attributions = result.attributions;
}

// The floor of IG's cost: plain input-gradient passes of the same batch size, no path construction.
const rawBatch = internalBatches[internalBatches.length - 1];
const rawInput = tf.tidy(() => tf.tile(tf.slice(x, 0, 1), [rawBatch, 1]));
const inputGrad = tf.grad((z: tf.Tensor) => tf.sum(forward(z)));
tf.dispose(inputGrad(rawInput));
const rawStarted = performance.now();
let rawPasses = 0;
while (performance.now() - rawStarted < 3000) {
  const g = inputGrad(rawInput);
  await g.data();
  g.dispose();
  rawPasses++;
}
const rawRowsPerSecond = (rawPasses * rawBatch) / ((performance.now() - rawStarted) / 1000);
rawInput.dispose();

const dir = mkdtempSync(join(tmpdir(), 'bench-explain-'));
await model.save(join(dir, 'model'));
writeFileSync(join(dir, 'inputs.bin'), new Uint8Array((await x.data()).buffer));
writeFileSync(join(dir, 'attributions.bin'), new Uint8Array(attributions.buffer));
writeFileSync(join(dir, 'meta.json'), JSON.stringify({ inputs, features: featureCount, steps, internalBatchSizes: internalBatches }));
const checkpoint = JSON.parse(readFileSync(join(dir, 'model', 'checkpoint.json'), 'utf8')) as {
  network: { params: { name: string; shape: number[] }[] };
};
writeFileSync(join(dir, 'params.json'), JSON.stringify(checkpoint.network.params));
x.dispose();
model.dispose();

const script = fileURLToPath(new URL('./explain_reference.py', import.meta.url));
let torch: {
  threads: number;
  internalBatchSize: number;
  inputsPerSecond: number;
  inputsPerCpuSecond: number;
  maxAbsDiff: number;
  maxRelDiff: number;
  p99AbsDiff: number;
}[] = [];
try {
  torch = execFileSync('/usr/bin/python3', [script, dir], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
} catch (error) {
  console.error(`PyTorch reference failed (needs /usr/bin/python3 with python3-torch): ${String(error).split('\n')[0]}`);
}

console.log(
  `Integrated gradients, MLP [128, 64] on ${featureCount} features, ${inputs} inputs, ${steps} Gauss–Legendre steps; ${describeBackend(info)}`,
);
console.log(
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on a shared machine (figures are only comparable within one run)`,
);
console.log(
  `plain input-gradient passes (batch ${rawBatch}): ${rawRowsPerSecond.toFixed(0)} rows/s, i.e. at most ${(rawRowsPerSecond / steps).toFixed(0)} inputs/s at ${steps} steps`,
);
console.log('implementation                 internal batch   inputs/s (wall)   inputs/CPU-s   relative delta');
const row = (name: string, batch: number, wall: number, cpu: number, delta: string) =>
  console.log(`${name.padEnd(30)} ${String(batch).padStart(14)} ${wall.toFixed(0).padStart(17)} ${cpu.toFixed(0).padStart(14)}   ${delta}`);
for (const r of tfjs)
  row(`tfjs-${info.name}`, r.internalBatchSize, r.inputsPerSecond, r.inputsPerCpuSecond, r.relativeDelta.toExponential(2));
for (const r of torch)
  row(`pytorch (${r.threads} thread${r.threads > 1 ? 's' : ''})`, r.internalBatchSize, r.inputsPerSecond, r.inputsPerCpuSecond, '');
if (torch.length) {
  console.log(
    `|attribution difference| tfjs vs PyTorch: 99th percentile ${torch[0].p99AbsDiff.toExponential(2)}, largest ${torch[0].maxAbsDiff.toExponential(2)} ` +
      `(largest relative to the largest attribution: ${torch[0].maxRelDiff.toExponential(2)}; isolated larger differences are path points on a ReLU kink)`,
  );
}
