import * as tf from '@tensorflow/tfjs-core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import { trainTinyModels } from './testing/tiny-models.js';
import { namesTriggerVariables, runModelTriggerReconstruction } from './model-trigger-reconstruction.js';

describe('runModelTriggerReconstruction', () => {
  const fixture = backdoorFixture(120, 4, 6);
  const models: Record<'mlp' | 'lstm', TrainedModel | undefined> = { mlp: undefined, lstm: undefined };
  beforeAll(async () => {
    Object.assign(models, await trainTinyModels(fixture.dataset));
  });
  afterAll(() => Object.values(models).forEach((m) => m?.dispose()));
  const rows = () => rowsOfSplit(fixture.dataset, 'val');

  it('ranks the tabular features’ mask weight by clinical variable, per label, and disposes its tensors', async () => {
    const before = tf.memory().numTensors;
    const result = await runModelTriggerReconstruction({
      model: models.mlp as TrainedModel,
      dataset: fixture.dataset,
      rows: rows(),
      steps: 2,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.variables.map((v) => v.target)).toEqual([0, 1]);
    for (const [k, { ranking }] of result.variables.entries()) {
      expect(ranking.map((r) => r.variable).sort()).toEqual(['age', 'heart_rate', 'lactate', 'sbp']);
      // Each variable's weight is the sum of its features' mask values (five statistics per channel).
      const total = ranking.reduce((s, r) => s + r.weight, 0);
      expect(total).toBeCloseTo(result.triggers[k].maskL1, 4);
      expect(ranking.find((r) => r.variable === 'age')?.weight).toBeCloseTo(result.triggers[k].mask[15], 6);
      for (let i = 1; i < ranking.length; i++) expect(ranking[i - 1].weight).toBeGreaterThanOrEqual(ranking[i].weight);
    }
    expect(result.triggers[0].stays + result.triggers[1].stays).toBe(rows().length);
  });

  it('sums a time-series mask per channel, values and measured flags together', async () => {
    const model = models.lstm as TrainedModel;
    const result = await runModelTriggerReconstruction({ model, dataset: fixture.dataset, rows: rows(), steps: 2, maxStays: 5 });
    for (const [k, { ranking }] of result.variables.entries()) {
      expect(ranking.map((r) => r.variable).sort()).toEqual(['heart_rate', 'lactate', 'sbp']);
      const mask = result.triggers[k].mask;
      // [hours, 2C]: value channels 0–2 then their measured flags 3–5, hour by hour.
      let heartRate = 0;
      for (let t = 0; t < 4; t++) heartRate += mask[t * 6] + mask[t * 6 + 3];
      expect(ranking.find((r) => r.variable === 'heart_rate')?.weight).toBeCloseTo(heartRate, 5);
      expect(result.triggers[k].stays).toBeLessThanOrEqual(5);
    }
  });

  it('needs at least two clean stays', async () => {
    await expect(
      runModelTriggerReconstruction({ model: models.mlp as TrainedModel, dataset: fixture.dataset, rows: [rows()[0]] }),
    ).rejects.toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: 'trigger reconstruction needs at least 2 clean stays, got 1.' }),
    );
    // Two stays, one of each label, are enough: each target has a stay to flip.
    const labels = fixture.dataset.labels;
    const pair = [rows().find((r) => labels[r] === 0), rows().find((r) => labels[r] === 1)] as number[];
    const result = await runModelTriggerReconstruction({
      model: models.mlp as TrainedModel,
      dataset: fixture.dataset,
      rows: pair,
      steps: 1,
    });
    expect(result.triggers.map((t) => t.stays)).toEqual([1, 1]);
  });
});

describe('namesTriggerVariables', () => {
  it('is the share of the true trigger variables among the top |true| of a ranking', () => {
    const ranking = [{ variable: 'hr' }, { variable: 'sbp' }, { variable: 'gcs' }, { variable: 'lactate' }];
    expect(namesTriggerVariables(ranking, ['hr'])).toBe(1);
    expect(namesTriggerVariables(ranking, ['sbp'])).toBe(0);
    expect(namesTriggerVariables(ranking, ['sbp', 'hr'])).toBe(1);
    expect(namesTriggerVariables(ranking, ['gcs', 'hr'])).toBe(0.5);
    expect(namesTriggerVariables(ranking, ['lactate', 'gcs', 'x'])).toBeCloseTo(1 / 3, 12);
    expect(namesTriggerVariables(ranking, [])).toBeNaN();
  });
});
