import * as tf from '@tensorflow/tfjs-core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { rowsOfSplit, trainModel, type TrainedModel } from '@ehr-backdoor/train';
import { meanModelInput } from './mean-model-input.js';

describe('meanModelInput', () => {
  const { dataset } = backdoorFixture();
  let model: TrainedModel;
  beforeAll(async () => {
    tf.env().set('IS_TEST', true);
    const train = { epochs: 1, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' as const };
    ({ model } = await trainModel({ dataset, model: { kind: 'mlp', hidden: [4] }, train, seed: 1, backend: 'cpu' }));
  });
  afterAll(() => model?.dispose());

  it('is the mean of the rows’ model inputs, in chunks that need not divide the rows', async () => {
    const rows = rowsOfSplit(dataset, 'train');
    const x = model.prepareInputs(dataset, rows);
    const whole = await tf.mean(x, 0, true).data();
    x.dispose();
    for (const chunk of [1024, 7, 1]) {
      const mean = meanModelInput(model, dataset, rows, chunk);
      expect(mean.shape).toEqual([1, whole.length]);
      const values = await mean.data();
      mean.dispose();
      Array.from(whole).forEach((w, j) => expect(values[j]).toBeCloseTo(w, 5));
    }
  });

  it('refuses no rows', () => {
    expect(() => meanModelInput(model, dataset, [])).toThrow(
      expect.objectContaining({ code: 'E_IG_BASELINE', message: "baseline 'train-mean' needs at least one training row." }),
    );
  });
});
