import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { integratedGradients, type IgMethod } from '@ehr-backdoor/explain';
import type { TrainedModel } from '@ehr-backdoor/train';
import { binaryCrossEntropy } from './abl-isolation.js';
import type { ScreeningData } from './input-screening.js';
import type { HourlyData } from './screening-types.js';
import type { Matrix } from './matrix.js';
import { runDetectors, type RunDetectorsOptions, type RunDetectorsResult } from './run-detectors.js';
import { DETECTOR_NAMES, type DetectorName } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * The detectors on a trained model of the train package and the (poisoned) training rows it was
 * trained on:
 *
 *   training rows ─▶ model.penultimate          ─▶ spectral, activation_clustering
 *                 ─▶ model.prepareInputs        ─▶ strip (predict = σ(model.forwardLogits))
 *                 ─▶ integrated gradients       ─▶ attribution (time series: summed per channel)
 *                 ─▶ raw values of the view the model reads ─▶ input_screening
 *                 ─▶ tabular clinical features             ─▶ confident_learning (its own out-of-fold model)
 *   early model (first epochs) ─▶ per-stay loss                ─▶ abl_isolation
 *                 ─▶ runDetectors, scored against the poisoned rows (mapped to training positions)
 */
export interface ModelDetectorsOptions {
  readonly model: TrainedModel;
  /** The dataset as trained on (poisoned copy: triggers and flipped labels applied). */
  readonly dataset: EhrDataset;
  /** Dataset rows the model was trained on. */
  readonly trainRows: ArrayLike<number>;
  /** Dataset rows of the truly poisoned stays (each must be a training row). */
  readonly poisonedRows: ArrayLike<number>;
  /** The defender's assumed contamination in (0, 0.5); sets how many stays are flagged. Default 0.01. */
  readonly assumedContamination?: number;
  /** @deprecated The former name of `assumedContamination`. */
  readonly expectedPoisonRate?: number;
  readonly detectors?: readonly DetectorName[];
  readonly seed?: number;
  /** Integrated gradients for the attribution detector. Defaults: 32 steps, Gauss–Legendre, zero baseline. */
  readonly attribution?: {
    readonly steps?: number;
    readonly method?: IgMethod;
    readonly baseline?: 'zero' | 'train-mean';
    readonly internalBatchSize?: number;
  };
  readonly spectral?: RunDetectorsOptions['spectral'];
  readonly activationClustering?: RunDetectorsOptions['activationClustering'];
  /**
   * Activation clustering's exclusionary reclassification: `train(excludedRows)` trains without those
   * dataset rows and returns their predicted labels. Off unless given.
   */
  readonly exclusionaryReclassification?: {
    /** Own-label / other-label ratio below which a cluster stays flagged. Default 1. */
    readonly threshold?: number;
    /** Trains without `excludedRows` (dataset rows) and returns their predicted labels, in order. */
    readonly train: (excludedRows: Int32Array) => Promise<ArrayLike<number>>;
  };
  readonly attributionOutlier?: RunDetectorsOptions['attribution'];
  readonly strip?: RunDetectorsOptions['strip'];
  readonly inputScreening?: RunDetectorsOptions['inputScreening'];
  readonly confidentLearning?: RunDetectorsOptions['confidentLearning'];
  /** abl_isolation: a fresh model trained on the same rows for the first epochs only (ABL's isolation phase). */
  readonly earlyModel?: TrainedModel;
  readonly ablIsolation?: RunDetectorsOptions['ablIsolation'];
  /** Stays per forward pass when extracting representations, inputs and attributions. Default 512. */
  readonly batchSize?: number;
}

/** {@link runDetectors}' result for a trained model, with score positions mapped back to dataset rows. */
export interface ModelDetectorsResult extends RunDetectorsResult {
  /** Position k of every score array is this dataset row. */
  readonly trainRows: Int32Array;
  /** Per detector, the flagged stays as dataset rows (what "remove flagged and retrain" drops). */
  readonly flaggedRows: Partial<Record<DetectorName, Int32Array>>;
}

