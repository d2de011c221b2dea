import { assertInput } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import { detectorInputs, type TrainingAttributionOptions } from './model-detector-inputs.js';
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
  readonly attribution?: TrainingAttributionOptions;
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
 * @throws InputError `E_DETECT_INPUT` for fewer than 2 training rows or a batch size that is not a positive
 * integer, `E_DETECT_POISONED` for a poisoned row that is not a training row, `E_DETECT_UNKNOWN` for an
 * unknown detector name; and those of {@link runDetectors}.
 */
export async function runModelDetectors(options: ModelDetectorsOptions): Promise<ModelDetectorsResult> {
  const trainRows = Int32Array.from(options.trainRows);
  assertInput<DetectCode>(
    trainRows.length >= 2,
    'E_DETECT_INPUT',
    () => `runModelDetectors needs at least 2 training rows, got ${trainRows.length}.`,
  );
  const batchSize = options.batchSize ?? 512;
  assertInput<DetectCode>(
    Number.isInteger(batchSize) && batchSize >= 1,
    'E_DETECT_INPUT',
    () => `batchSize must be an integer ≥ 1, got ${batchSize}.`,
  );
  const poisonedIndices = trainingPositions(trainRows, options.poisonedRows);
  const detectors = chosenDetectors(options);
  const labels = Uint8Array.from(trainRows, (row) => options.dataset.labels[row]);
  const extracted = await detectorInputs({
    model: options.model,
    dataset: options.dataset,
    trainRows,
    labels,
    detectors,
    earlyModel: options.earlyModel,
    attribution: options.attribution,
    screeningComponents: options.inputScreening?.components,
    batchSize,
  });
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
