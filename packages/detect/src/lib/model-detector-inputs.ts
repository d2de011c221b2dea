import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { integratedGradients, meanModelInput, type IgMethod } from '@ehr-backdoor/explain';
import type { TrainedModel } from '@ehr-backdoor/train';
import { binaryCrossEntropy } from './abl-isolation.js';
import type { ScreeningData } from './input-screening.js';
import type { HourlyData } from './screening-types.js';
import type { Matrix } from './matrix.js';
import type { RunDetectorsOptions } from './run-detectors.js';
import type { DetectorName } from './types.js';
import type { DetectCode } from './error-codes.js';

/** Integrated gradients for the attribution detector. Defaults: 32 steps, Gauss–Legendre, zero baseline. */
export interface TrainingAttributionOptions {
  readonly steps?: number;
  readonly method?: IgMethod;
  readonly baseline?: 'zero' | 'train-mean';
  readonly internalBatchSize?: number;
}

/** What {@link detectorInputs} reads: the models, the training rows and how to take their attributions. */
export interface DetectorInputsOptions {
  readonly model: TrainedModel;
  readonly dataset: EhrDataset;
  /** Dataset rows the model was trained on; position k of every extracted matrix is row trainRows[k]. */
  readonly trainRows: Int32Array;
  /** The training rows' labels as trained on (abl_isolation's losses are taken against them). */
  readonly labels: Uint8Array;
  readonly detectors: readonly DetectorName[];
  readonly earlyModel?: TrainedModel;
  readonly attribution?: TrainingAttributionOptions;
  /** input_screening's components: a consistency component also needs a tabular model's hourly charting. */
  readonly screeningComponents?: unknown;
  /** Stays per forward pass (a positive integer). */
  readonly batchSize: number;
}

/** The inputs of {@link runDetectors} that come from the model and the dataset. */
export type DetectorInputs = Pick<
  RunDetectorsOptions,
  'representations' | 'inputs' | 'predict' | 'attributions' | 'screeningData' | 'clinicalFeatures' | 'earlyLosses'
>;

/** What the chosen detectors read, extracted from the models only for the detectors that need it (each costs passes over the data). */
export async function detectorInputs(options: DetectorInputsOptions): Promise<DetectorInputs> {
  const { model, dataset, trainRows, detectors, batchSize } = options;
  const n = trainRows.length;
  let representations: Matrix | undefined;
  if (detectors.includes('spectral') || detectors.includes('activation_clustering')) {
    const { values, dim } = model.penultimate(dataset, trainRows, batchSize);
    representations = { values, rows: n, cols: dim };
  }
  const strip = detectors.includes('strip') ? await stripInputs(model, dataset, trainRows, batchSize) : undefined;
  const wanted = options.screeningComponents;
  const hourly = Array.isArray(wanted) && wanted.some((c) => String(c).startsWith('consistency'));
  const screeningData = detectors.includes('input_screening')
    ? rawTrainingData(dataset, trainRows, model.normalisation.view, hourly)
    : undefined;
  const clinicalFeatures = detectors.includes('confident_learning') ? tabularFeatures(dataset, trainRows) : undefined;
  let earlyLosses: Float64Array | undefined;
  if (detectors.includes('abl_isolation')) {
    assertInput<DetectCode>(
      options.earlyModel !== undefined,
      'E_DETECT_INPUT',
      () =>
        'abl_isolation needs earlyModel, a model trained on the same rows for the first epochs only (the runner trains one; --abl-epochs sets how many).',
    );
    earlyLosses = binaryCrossEntropy(options.earlyModel.predictProba(dataset, trainRows, batchSize), options.labels);
  }
  const attributions = detectors.includes('attribution') ? await trainingAttributions(options) : undefined;
  return { representations, inputs: strip?.inputs, predict: strip?.predict, attributions, screeningData, clinicalFeatures, earlyLosses };
}

/** The training rows in consecutive slices of at most `batchSize`, each with its first position. */
function* rowBatches(trainRows: Int32Array, batchSize: number): Generator<{ start: number; rows: Int32Array }> {
  for (let start = 0; start < trainRows.length; start += batchSize)
    yield { start, rows: trainRows.subarray(start, Math.min(trainRows.length, start + batchSize)) };
}

