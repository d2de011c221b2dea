import * as tf from '@tensorflow/tfjs-core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { validationAuroc } from '../auroc.js';
import { inputShape, normaliseRows, type InputNormalisation } from '../inputs.js';
import type { Network } from '../models/network.js';

/** Mean unweighted BCE and AUROC of `rows` (NaN for none), without dropout, `batchSize` rows at a time. */
export function evaluate(
  network: Network,
  dataset: EhrDataset,
  norm: InputNormalisation,
  rows: Int32Array,
  batchSize: number,
): { loss: number; auroc: number } {
  if (rows.length === 0) return { loss: NaN, auroc: NaN };
  const logits = new Float32Array(rows.length);
  const shape = inputShape(norm);
  for (let start = 0; start < rows.length; start += batchSize) {
    const chunk = rows.subarray(start, Math.min(rows.length, start + batchSize));
    const out = tf.tidy(() => network.forward(tf.tensor(normaliseRows(dataset, norm, chunk), [chunk.length, ...shape]), null).logits);
    logits.set(out.dataSync() as Float32Array, start);
    out.dispose();
  }
  let loss = 0;
  const labels = Array.from(rows, (r) => dataset.labels[r]);
  for (let i = 0; i < rows.length; i++) {
    const z = logits[i];
    loss += Math.max(z, 0) - z * labels[i] + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return { loss: loss / rows.length, auroc: validationAuroc(logits, labels).value };
}
