import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fixtureDataset } from '../testing/fixture.js';
import { rowsOfSplit } from '../inputs.js';
import { trainModel } from '../train.js';
import { exportOnnx } from './export-onnx.js';

/**
 * Every model kind, exported and run by onnxruntime (the CPU build inside onnxruntime-node 1.17.0),
 * reproduces our own logits and probabilities on the same prepared inputs within 1e-5.
 */
const dataset = fixtureDataset();

/**
 * Runs the model in onnxruntime-node in a child process: inside Jest's VM the binding rejects the
 * test's typed arrays (another realm's Float32Array), and a separate process is how a user runs it.
 */
function runOnnxRuntime(
  bytes: Uint8Array,
  x: Float32Array,
  dims: readonly number[],
): { logit: Float32Array; p: Float32Array; dims: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
  try {
    writeFileSync(join(dir, 'model.onnx'), bytes);
    writeFileSync(join(dir, 'x.bin'), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    const script = `
      import { readFileSync, writeFileSync } from 'node:fs';
      import ort from 'onnxruntime-node';
      const [dir, dims] = [process.argv[1], JSON.parse(process.argv[2])];
      const raw = readFileSync(dir + '/x.bin');
      const x = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
      const session = await ort.InferenceSession.create(dir + '/model.onnx');
      const out = await session.run({ x: new ort.Tensor('float32', x, dims) });
      writeFileSync(dir + '/logit.bin', out.logit.data);
      writeFileSync(dir + '/p.bin', out.p.data);
      process.stdout.write(JSON.stringify(out.logit.dims));`;
    const outDims = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script, dir, JSON.stringify(dims)], { encoding: 'utf8' }),
    ) as number[];
    const read = (name: string) => {
      const b = readFileSync(join(dir, name));
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    };
    return { logit: read('logit.bin'), p: read('p.bin'), dims: outDims };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const MODELS = [
  { kind: 'mlp', hidden: [16, 8], dropout: 0.2 },
  { kind: 'lstm', hidden: 8, dropout: 0.2 },
  { kind: 'tcn', channels: 6, kernelSize: 3, dilations: [1, 2], dropout: 0.1 },
  { kind: 'tabtransformer', dModel: 8, heads: 2, layers: 2, ffHidden: 16, dropout: 0.1 },
] as const;

describe.each(MODELS.map((m) => [m.kind, m] as const))('%s', (_kind, modelConfig) => {
  test('exports to ONNX and onnxruntime reproduces our predictions within 1e-5', async () => {
    const trained = await trainModel({
      dataset,
      model: modelConfig as never,
      train: { epochs: 2, batchSize: 32, learningRate: 0.01 },
      seed: 3,
      backend: 'cpu',
    });
    const model = trained.model;
    try {
      const { bytes, metadata } = exportOnnx(model, 'test');
      expect(JSON.parse(metadata['ehr_backdoor.model']).kind).toBe(modelConfig.kind);
      const rows = rowsOfSplit(dataset, 'test');
      const x = model.prepareInputs(dataset, rows);
      const ours = { logit: model.predictLogits(dataset, rows), p: model.predictProba(dataset, rows) };
      const theirs = runOnnxRuntime(bytes, x.dataSync() as Float32Array, x.shape);
      x.dispose();
      expect(theirs.dims).toEqual([rows.length]);
      let worst = { logit: 0, p: 0 };
      for (let i = 0; i < rows.length; i++) {
        worst = {
          logit: Math.max(worst.logit, Math.abs(theirs.logit[i] - ours.logit[i])),
          p: Math.max(worst.p, Math.abs(theirs.p[i] - ours.p[i])),
        };
      }
      expect(worst.p).toBeLessThan(1e-5);
      expect(worst.logit).toBeLessThan(1e-4);
      // not a constant model: the comparison means something
      expect(Math.max(...ours.p) - Math.min(...ours.p)).toBeGreaterThan(0.01);
    } finally {
      model.dispose();
      tf.disposeVariables();
    }
  });
});