/**
 * Runs the chosen detectors on a trained model and the (poisoned) rows it was trained on, extracting
 * representations, inputs and attributions from the model (see {@link ModelDetectorsOptions}).
 * `assumedContamination` sets ε as a defender would; the true poisoned rows are only used for scoring.
 * @throws InputError `E_DETECT_INPUT` for fewer than 2 training rows, `E_DETECT_POISONED` for a poisoned row
 * that is not a training row, `E_DETECT_UNKNOWN` for an unknown detector name; and those of {@link runDetectors}.
 */
export async function runModelDetectors(options: ModelDetectorsOptions): Promise<ModelDetectorsResult> {
  const trainRows = Int32Array.from(options.trainRows);
  assertInput<DetectCode>(
    trainRows.length >= 2,
    'E_DETECT_INPUT',
    () => `runModelDetectors needs at least 2 training rows, got ${trainRows.length}.`,
  );
  const poisonedIndices = trainingPositions(trainRows, options.poisonedRows);
  const detectors = chosenDetectors(options);
  const labels = Uint8Array.from(trainRows, (row) => options.dataset.labels[row]);
  const extracted = await detectorInputs(options, detectors, trainRows, labels);
  const result = await runDetectors({
    ...extracted,
    labels,
    poisonedIndices,
    assumedContamination: options.assumedContamination ?? options.expectedPoisonRate,
    detectors,
    seed: options.seed,
    spectral: options.spectral,
    activationClustering: options.activationClustering,
    exclusionaryReclassification: reclassification(options.exclusionaryReclassification, trainRows),
    attribution: options.attributionOutlier,
    strip: options.strip,
    inputScreening: options.inputScreening,
    ablIsolation: options.ablIsolation,
    confidentLearning: options.confidentLearning,
  });
  const flaggedRows: Partial<Record<DetectorName, Int32Array>> = {};
  for (const [name, run] of Object.entries(result.results) as [DetectorName, { flagged: Int32Array }][]) {
    flaggedRows[name] = Int32Array.from(run.flagged, (k) => trainRows[k]).sort();
  }
  return { ...result, trainRows, flaggedRows };
}

/** Each poisoned dataset row's position among the training rows, which is how the detectors index stays. */
function trainingPositions(trainRows: Int32Array, poisonedRows: ArrayLike<number>): number[] {
  const position = new Map<number, number>();
  trainRows.forEach((row, k) => position.set(row, k));
  return Array.from(poisonedRows, (row) => {
    const k = position.get(row);
    assertInput<DetectCode>(
      k !== undefined,
      'E_DETECT_POISONED',
      () => `Poisoned row ${row} is not one of the training rows; pass the plan's row indices into the same dataset.`,
    );
    return k;
  });
}

function chosenDetectors(options: ModelDetectorsOptions): readonly DetectorName[] {
  // By default every detector whose inputs can be had: abl_isolation only with an early model.
  const detectors = options.detectors ?? DETECTOR_NAMES.filter((name) => name !== 'abl_isolation' || options.earlyModel !== undefined);
  for (const name of detectors)
    assertInput<DetectCode>(
      (DETECTOR_NAMES as readonly string[]).includes(name),
      'E_DETECT_UNKNOWN',
      () => `Unknown detector '${name}'; choose from ${DETECTOR_NAMES.join(', ')}.`,
    );
  return detectors;
}

/** What the chosen detectors read, extracted from the models only for the detectors that need it (each costs passes over the data). */
async function detectorInputs(
  options: ModelDetectorsOptions,
  detectors: readonly DetectorName[],
  trainRows: Int32Array,
  labels: Uint8Array,
): Promise<
  Pick<
    RunDetectorsOptions,
    'representations' | 'inputs' | 'predict' | 'attributions' | 'screeningData' | 'clinicalFeatures' | 'earlyLosses'
  >