/** STRIP's material: the training stays' model inputs (normalised) and a batch predictor of p(label 1). */
async function stripInputs(
  model: TrainedModel,
  dataset: EhrDataset,
  trainRows: Int32Array,
  batchSize: number,
): Promise<{ inputs: Matrix; predict: NonNullable<RunDetectorsOptions['predict']> }> {
  const n = trainRows.length;
  const exampleShape =
    model.normalisation.view === 'tabular'
      ? [model.normalisation.names.length]
      : [model.normalisation.hours, 2 * model.normalisation.names.length];
  const size = exampleShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n * size);
  for (const { start, rows } of rowBatches(trainRows, batchSize)) {
    const x = model.prepareInputs(dataset, rows);
    values.set(await x.data(), start * size);
    x.dispose();
  }
  const predict: NonNullable<RunDetectorsOptions['predict']> = async (batch, rows) => {
    const p = tf.tidy(() => tf.sigmoid(model.forwardLogits(tf.tensor(batch, [rows, ...exampleShape]))));
    const out = (await p.data()) as Float32Array;
    p.dispose();
    return out;
  };
  return { inputs: { values, rows: n, cols: size }, predict };
}

/** The training stays' tabular clinical features: confident learning reads them whatever view the model reads (its out-of-fold model is the defender's own). */
function tabularFeatures(
  dataset: EhrDataset,
  trainRows: Int32Array,
): { values: Float64Array; rows: number; cols: number; variables: readonly string[] } {
  const F = dataset.tabular.features.length;
  const values = trainingRows(new Float64Array(trainRows.length * F), dataset.tabular.values, F, trainRows);
  return { values, rows: trainRows.length, cols: F, variables: dataset.tabular.features.map((f) => f.variable) };
}

/** `out` filled with the training stays' rows of `source` (`size` values a stay), in training order. */
function trainingRows<T extends Float64Array | Uint8Array>(
  out: T,
  source: Float32Array | Uint8Array,
  size: number,
  trainRows: Int32Array,
): T {
  trainRows.forEach((row, k) => out.set(source.subarray(row * size, row * size + size), k * size));
  return out;
}

/** IG profile of every training stay: n × F (tabular) or n × C (time series: each channel's values and flags summed over hours). */
async function trainingAttributions(options: DetectorInputsOptions): Promise<Matrix> {
  const { model, dataset, trainRows, batchSize } = options;
  const norm = model.normalisation;
  const cols = norm.names.length;
  const n = trainRows.length;
  const values = new Float32Array(n * cols);
  const ig = options.attribution ?? {};
  const trainMean = ig.baseline === 'train-mean' ? meanModelInput(model, dataset, trainRows, batchSize) : undefined;
  try {
    for (const { start, rows } of rowBatches(trainRows, batchSize)) {
      const x = model.prepareInputs(dataset, rows);
      try {
        const result = await integratedGradients({
          forward: (z) => model.forwardLogits(z),
          inputs: x,
          baseline: trainMean ? 'train-mean' : 'zero',
          trainMean,
          steps: ig.steps ?? 32,
          method: ig.method,
          internalBatchSize: ig.internalBatchSize,
        });
        if (norm.view === 'tabular') values.set(result.attributions, start * cols);
        else {
          // Each hour's input is C values then C measured flags: channel c collects both, over every hour.
          const C = cols;
          const per = norm.hours * 2 * C;
          for (let r = 0; r < rows.length; r++)
            for (let k = 0; k < per; k++) values[(start + r) * C + ((k % (2 * C)) % C)] += result.attributions[r * per + k];
        }
      } finally {
        x.dispose();
      }
    }
  } finally {
    trainMean?.dispose();
  }
  return { values, rows: n, cols };
}

/**
 * The training rows' raw values (clinical units, NaN / mask for not measured) of the view the model reads;
 * with `hourly`, a tabular view also carries the stays' hourly charting (the consistency components read it).
 */
function rawTrainingData(dataset: EhrDataset, trainRows: Int32Array, view: 'tabular' | 'timeseries', hourly: boolean): ScreeningData {
  if (view === 'tabular') {
    const { values, rows, variables } = tabularFeatures(dataset, trainRows);
    return {
      view,
      values,
      rows,
      variables,
      stats: dataset.tabular.features.map((f) => f.stat),
      ...(hourly && { hourly: hourlyCharting(dataset, trainRows) }),
    };
  }
  return { view, ...hourlyCharting(dataset, trainRows) };
}

function hourlyCharting(dataset: EhrDataset, trainRows: Int32Array): HourlyData {
  const n = trainRows.length;
  const { hours: T, channels } = dataset.timeSeries;
  const size = T * channels.length;
  const values = trainingRows(new Float64Array(n * size), dataset.timeSeries.values, size, trainRows);
  const mask = trainingRows(new Uint8Array(n * size), dataset.timeSeries.mask, size, trainRows);
  return { values, mask, rows: n, hours: T, channels };
}
