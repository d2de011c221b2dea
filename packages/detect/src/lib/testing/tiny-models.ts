import * as tf from '@tensorflow/tfjs-core';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import { trainSpecModel } from './spec-models.js';

/**
 * A one-epoch MLP and LSTM on the CPU backend, for specs of the model-reading detectors: their bookkeeping
 * is under test, not the models' quality. The caller disposes them.
 */
export async function trainTinyModels(dataset: EhrDataset): Promise<{ mlp: TrainedModel; lstm: TrainedModel }> {
  tf.env().set('IS_TEST', true);
  const train = { epochs: 1, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' as const };
  const mlp = await trainSpecModel({ dataset, model: { kind: 'mlp', hidden: [4] }, train, seed: 1, backend: 'cpu' });
  const lstm = await trainSpecModel({ dataset, model: { kind: 'lstm', hidden: 4 }, train, seed: 1, backend: 'cpu' });
  return { mlp, lstm };
}