> {
  const { model, dataset } = options;
  const batchSize = options.batchSize ?? 512;
  const n = trainRows.length;
  let representations: Matrix | undefined;
  if (detectors.includes('spectral') || detectors.includes('activation_clustering')) {
    const { values, dim } = model.penultimate(dataset, trainRows);
    representations = { values, rows: n, cols: dim };
  }
  const { inputs, predict } = detectors.includes('strip')
    ? await stripInputs(model, dataset, trainRows, batchSize)
    : { inputs: undefined, predict: undefined };
  const wanted: unknown = options.inputScreening?.components;
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
    earlyLosses = binaryCrossEntropy(options.earlyModel.predictProba(dataset, trainRows), labels);
  }
  let attributions: Matrix | undefined;
  if (detectors.includes('attribution')) attributions = await trainingAttributions(options, trainRows, batchSize);
  return { representations, inputs, predict, attributions, screeningData, clinicalFeatures, earlyLosses };
}

/** Exclusionary reclassification in training positions, as runDetectors asks, over the caller's dataset rows. */
function reclassification(
  given: ModelDetectorsOptions['exclusionaryReclassification'],
  trainRows: Int32Array,
): RunDetectorsOptions['exclusionaryReclassification'] {
  return given
    ? {
        threshold: given.threshold,
        reclassify: (excluded) => given.train(Int32Array.from(excluded, (k) => trainRows[k])),
      }
    : undefined;
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
  for (let start = 0; start < n; start += batchSize) {
    const x = model.prepareInputs(dataset, trainRows.subarray(start, Math.min(n, start + batchSize)));
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
function tabularFeatures(dataset: EhrDataset, trainRows: Int32Array): NonNullable<RunDetectorsOptions['clinicalFeatures']> {
  const n = trainRows.length;
  const F = dataset.tabular.features.length;
  const values = new Float64Array(n * F);
  trainRows.forEach((row, k) => values.set(dataset.tabular.values.subarray(row * F, row * F + F), k * F));
  return { values, rows: n, cols: F, variables: dataset.tabular.features.map((f) => f.variable) };
}

/** IG profile of every training stay: n × F (tabular) or n × C (time series: each channel's values and flags summed over hours). */
async function trainingAttributions(options: ModelDetectorsOptions, trainRows: Int32Array, batchSize: number): Promise<Matrix> {
  const { model, dataset } = options;
  const norm = model.normalisation;
  const cols = norm.names.length;
  const n = trainRows.length;
  const values = new Float32Array(n * cols);
  const ig = options.attribution ?? {};
  let trainMean: tf.Tensor | undefined;
  if (ig.baseline === 'train-mean') {
    let sum: tf.Tensor | undefined;
    for (let start = 0; start < n; start += batchSize) {
      const x = model.prepareInputs(dataset, trainRows.subarray(start, Math.min(n, start + batchSize)));
      const next = tf.tidy(() => (sum ? tf.add(sum, tf.sum(x, 0, true)) : tf.sum(x, 0, true)));
      x.dispose();
      sum?.dispose();
      sum = next;
    }
    trainMean = tf.tidy(() => tf.div(sum as tf.Tensor, n));
    sum?.dispose();
  }
  try {
    for (let start = 0; start < n; start += batchSize) {
      const x = model.prepareInputs(dataset, trainRows.subarray(start, Math.min(n, start + batchSize)));
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
        const rows = x.shape[0];
        if (norm.view === 'tabular') values.set(result.attributions, start * cols);
        else {
          const C = cols;
          const per = norm.hours * 2 * C;
          for (let r = 0; r < rows; r++)
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
function rawTrainingData(dataset: EhrDataset, trainRows: Int32Array, view: 'tabular' | 'timeseries', hourly = false): ScreeningData {
  const n = trainRows.length;
  if (view === 'tabular') {
    const F = dataset.tabular.features.length;
    const values = new Float64Array(n * F);
    trainRows.forEach((row, k) => values.set(dataset.tabular.values.subarray(row * F, row * F + F), k * F));
    return {
      view,
      values,
      rows: n,
      variables: dataset.tabular.features.map((f) => f.variable),
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
  const values = new Float64Array(n * size);
  const mask = new Uint8Array(n * size);
  trainRows.forEach((row, k) => {
    values.set(dataset.timeSeries.values.subarray(row * size, row * size + size), k * size);
    mask.set(dataset.timeSeries.mask.subarray(row * size, row * size + size), k * size);
  });
  return { values, mask, rows: n, hours: T, channels };
}
