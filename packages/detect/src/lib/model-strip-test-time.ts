import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import type { Matrix } from './matrix.js';
import { stripTestTime, type StripTestTimeOptions, type StripTestTimeResult } from './strip-test-time.js';
import type { DetectCode } from './error-codes.js';

/**
 * {@link stripTestTime} on a trained model: the clean test stays, the same stays with the trigger
 * (rows of a triggered copy), and the defender's clean pool (e.g. validation rows), read as the
 * model reads them (`prepareInputs`), predicted with σ(forwardLogits).
 */
export interface ModelStripTestTimeOptions extends Pick<StripTestTimeOptions, 'blends' | 'frr' | 'thresholdRule' | 'blend' | 'seed'> {
  readonly model: TrainedModel;
  readonly cleanDataset: EhrDataset;
  readonly cleanRows: ArrayLike<number>;
  readonly triggeredDataset: EhrDataset;
  readonly triggeredRows: ArrayLike<number>;
  /** Clean rows of `cleanDataset` the defender blends with. */
  readonly poolRows: ArrayLike<number>;
  /** Stays per forward pass when reading inputs. Default 512. */
  readonly batchSize?: number;
}

/**
 * STRIP's test-time screen of a trained model (see {@link ModelStripTestTimeOptions}).
 * @throws InputError `E_DETECT_INPUT` for no clean or pool rows; and those of {@link stripTestTime}.
 */
export async function runModelStripTestTime(options: ModelStripTestTimeOptions): Promise<StripTestTimeResult> {
  const { model } = options;
  assertInput<DetectCode>(
    options.cleanRows.length >= 2 && options.poolRows.length >= 1,
    'E_DETECT_INPUT',
    () => `STRIP test-time needs ≥ 2 clean test rows and ≥ 1 pool row, got ${options.cleanRows.length} and ${options.poolRows.length}.`,
  );
  const shape =
    model.normalisation.view === 'tabular'
      ? [model.normalisation.names.length]
      : [model.normalisation.hours, 2 * model.normalisation.names.length];
  const size = shape.reduce((a, b) => a * b, 1);
  const batchSize = options.batchSize ?? 512;
  const read = async (dataset: EhrDataset, rowList: ArrayLike<number>): Promise<Matrix> => {
    const rows = Int32Array.from(rowList);
    const values = new Float32Array(rows.length * size);
    for (let start = 0; start < rows.length; start += batchSize) {
      const x = model.prepareInputs(dataset, rows.subarray(start, Math.min(rows.length, start + batchSize)));
      values.set(await x.data(), start * size);
      x.dispose();
    }
    return { values, rows: rows.length, cols: size };
  };
  return stripTestTime({
    clean: await read(options.cleanDataset, options.cleanRows),
    triggered: await read(options.triggeredDataset, options.triggeredRows),
    pool: await read(options.cleanDataset, options.poolRows),
    predict: async (batch, rows) => {
      const p = tf.tidy(() => tf.sigmoid(model.forwardLogits(tf.tensor(batch, [rows, ...shape]))));
      const out = (await p.data()) as Float32Array;
      p.dispose();
      return out;
    },
    blends: options.blends,
    frr: options.frr,
    thresholdRule: options.thresholdRule,
    blend: options.blend,
    seed: options.seed,
  });
}
