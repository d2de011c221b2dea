import * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../config.js';

/** Mean over the batch of w_i · BCE(σ(z_i), y_i), in the overflow-free form max(z, 0) − z·y + log(1 + e^−|z|). */
export function weightedBce(logits: tf.Tensor1D, y: tf.Tensor1D, w: tf.Tensor1D): tf.Scalar {
  const perRow = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
  return tf.mean(tf.mul(perRow, w));
}

/** The class weights [w0, w1] of the configuration, or balanced ones from the training rows' labels. */
export function classWeightsOf(config: TrainConfig, labels: Uint8Array, rows: Int32Array): [number, number] {
  if (config.classWeights === 'none') return [1, 1];
  if (Array.isArray(config.classWeights)) return [config.classWeights[0], config.classWeights[1]];
  let positives = 0;
  for (const r of rows) positives += labels[r];
  const negatives = rows.length - positives;
  // A class absent from training gets weight 1 (nothing to weigh); n / (2 n_c) otherwise.
  return [negatives > 0 ? rows.length / (2 * negatives) : 1, positives > 0 ? rows.length / (2 * positives) : 1];
}
