/**
 * Fingerprints of training: trains each model briefly on a fixed synthetic cohort and prints the sha256
 * of its trained weights and of its validation predictions. Run it before and after a change that must
 * not alter results (a kernel fix, a refactor) on the same backend; equal lines prove trained weights
 * and predictions byte-identical:
 *
 *   node --import ./tools/node/source-loader.js tools/scripts/weights-fingerprint.ts [mlp,lstm,tcn,tabtransformer] [--backend wasm]
 *
 * 384 training rows of the real layout (182 tabular features; 24 h × 72 inputs), 2 epochs, seed 3.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@ehr-backdoor/core';
import { CLINICAL_VARIABLES, STATIC_FEATURES, TABULAR_STATS, createDataset, type TabularFeature } from '@ehr-backdoor/data';
import { rowsOfSplit, trainModel, type BackendChoice, type ModelKind } from '@ehr-backdoor/train';
const rows = 384, hours = 24;
const models = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'mlp,lstm,tcn,tabtransformer').split(',') as ModelKind[];
const at = process.argv.indexOf('--backend');
const backend = (at > 0 ? process.argv[at + 1] : 'wasm') as BackendChoice;
const rng = Random.fromSeed(1, 'bench');
const channels = CLINICAL_VARIABLES.map((v) => v.name);
const features: TabularFeature[] = [
  ...channels.flatMap((variable) => TABULAR_STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
  ...STATIC_FEATURES.map((f) => ({ name: f.name, variable: f.name, stat: 'static' as const })),
];
const n = rows + 256;
const C = channels.length;
const risk = Float64Array.from({ length: n }, () => rng.normal());
const dataset = createDataset({
  stayIds: Int32Array.from({ length: n }, (_, i) => i + 1),
  subjectIds: Int32Array.from({ length: n }, (_, i) => i + 1),
  labels: Array.from(risk, (r) => (rng.next() < 1 / (1 + Math.exp(-(2 * r - 2))) ? 1 : 0)),
  splits: Array.from({ length: n }, (_, i) => (i < rows ? 0 : 1)),
  tabular: { features, values: Float32Array.from({ length: n * features.length }, (_, k) => (rng.next() < 0.1 ? NaN : risk[Math.floor(k / features.length)] + rng.normal())) },
  timeSeries: {
    channels,
    hours,
    values: Float32Array.from({ length: n * hours * C }, (_, k) => risk[Math.floor(k / (hours * C))] + rng.normal()),
    mask: Uint8Array.from({ length: n * hours * C }, () => (rng.next() < 0.3 ? 1 : 0)),
  },
});
const train = rowsOfSplit(dataset, 'train');
const val = rowsOfSplit(dataset, 'val');
for (const kind of models) {
  const result = await trainModel({ dataset, model: { kind }, train: { epochs: 2, batchSize: 128, patience: 0, selection: 'last' }, seed: 3, backend, rows: { train, val } });
  const dir = mkdtempSync(join(tmpdir(), 'weights-fingerprint-'));
  await result.model.save(dir);
  const p = result.model.predictProba(dataset, val);
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  console.log(`${kind.padEnd(15)} weights ${sha(readFileSync(join(dir, 'weights.bin')))}  predictions ${sha(new Uint8Array(p.buffer, p.byteOffset, p.byteLength))}  (${result.backend.name})`);
  rmSync(dir, { recursive: true, force: true });
  result.model.dispose();
}
