import { assertInput, CompatibilityError, sha256, hashJson } from '@ehr-backdoor/core';
import { SPLIT_CODE, type DatasetView, type EhrDataset, type SplitName } from '@ehr-backdoor/data';
import type { TrainCode } from './error-codes.js';

/**
 * Model inputs from an EhrDataset in raw clinical units. Normalisation is fitted here, on the training
 * rows the pipeline is given (which may be poisoned: a trigger value shifts the statistics exactly as
 * it would in a real pipeline), stored in the checkpoint and applied unchanged to validation and test.
 *
 *   tabular     x_j = (raw_j − mean_j) / std_j, then NaN (never measured) → 0, the training mean.
 *               Missingness stays visible through the `count` features.
 *   timeseries  [ (raw − mean_c) / std_c  for the C channels ‖ observed mask (0/1) for the C channels ]
 *               per hour: 2C inputs. Cells without any observation hold the data package's forward
 *               fill, so they are standardised like the rest; the mask tells the model which were measured.
 *
 * No clipping: a poisoning trigger may be an extreme value, and removing it would hide the attack.
 */
export type InputNormalisation =
  | { readonly view: 'tabular'; readonly names: readonly string[]; readonly mean: readonly number[]; readonly std: readonly number[] }
  | {
      readonly view: 'timeseries';
      readonly names: readonly string[];
      readonly hours: number;
      readonly mean: readonly number[];
      readonly std: readonly number[];
    };

/** The shape of one example as the network sees it. */
export type InputShape = readonly [features: number] | readonly [hours: number, channels: number];

/** Dataset rows (indices into the dataset's stays) of one split, ascending. */
export function rowsOfSplit(dataset: EhrDataset, split: SplitName): Int32Array {
  const code = SPLIT_CODE[split];
  const rows: number[] = [];
  for (let i = 0; i < dataset.n; i++) if (dataset.splits[i] === code) rows.push(i);
  return Int32Array.from(rows);
}

export function fitNormalisation(dataset: EhrDataset, view: DatasetView, rows: ArrayLike<number>): InputNormalisation {
  if (view === 'tabular') {
    const F = dataset.tabular.features.length;
    const { mean, std } = meanStd(F, rows.length, (r, add) => {
      const base = rows[r] * F;
      for (let j = 0; j < F; j++) add(j, dataset.tabular.values[base + j]);
    });
    return { view, names: dataset.tabular.features.map((f) => f.name), mean, std };
  }
  const { channels, hours: T, values, mask } = dataset.timeSeries;
  const C = channels.length;
  const { mean, std } = meanStd(C, rows.length, (r, add) => {
    for (let t = 0; t < T; t++) {
      const base = (rows[r] * T + t) * C;
      for (let c = 0; c < C; c++) if (mask[base + c]) add(c, values[base + c]);
    }
  });
  return { view, names: [...channels], hours: T, mean, std };
}

function meanStd(k: number, nRows: number, visit: (row: number, add: (j: number, x: number) => void) => void) {
  const count = new Float64Array(k);
  const mean = new Float64Array(k);
  const m2 = new Float64Array(k);
  const add = (j: number, x: number) => {
    if (!Number.isFinite(x)) return;
    count[j]++;
    const d = x - mean[j];
    mean[j] += d / count[j];
    m2[j] += d * (x - mean[j]);
  };
  for (let r = 0; r < nRows; r++) visit(r, add);
  // No training values, or no spread: mean 0 / std 1, so standardising never divides by zero.
  return {
    mean: Array.from(mean, (m, j) => (count[j] > 0 ? m : 0)),
    std: Array.from(m2, (s, j) => (count[j] > 1 && s > 0 ? Math.sqrt(s / (count[j] - 1)) : 1)),
  };
}

export function inputShape(norm: InputNormalisation): InputShape {
  return norm.view === 'tabular' ? [norm.names.length] : [norm.hours, 2 * norm.names.length];
}

export function inputSize(norm: InputNormalisation): number {
  return inputShape(norm).reduce((a, b) => a * b, 1);
}

/** Checks that `dataset` has the columns the normalisation was fitted on, in the same order. */
export function assertDatasetMatches(dataset: EhrDataset, norm: InputNormalisation): void {
  const names = norm.view === 'tabular' ? dataset.tabular.features.map((f) => f.name) : dataset.timeSeries.channels;
  const same = names.length === norm.names.length && names.every((n, i) => n === norm.names[i]);
  if (!same || (norm.view === 'timeseries' && dataset.timeSeries.hours !== norm.hours)) {
    throw new CompatibilityError<TrainCode>(
      'E_DATASET_LAYOUT',
      `The model was trained on ${norm.view} inputs [${norm.names.slice(0, 5).join(', ')}${norm.names.length > 5 ? ', …' : ''}] ` +
        `(${norm.names.length}${norm.view === 'timeseries' ? ` channels × ${norm.hours} h` : ' features'}), but the dataset has ` +
        `${names.length}${norm.view === 'timeseries' ? ` channels × ${dataset.timeSeries.hours} h` : ' features'} in another layout. ` +
        'Evaluate on a dataset prepared with the same variables and window.',
    );
  }
}

/** Normalised inputs of `rows`, row-major (n × inputSize), written into `out` if given. */
export function normaliseRows(dataset: EhrDataset, norm: InputNormalisation, rows: ArrayLike<number>, out?: Float32Array): Float32Array {
  const size = inputSize(norm);
  const result = out ?? new Float32Array(rows.length * size);
  if (norm.view === 'tabular') {
    const F = norm.names.length;
    const src = dataset.tabular.values;
    for (let r = 0; r < rows.length; r++) {
      const base = rows[r] * F;
      const o = r * F;
      for (let j = 0; j < F; j++) {
        const x = src[base + j];
        result[o + j] = Number.isFinite(x) ? (x - norm.mean[j]) / norm.std[j] : 0;
      }
    }
    return result;
  }
  const C = norm.names.length;
  const T = norm.hours;
  const { values, mask } = dataset.timeSeries;
  for (let r = 0; r < rows.length; r++) {
    for (let t = 0; t < T; t++) {
      const base = (rows[r] * T + t) * C;
      const o = (r * T + t) * 2 * C;
      for (let c = 0; c < C; c++) {
        const x = values[base + c];
        result[o + c] = Number.isFinite(x) ? (x - norm.mean[c]) / norm.std[c] : 0;
        result[o + C + c] = mask[base + c];
      }
    }
  }
  return result;
}

/**
 * Identity of what training reads: labels, splits and the view's values (and mask). Computed here
 * rather than trusted from the manifest, because a poisoned copy of a dataset may keep its parent's manifest.
 */
export function datasetHash(dataset: EhrDataset, view: DatasetView): string {
  const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const parts =
    view === 'tabular'
      ? [hashJson(dataset.tabular.features), sha256(bytes(dataset.tabular.values))]
      : [
          hashJson({ channels: dataset.timeSeries.channels, hours: dataset.timeSeries.hours }),
          sha256(bytes(dataset.timeSeries.values)),
          sha256(dataset.timeSeries.mask),
        ];
  return sha256([view, sha256(bytes(dataset.stayIds)), sha256(dataset.labels), sha256(dataset.splits), ...parts].join('\n'));
}

export function assertRows(dataset: EhrDataset, rows: ArrayLike<number>, what: string): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    assertInput<TrainCode>(
      Number.isInteger(r) && r >= 0 && r < dataset.n,
      'E_ROWS',
      () => `${what}: row ${String(r)} (position ${i}) is not a row of the dataset (0 ≤ row < ${dataset.n}).`,
    );
  }
}
