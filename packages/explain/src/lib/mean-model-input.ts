import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import type { ExplainCode } from './error-codes.js';

/**
 * The mean normalised model input over `rows`, [1, ...exampleShape]: integrated gradients' 'train-mean'
 * baseline for a model and its training stays. Summed `chunk` stays at a time (time-series training sets
 * do not fit in one tensor); the chunk sets the order of the additions, so the same chunk gives the same
 * bits. The caller disposes the result.
 * @throws InputError `E_IG_BASELINE` for no rows.
 */
export function meanModelInput(model: TrainedModel, dataset: EhrDataset, rows: ArrayLike<number>, chunk = 1024): tf.Tensor {
  assertInput<ExplainCode>(rows.length >= 1, 'E_IG_BASELINE', () => "baseline 'train-mean' needs at least one training row.");
  let sum: tf.Tensor | undefined;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = Array.prototype.slice.call(rows, start, Math.min(rows.length, start + chunk)) as number[];
    const x = model.prepareInputs(dataset, part);
    const next = tf.tidy(() => {
      const s = tf.sum(x, 0, true);
      return sum ? tf.add(sum, s) : s;
    });
    x.dispose();
    sum?.dispose();
    sum = next;
  }
  const mean = tf.tidy(() => tf.div(sum as tf.Tensor, rows.length));
  sum?.dispose();
  return mean;
}
