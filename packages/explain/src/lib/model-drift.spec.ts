import * as tf from '@tensorflow/tfjs-core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { rowsOfSplit, trainModel, type TrainedModel } from '@ehr-backdoor/train';
import { explainModelDrift } from './model-drift.js';

describe('explainModelDrift on train-package models', () => {
  const fixture = backdoorFixture();
  let mlp: TrainedModel;
  beforeAll(async () => {
    tf.env().set('IS_TEST', true);
    ({ model: mlp } = await trainModel({
      dataset: fixture.dataset,
      model: { kind: 'mlp', hidden: [16] },
      train: { epochs: 15, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' },
      seed: 1,
      backend: 'cpu',
    }));
  });
  afterAll(() => mlp?.dispose());

  it('puts the triggered stays’ attribution on the trigger’s features (MLP, tabular)', async () => {
    const rows = Array.from(rowsOfSplit(fixture.dataset, 'test'))
      .filter((i) => fixture.dataset.labels[i] === 0)
      .slice(0, 20);
    const triggered = fixture.withTrigger(rows);
    const before = tf.memory().numTensors;
    const result = await explainModelDrift({
      model: mlp,
      cleanDataset: fixture.withTrigger([]),
      triggeredDataset: triggered,
      rows,
      steps: 50,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.relativeConvergenceDelta).toBeLessThan(0.01);
    expect(result.columns.explain_trigger_attribution_ratio).toBeGreaterThan(result.drift.cleanTriggerAttributionRatio);
    expect(result.drift.groupImportance.names).toContain('heart_rate_max');
    for (const value of Object.values(result.columns)) expect(Number.isFinite(value)).toBe(true);
    const withMean = await explainModelDrift({
      model: mlp,
      cleanDataset: fixture.withTrigger([]),
      triggeredDataset: triggered,
      rows: rows.slice(0, 4),
      steps: 16,
      baseline: 'train-mean',
    });
    expect(withMean.clean.shape).toEqual([4, mlp.normalisation.names.length]);
  });

  it('groups time-series attributions by channel (LSTM)', async () => {
    const { model: lstm } = await trainModel({
      dataset: fixture.dataset,
      model: { kind: 'lstm', hidden: 4 },
      train: { epochs: 1, batchSize: 64 },
      seed: 2,
      backend: 'cpu',
    });
    try {
      const rows = Array.from(rowsOfSplit(fixture.dataset, 'test')).slice(0, 4);
      const result = await explainModelDrift({
        model: lstm,
        cleanDataset: fixture.withTrigger([]),
        triggeredDataset: fixture.withTrigger(rows),
        rows,
        steps: 8,
      });
      expect(result.clean.shape).toEqual([4, 6, 6]);
      expect(result.drift.groupImportance.names).toEqual(['heart_rate', 'sbp', 'lactate']);
      expect(result.drift.triggerElementShare).toBeGreaterThan(0);
    } finally {
      lstm.dispose();
    }
  });

  it('reports the attention shift of every TabTransformer block, tokens named', async () => {
    const { model: tt } = await trainModel({
      dataset: fixture.dataset,
      model: { kind: 'tabtransformer', dModel: 8, heads: 2, layers: 2, ffHidden: 16 },
      train: { epochs: 1, batchSize: 64 },
      seed: 3,
      backend: 'cpu',
    });
    try {
      const rows = Array.from(rowsOfSplit(fixture.dataset, 'test')).slice(0, 3);
      const before = tf.memory().numTensors;
      const result = await explainModelDrift({
        model: tt,
        cleanDataset: fixture.withTrigger([]),
        triggeredDataset: fixture.withTrigger(rows),
        rows,
        steps: 8,
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(result.attention).toHaveLength(2);
      expect(result.tokens?.length).toBe(result.attention?.[0].clsShift?.length);
      for (const block of result.attention ?? []) {
        expect(block.meanAbsDelta).toBeGreaterThan(0);
        expect(block.meanJsDivergence).toBeGreaterThanOrEqual(0);
        expect(block.meanJsDivergence).toBeLessThanOrEqual(1);
        // [CLS] attention is a distribution before and after: its changes sum to zero.
        expect(Array.from(block.clsShift ?? []).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
      }
    } finally {
      tt.dispose();
    }
  });

  it('rejects rows that are not the same stays', async () => {
    await expect(
      explainModelDrift({
        model: mlp,
        cleanDataset: fixture.dataset,
        triggeredDataset: fixture.dataset,
        rows: [1, 2],
        triggeredRows: [2, 1],
      }),
    ).rejects.toMatchObject({ code: 'E_IG_INPUTS' });
  });
});
