import * as tf from '@tensorflow/tfjs-core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import { trainTinyModels } from './testing/tiny-models.js';
import { runModelStripTestTime } from './model-strip-test-time.js';
import { stripTestTime } from './strip-test-time.js';

describe('runModelStripTestTime', () => {
  const fixture = backdoorFixture(120, 4, 6);
  const models: Record<'mlp' | 'lstm', TrainedModel | undefined> = { mlp: undefined, lstm: undefined };
  beforeAll(async () => {
    Object.assign(models, await trainTinyModels(fixture.dataset));
  });
  afterAll(() => Object.values(models).forEach((m) => m?.dispose()));
  const test = () => Array.from(rowsOfSplit(fixture.dataset, 'test'));
  const val = () => Array.from(rowsOfSplit(fixture.dataset, 'val'));

  /** The same screen by hand: inputs as the model reads them, σ(logits) as predict. */
  async function byHand(model: TrainedModel, options: { blends: number; seed?: number; blend?: 'average' }) {
    const read = async (dataset: typeof fixture.dataset, rows: number[]) => {
      const x = model.prepareInputs(dataset, Int32Array.from(rows));
      const shape = x.shape.slice(1);
      const values = (await x.data()) as Float32Array;
      x.dispose();
      return { matrix: { values, rows: rows.length, cols: values.length / rows.length }, shape };
    };
    const clean = await read(fixture.dataset, test());
    const triggered = await read(fixture.withTrigger(test()), test());
    const pool = await read(fixture.dataset, val());
    return stripTestTime({
      clean: clean.matrix,
      triggered: triggered.matrix,
      pool: pool.matrix,
      predict: (batch, rows) =>
        tf.tidy(() => tf.sigmoid(model.forwardLogits(tf.tensor(batch, [rows, ...clean.shape])))).dataSync() as Float32Array,
      ...options,
    });
  }

  for (const kind of ['mlp', 'lstm'] as const)
    it(`screens the clean and triggered test stays of a ${kind} against the pool, as stripTestTime on its inputs`, async () => {
      const model = models[kind] as TrainedModel;
      const before = tf.memory().numTensors;
      const result = await runModelStripTestTime({
        model,
        cleanDataset: fixture.dataset,
        cleanRows: test(),
        triggeredDataset: fixture.withTrigger(test()),
        triggeredRows: test(),
        poolRows: val(),
        blends: 3,
        seed: 2,
        // Smaller than the row count, so inputs are read in several forward passes.
        batchSize: 7,
      });
      expect(tf.memory().numTensors).toBe(before);
      const want = await byHand(model, { blends: 3, seed: 2 });
      expect(result.blends).toBe(3);
      expect(result.cleanEntropy.length).toBe(test().length);
      Array.from(want.cleanEntropy).forEach((h, i) => expect(result.cleanEntropy[i]).toBeCloseTo(h, 5));
      Array.from(want.triggeredEntropy).forEach((h, i) => expect(result.triggeredEntropy[i]).toBeCloseTo(h, 5));
      expect(result.threshold).toBeCloseTo(want.threshold, 5);
    });

  it('passes the blend, FRR and threshold rule on', async () => {
    const model = models.mlp as TrainedModel;
    const base = {
      model,
      cleanDataset: fixture.dataset,
      cleanRows: test(),
      triggeredDataset: fixture.withTrigger(test()),
      triggeredRows: test(),
      poolRows: val(),
      blends: 2,
    };
    const averaged = await runModelStripTestTime({ ...base, blend: 'average' });
    const want = await byHand(model, { blends: 2, blend: 'average' });
    Array.from(want.cleanEntropy).forEach((h, i) => expect(averaged.cleanEntropy[i]).toBeCloseTo(h, 5));
    const empirical = await runModelStripTestTime({ ...base, thresholdRule: 'empirical', frr: 0.5 });
    const sorted = Float64Array.from(empirical.cleanEntropy).sort();
    const position = 0.5 * (sorted.length - 1);
    const lo = Math.floor(position);
    expect(empirical.threshold).toBeCloseTo(sorted[lo] + (position - lo) * (sorted[lo + 1] - sorted[lo]), 9);
    await expect(runModelStripTestTime({ ...base, frr: 2 })).rejects.toThrow(/frr must be in \(0, 1\)/);
  });

  it('needs two clean rows and one pool row', async () => {
    const base = {
      model: models.mlp as TrainedModel,
      cleanDataset: fixture.dataset,
      triggeredDataset: fixture.dataset,
      triggeredRows: test(),
    };
    await expect(runModelStripTestTime({ ...base, cleanRows: [test()[0]], poolRows: val() })).rejects.toThrow(
      expect.objectContaining({
        code: 'E_DETECT_INPUT',
        message: 'STRIP test-time needs ≥ 2 clean test rows and ≥ 1 pool row, got 1 and ' + val().length + '.',
      }),
    );
    await expect(runModelStripTestTime({ ...base, cleanRows: test(), poolRows: [] })).rejects.toThrow(
      `STRIP test-time needs ≥ 2 clean test rows and ≥ 1 pool row, got ${test().length} and 0.`,
    );
    const least = await runModelStripTestTime({ ...base, cleanRows: test().slice(0, 2), poolRows: val().slice(0, 1), blends: 2 });
    expect(least.cleanEntropy).toHaveLength(2);
  });
});
