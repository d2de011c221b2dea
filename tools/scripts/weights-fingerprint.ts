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
import { benchDataset } from '../bench/bench-dataset.js';
import { rowsOfSplit, trainModel, type BackendChoice, type ModelKind } from '@ehr-backdoor/train';
const rows = 384,
  hours = 24;
const models = (process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 'mlp,lstm,tcn,tabtransformer').split(
  ',',
) as ModelKind[];
const at = process.argv.indexOf('--backend');
const backend = (at > 0 ? process.argv[at + 1] : 'wasm') as BackendChoice;
const dataset = benchDataset(rows, hours);
const train = rowsOfSplit(dataset, 'train');
const val = rowsOfSplit(dataset, 'val');
for (const kind of models) {
  const result = await trainModel({
    dataset,
    model: { kind },
    train: { epochs: 2, batchSize: 128, patience: 0, selection: 'last' },
    seed: 3,
    backend,
    rows: { train, val },
  });
  const dir = mkdtempSync(join(tmpdir(), 'weights-fingerprint-'));
  await result.model.save(dir);
  const p = result.model.predictProba(dataset, val);
  const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  console.log(
    `${kind.padEnd(15)} weights ${sha(readFileSync(join(dir, 'weights.bin')))}  predictions ${sha(new Uint8Array(p.buffer, p.byteOffset, p.byteLength))}  (${result.backend.name})`,
  );
  rmSync(dir, { recursive: true, force: true });
  result.model.dispose();
}
