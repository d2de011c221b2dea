import { spawn } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@ehr-backdoor/core';
import { listEpochCheckpoints } from './checkpoint.js';
import { loadModel } from './model.js';
import { fixtureDataset } from './testing/fixture.js';
import { RESUME_TEST_CONFIG } from './testing/resume-config.js';
import { trainModel, type TrainResult } from './train.js';
import { rowsOfSplit } from './inputs.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '../../../..');
const dataset = fixtureDataset();
const tmp = () => mkdtempSync(join(tmpdir(), 'train-'));
const weightsOf = (r: TrainResult) => Buffer.from(r.model.network.store.serialise());
const finalBytes = (dir: string) => readFileSync(join(dir, 'final', 'weights.bin'));

describe('trainModel (WASM)', () => {
  let reference: TrainResult;
  let referenceDir: string;

  beforeAll(async () => {
    referenceDir = tmp();
    reference = await trainModel({ ...RESUME_TEST_CONFIG, dataset, checkpointDir: referenceDir });
  });

  it('is deterministic by seed', async () => {
    const again = await trainModel({ ...RESUME_TEST_CONFIG, dataset });
    expect(weightsOf(again).equals(weightsOf(reference))).toBe(true);
    expect(again.history).toEqual(reference.history);
    const other = await trainModel({ ...RESUME_TEST_CONFIG, dataset, seed: 12 });
    expect(weightsOf(other).equals(weightsOf(reference))).toBe(false);
    expect(reference.backend.name).toBe('wasm');
    expect(reference.epochsRun).toBe(5);
    expect(reference.history[4].valAuroc).toBeGreaterThan(0.6);
  });

  it('keeps the last K epoch checkpoints and the best, and writes the best weights to final/', async () => {
    const kept = (await listEpochCheckpoints(referenceDir)).map((c) => c.epoch);
    expect(kept).toEqual([...new Set([reference.bestEpoch, 4, 5])].sort());
    const best = readFileSync(join(referenceDir, `epoch-000${reference.bestEpoch}`, 'weights.bin'));
    expect(finalBytes(referenceDir).equals(best)).toBe(true);
    expect(readdirSync(referenceDir).filter((f) => f.startsWith('.tmp'))).toEqual([]);
  });

  it.each([1, 2, 4])('resumes after epoch %i to bit-identical weights and history', async (k) => {
    const dir = tmp();
    const first = await trainModel({ ...RESUME_TEST_CONFIG, dataset, checkpointDir: dir, stopAfterEpochs: k });
    expect(first.stopped).toBe('paused');
    const resumed = await trainModel({ ...RESUME_TEST_CONFIG, dataset, checkpointDir: dir, resume: true });
    expect(resumed.resumedFromEpoch).toBe(k);
    expect(resumed.epochsThisCall).toBe(5 - k);
    expect(resumed.history).toEqual(reference.history);
    expect(weightsOf(resumed).equals(weightsOf(reference))).toBe(true);
    expect(finalBytes(dir).equals(finalBytes(referenceDir))).toBe(true);
  });

  it('resumes bit-identically after the training process is killed with SIGKILL mid-epoch', async () => {
    const dir = tmp();
    const child = spawn(
      process.execPath,
      ['--import', join(repoRoot, 'tools/node/source-loader.js'), join(here, 'testing/train-child.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const killedAt = await new Promise<string>((done, fail) => {
      let buffer = '';
      child.stdout.on('data', (chunk) => {
        buffer += String(chunk);
        const match = /batch 3 [2-9]\n/.exec(buffer);
        if (match) {
          child.kill('SIGKILL');
          done(match[0].trim());
        }
      });
      child.on('exit', (code, signal) => signal !== 'SIGKILL' && fail(new Error(`child exited early (${code}): ${stderr}`)));
    });
    await new Promise((r) => child.once('close', r));
    expect(killedAt).toMatch(/^batch 3 /);
    expect((await listEpochCheckpoints(dir)).map((c) => c.epoch).pop()).toBe(2);
    const resumed = await trainModel({ ...RESUME_TEST_CONFIG, dataset, checkpointDir: dir, resume: true });
    expect(resumed.resumedFromEpoch).toBe(2);
    expect(resumed.history).toEqual(reference.history);
    expect(weightsOf(resumed).equals(weightsOf(reference))).toBe(true);
  });

  it('refuses to resume under another config, dataset or backend, and to overwrite a run', async () => {
    await expect(trainModel({ ...RESUME_TEST_CONFIG, dataset, checkpointDir: referenceDir })).rejects.toMatchObject({
      code: 'E_CHECKPOINT_EXISTS',
    });
    await expect(trainModel({ ...RESUME_TEST_CONFIG, seed: 3, dataset, checkpointDir: referenceDir, resume: true })).rejects.toMatchObject({
      code: 'E_CHECKPOINT_CONFIG',
    });
    const flipped = fixtureDataset();
    (flipped.labels as Uint8Array)[0] ^= 1;
    await expect(trainModel({ ...RESUME_TEST_CONFIG, dataset: flipped, checkpointDir: referenceDir, resume: true })).rejects.toMatchObject({
      code: 'E_CHECKPOINT_DATASET',
    });
    await expect(
      trainModel({ ...RESUME_TEST_CONFIG, backend: 'cpu', dataset, checkpointDir: referenceDir, resume: true }),
    ).rejects.toMatchObject({
      code: 'E_CHECKPOINT_BACKEND',
    });
  });

  it('loads weights for evaluation, verifying hashes and checksums', async () => {
    const test = rowsOfSplit(dataset, 'test');
    const loaded = await loadModel(referenceDir, { expectConfigHash: reference.configHash, expectDatasetHash: reference.datasetHash });
    expect(loaded.predictProba(dataset, test)).toEqual(reference.model.predictProba(dataset, test));
    await expect(loadModel(referenceDir, { expectConfigHash: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'E_CHECKPOINT_CONFIG' });
    const broken = tmp();
    await reference.model.save(broken);
    const weights = readFileSync(join(broken, 'weights.bin'));
    weights[0] ^= 0xff;
    writeFileSync(join(broken, 'weights.bin'), weights);
    await expect(loadModel(broken)).rejects.toMatchObject({ code: 'E_CHECKPOINT_CORRUPT' });
    await expect(loadModel(tmp())).rejects.toMatchObject({ code: 'E_CHECKPOINT_MISSING' });
  });

  it('exposes normalised inputs, a differentiable forward pass and penultimate features', () => {
    const rows = [0, 5, 9];
    const x = reference.model.prepareInputs(dataset, rows);
    expect(x.shape).toEqual([3, dataset.tabular.features.length]);
    const logits = reference.model.forwardLogits(x).dataSync();
    const p = reference.model.predictProba(dataset, rows);
    logits.forEach((z, i) => expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(-z)), 6));
    x.dispose();
    const { values, dim } = reference.model.penultimate(dataset, rows);
    expect(dim).toBe(8);
    expect(values.length).toBe(24);
  });

  it.each([
    ['lstm', { hidden: 8 }],
    ['tcn', { channels: 8 }],
    ['tabtransformer', { dModel: 8, heads: 2, layers: 1, ffHidden: 16 }],
  ] as const)('%s trains, and resumes bit-identically', async (kind, sizes) => {
    const base = { model: { kind, ...sizes }, train: { epochs: 2, batchSize: 32 }, seed: 4, backend: 'wasm' as const, dataset };
    const full = await trainModel(base);
    const dir = tmp();
    await trainModel({ ...base, checkpointDir: dir, stopAfterEpochs: 1 });
    const resumed = await trainModel({ ...base, checkpointDir: dir, resume: true });
    expect(resumed.history).toEqual(full.history);
    expect(weightsOf(resumed).equals(weightsOf(full))).toBe(true);
    expect(Number.isFinite(full.history[1].trainLoss)).toBe(true);
    const rows = [1, 2];
    expect(full.model.predictProba(dataset, rows).every((p) => p > 0 && p < 1)).toBe(true);
    if (kind === 'tabtransformer') {
      const { tokens, heads, layers } = full.model.attentionWeights(dataset, rows);
      expect(tokens).toEqual(['[CLS]', 'heart_rate', 'sbp', 'lactate', 'age', 'sex_male']);
      const L = tokens.length;
      expect(layers[0].length).toBe(2 * heads * L * L);
      for (let q = 0; q < 2 * heads * L; q++) expect(layers[0].subarray(q * L, (q + 1) * L).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });
});

describe("selection: 'last'", () => {
  const config = {
    ...RESUME_TEST_CONFIG,
    train: { epochs: 12, batchSize: 16, learningRate: 0.05, patience: 0, selection: 'last' },
  } as const;

  it('returns and saves the final epoch, still reporting the best validation epoch, and loads it by default', async () => {
    const dir = tmp();
    const r = await trainModel({ ...config, dataset, checkpointDir: dir });
    expect(r.epochsRun).toBe(12);
    expect(r.selectedEpoch).toBe(12);
    expect(r.model.meta.epoch).toBe(12);
    const aurocs = r.history.map((h) => h.valAuroc);
    expect(aurocs[r.bestEpoch - 1]).toBe(Math.max(...aurocs));
    const last = readFileSync(join(dir, 'epoch-0012', 'weights.bin'));
    expect(finalBytes(dir).equals(last)).toBe(true);
    expect(weightsOf(r).equals(last)).toBe(true);
    expect(Buffer.from((await loadModel(dir)).network.store.serialise()).equals(last)).toBe(true);
    if (r.bestEpoch !== 12) {
      const best = readFileSync(join(dir, `epoch-${String(r.bestEpoch).padStart(4, '0')}`, 'weights.bin'));
      expect(Buffer.from((await loadModel(dir, { which: 'best' })).network.store.serialise()).equals(best)).toBe(true);
    }
  });

  it('selects the last epoch of a run still in progress, and resumes to the same final weights', async () => {
    const dir = tmp();
    const paused = await trainModel({ ...config, dataset, checkpointDir: dir, stopAfterEpochs: 5 });
    expect(paused.selectedEpoch).toBe(5);
    expect((await loadModel(dir)).meta.epoch).toBe(5);
    const resumed = await trainModel({ ...config, dataset, checkpointDir: dir, resume: true });
    const straight = await trainModel({ ...config, dataset });
    expect(weightsOf(resumed).equals(weightsOf(straight))).toBe(true);
  });

  it("keeps the hash of runs trained before the option existed ('best' is left out) and rejects other values", async () => {
    const { configHash, resolveModelConfig, resolveTrainConfig } = await import('./config.js');
    const model = resolveModelConfig(RESUME_TEST_CONFIG.model);
    const best = resolveTrainConfig({});
    const { selection: _s, ...before } = best;
    const { hashJson } = await import('@ehr-backdoor/core');
    expect(configHash(model, best, 1)).toBe(hashJson({ modelConfig: model, trainConfig: before, seed: 1 }));
    expect(configHash(model, resolveTrainConfig({ selection: 'last' }), 1)).not.toBe(configHash(model, best, 1));
    expect(() => resolveTrainConfig({ selection: 'final' as never })).toThrow(expect.objectContaining({ code: 'E_TRAIN_CONFIG' }));
  });
});

describe('early stopping', () => {
  it('stops when validation AUROC has not improved for `patience` epochs, keeping the best epoch', async () => {
    const dir = tmp();
    const r = await trainModel({
      ...RESUME_TEST_CONFIG,
      train: { epochs: 40, batchSize: 16, learningRate: 0.05, patience: 2 },
      dataset,
      checkpointDir: dir,
    });
    expect(r.stopped).toBe('early-stopping');
    expect(r.epochsRun).toBeLessThan(40);
    expect(r.epochsRun - r.bestEpoch).toBe(2);
    const aurocs = r.history.map((h) => h.valAuroc);
    expect(Math.max(...aurocs)).toBe(aurocs[r.bestEpoch - 1]);
    expect(r.model.meta.epoch).toBe(r.bestEpoch);
    expect(finalBytes(dir).equals(readFileSync(join(dir, `epoch-${String(r.bestEpoch).padStart(4, '0')}`, 'weights.bin')))).toBe(true);
    // Resuming a finished run trains no further and returns the same model.
    const again = await trainModel({
      ...RESUME_TEST_CONFIG,
      train: { epochs: 40, batchSize: 16, learningRate: 0.05, patience: 2 },
      dataset,
      checkpointDir: dir,
      resume: true,
    });
    expect(again.epochsThisCall).toBe(0);
    expect(weightsOf(again).equals(weightsOf(r))).toBe(true);
  });

  it('is off, with a warning, when validation has one class (AUROC NaN is recorded, not 0.5)', async () => {
    const negatives = Array.from(rowsOfSplit(dataset, 'val')).filter((i) => dataset.labels[i] === 0);
    const dir = tmp();
    const r = await trainModel({
      ...RESUME_TEST_CONFIG,
      train: { epochs: 3, batchSize: 16 },
      dataset,
      checkpointDir: dir,
      rows: { train: rowsOfSplit(dataset, 'train'), val: negatives },
    });
    expect(r.warnings[0]).toMatch(/validation AUROC is undefined/);
    expect(r.history.every((h) => Number.isNaN(h.valAuroc))).toBe(true);
    expect(r.bestEpoch).toBe(3);
    expect(r.stopped).toBe('max-epochs');
    const resumed = await trainModel({
      ...RESUME_TEST_CONFIG,
      train: { epochs: 3, batchSize: 16 },
      dataset,
      checkpointDir: dir,
      resume: true,
      rows: { train: rowsOfSplit(dataset, 'train'), val: negatives },
    });
    expect(resumed.history).toEqual(r.history);
  });

  it('stays off on resume from a checkpoint written before validationDefined was recorded', async () => {
    const negatives = Array.from(rowsOfSplit(dataset, 'val')).filter((i) => dataset.labels[i] === 0);
    const options = {
      ...RESUME_TEST_CONFIG,
      train: { epochs: 4, batchSize: 16, patience: 1 },
      dataset,
      rows: { train: rowsOfSplit(dataset, 'train'), val: negatives },
    };
    const dir = tmp();
    await trainModel({ ...options, checkpointDir: dir, stopAfterEpochs: 2 });
    const last = join(dir, 'epoch-0002');
    const { validationDefined, ...legacy } = JSON.parse(readFileSync(join(last, 'checkpoint.json'), 'utf8')) as {
      validationDefined?: boolean;
    };
    expect(validationDefined).toBe(false);
    const bytes = Buffer.from(JSON.stringify(legacy, null, 2) + '\n');
    writeFileSync(join(last, 'checkpoint.json'), bytes);
    const manifest = JSON.parse(readFileSync(join(last, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string; bytes: number }>;
    };
    manifest.files['checkpoint.json'] = { sha256: sha256(bytes), bytes: bytes.byteLength };
    writeFileSync(join(last, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const resumed = await trainModel({ ...options, checkpointDir: dir, resume: true });
    expect(resumed.epochsRun).toBe(4);
    expect(resumed.stopped).toBe('max-epochs');
  });
});

describe('trainModel input checks', () => {
  it('rejects bad options before any work', async () => {
    await expect(trainModel({ dataset, model: { kind: 'mlp' }, seed: 1.5 })).rejects.toMatchObject({ code: 'E_SEED' });
    await expect(trainModel({ dataset, model: { kind: 'mlp' }, seed: 1, resume: true })).rejects.toMatchObject({ code: 'E_RESUME' });
    await expect(trainModel({ dataset, model: { kind: 'mlp' }, seed: 1, rows: { train: [0, 10_000], val: [] } })).rejects.toMatchObject({
      code: 'E_ROWS',
    });
    await expect(trainModel({ dataset, model: { kind: 'mlp' }, seed: 1, backend: 'tpu' as never })).rejects.toMatchObject({
      code: 'E_BACKEND',
    });
  });
});

describe('resources and gradients', () => {
  it.each(['mlp', 'tcn', 'tabtransformer', 'lstm'] as const)('%s leaves no tensors behind once the model is disposed', async (kind) => {
    const { selectBackend } = await import('./backend.js');
    await selectBackend('wasm');
    const before = tf.memory().numTensors;
    const r = await trainModel({
      dataset,
      model: { kind, ...(kind === 'tabtransformer' ? { dModel: 8, heads: 2, layers: 1 } : {}) },
      train: { epochs: 2, batchSize: 64 },
      seed: 1,
      backend: 'wasm',
    });
    r.model.predictProba(dataset, [0, 1, 2]);
    r.model.penultimate(dataset, [0, 1]);
    r.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('differentiates the logits with respect to normalised inputs (for attributions)', async () => {
    const r = await trainModel({
      dataset,
      model: { kind: 'lstm', hidden: 4 },
      train: { epochs: 1, batchSize: 64 },
      seed: 2,
      backend: 'wasm',
    });
    const x = r.model.prepareInputs(dataset, [3]);
    const grad = tf
      .grad((input: tf.Tensor) => tf.sum(r.model.forwardLogits(input)))(x)
      .dataSync();
    const values = x.dataSync();
    const at = (i: number, delta: number) => {
      const shifted = values.slice();
      shifted[i] += delta;
      return r.model.forwardLogits(tf.tensor(shifted, x.shape)).dataSync()[0];
    };
    for (const i of [0, 5, values.length - 1]) expect(grad[i]).toBeCloseTo((at(i, 1e-2) - at(i, -1e-2)) / 2e-2, 2);
  });
});
