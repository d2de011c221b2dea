import * as tf from '@tensorflow/tfjs-core';
import { inputShape, inputSize, normaliseRows } from '../inputs.js';
import { Dropout } from '../models/network.js';
import { weightedBce } from './loss.js';
import type { RunContext, RunState } from './run-state.js';

/** The training rows, normalised once per call, with their labels and class weights. */
export interface TrainingData {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly sampleWeight: Float32Array;
}

export function trainingData(run: RunContext, s: RunState): TrainingData {
  const { dataset, trainRows } = run;
  const labels = dataset.labels;
  // A finished run (resumed after its last epoch) trains no more, so its rows are not normalised.
  const x = s.stopped ? new Float32Array(0) : normaliseRows(dataset, s.normalisation, trainRows);
  const sampleWeight = Float32Array.from(trainRows, (r) => s.classWeights[labels[r]]);
  const y = Float32Array.from(trainRows, (r) => labels[r]);
  return { x, y, sampleWeight };
}

/**
 * One pass over the training rows in the order of the run's shuffle stream: per batch, forward with the
 * dropout stream's masks, weighted BCE, gradients, one AdamW step. Returns the mean training loss.
 */
export function trainEpoch(
  run: RunContext,
  s: RunState,
  data: TrainingData,
  epoch: number,
  onBatch?: (progress: { epoch: number; batch: number; batches: number }) => void,
): number {
  const { trainRows } = run;
  const { batchSize } = run.trainConfig;
  const size = inputSize(s.normalisation);
  const shape = inputShape(s.normalisation);
  const batches = Math.ceil(trainRows.length / batchSize);
  const vars = s.network.store.variables;
  const order = s.shuffle.shuffle(Int32Array.from({ length: trainRows.length }, (_, i) => i));
  const dropout = new Dropout(s.dropout);
  let lossSum = 0;
  const xBuffer = new Float32Array(batchSize * size);
  for (let b = 0; b < batches; b++) {
    const idx = order.subarray(b * batchSize, Math.min(order.length, (b + 1) * batchSize));
    const B = idx.length;
    const yb = new Float32Array(B);
    const wb = new Float32Array(B);
    for (let i = 0; i < B; i++) {
      xBuffer.set(data.x.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
      yb[i] = data.y[idx[i]];
      wb[i] = data.sampleWeight[idx[i]];
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor(xBuffer.subarray(0, B * size), [B, ...shape]);
      const y = tf.tensor1d(yb);
      const w = tf.tensor1d(wb);
      const { value, grads } = tf.variableGrads(() => weightedBce(s.network.forward(x, dropout).logits, y, w), vars);
      s.optimizer.apply(vars.map((v) => grads[v.name]));
      return value;
    });
    lossSum += (loss.dataSync()[0] as number) * B;
    loss.dispose();
    onBatch?.({ epoch, batch: b + 1, batches });
  }
  return lossSum / trainRows.length;
}
