import { assertInput } from '@ehr-backdoor/core';
import {
  assertAssumedContamination,
  contaminationTag,
  DEFAULT_ASSUMED_CONTAMINATION,
  sensitivityCurve,
  type SensitivityPoint,
} from './assumed-contamination.js';
import { ablIsolation } from './abl-isolation.js';
import { confidentLearning, type ConfidentLearningOptions } from './confident-learning.js';
import { activationClustering, type ActivationClusteringOptions } from './activation-clustering.js';
import { exclusionaryReclassification, type ExclusionaryReclassificationOptions } from './exclusionary-reclassification.js';
import { attributionOutliers, type AttributionOutlierOptions } from './attribution-outlier.js';
import { inputScreening, type InputScreeningOptions, type ScreeningData } from './input-screening.js';
import { detectionAuroc, precisionAtFlagged, recallAtFlagged, tprAtFpr, truthMask } from './detection-metrics.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { spectralSignatures, type SpectralSignatureOptions } from './spectral-signatures.js';
import { strip, type PredictFn, type StripOptions } from './strip.js';
import { DETECTOR_NAMES, type DetectorName, type DetectorResult } from './types.js';
import type { DetectCode } from './error-codes.js';

/**
 * The `detect` step of a run:
 *
 *   check inputs ─▶ each chosen detector ─▶ scores + flagged stays
 *               ─▶ scored against the true poisoned indices: AUROC, TPR at 5 % FPR, precision/recall at flagged
 *               ─▶ sensitivity: precision/recall of the top c · n stays for c in 0.5, 1, 5, 10 %
 *               ─▶ flat summary columns detect_{detector}_{auroc,tpr_at_5fpr,precision_at_flagged,…}
 *
 * ε (the expected number of poisoned stays) = assumedContamination × n: the defender's guess (default
 * 1 %), never the true poison count; the true indices are only used for scoring.
 */
export interface RunDetectorsOptions {
  /** n × d penultimate representations of the training stays (spectral, activation_clustering). */
  readonly representations?: Matrix;
  /** Training labels as trained on (poisoned labels included), length n. */
  readonly labels: ArrayLike<number>;
  /** n × d model inputs (normalised) and a batch predictor (strip). */
  readonly inputs?: Matrix;
  readonly predict?: PredictFn;
  /** The training stays' raw data as trained on (input_screening). */
  readonly screeningData?: ScreeningData;
  /** The training stays' clinical features, NaN where not measured (confident_learning). */
  readonly clinicalFeatures?: {
    readonly values: Float64Array;
    readonly rows: number;
    readonly cols: number;
    readonly variables?: readonly string[];
  };
  /** Per-stay training loss of a model trained for the first epochs only (abl_isolation). */
  readonly earlyLosses?: ArrayLike<number>;
  readonly ablIsolation?: { readonly tail?: 'low' | 'high' };
  /** n × d integrated-gradients profiles of the training stays (attribution). */
  readonly attributions?: Matrix;
  /** Row indices (0 ≤ i < n) of the truly poisoned training stays. */
  readonly poisonedIndices: ArrayLike<number>;
  /** Contamination the defender assumes, in (0, 0.5). Default 0.01. Sets how many stays are flagged. */
  readonly assumedContamination?: number;
  /** @deprecated The former name of {@link RunDetectorsOptions.assumedContamination}; same meaning and range. */
  readonly expectedPoisonRate?: number;
  /** Default: every detector whose inputs are given. */
  readonly detectors?: readonly DetectorName[];
  readonly seed?: number;
  readonly spectral?: Partial<SpectralSignatureOptions>;
  readonly activationClustering?: Partial<ActivationClusteringOptions>;
  /** Activation clustering's exclusionary reclassification (off unless given); `reclassify` gets positions 0 ≤ i < n. */
  readonly exclusionaryReclassification?: Pick<ExclusionaryReclassificationOptions, 'reclassify' | 'threshold'>;
  readonly attribution?: Partial<AttributionOutlierOptions>;
  readonly strip?: Partial<StripOptions>;
  readonly inputScreening?: Partial<Omit<InputScreeningOptions, 'data' | 'assumedContamination'>>;
  readonly confidentLearning?: Partial<Pick<ConfidentLearningOptions, 'folds' | 'lambda' | 'flagRule'>>;
}

/**
 * How well one detector's scores find the truly poisoned stays: AUROC of the scores against the truth,
 * TPR at 5 % FPR, and precision/recall of its flagged set (each NaN when undefined, e.g. no poisoned stay).
 */
export interface DetectorEvaluation {
  /** AUROC of the scores against the truth (1 = every poisoned stay ranks above every clean one). */
  readonly auroc: number;
  /**
   * Highest share of poisoned stays found while at most 5 % of clean stays are flagged (tied scores enter together).
   */
  readonly tprAt5Fpr: number;
  /** Share of the flagged stays that are truly poisoned. */
  readonly precisionAtFlagged: number;
  /** Share of the truly poisoned stays that are flagged. */
  readonly recallAtFlagged: number;
  /** Stays the detector flagged (its count rule: `removalFactor` × ε, or the flagged clusters). */
  readonly flaggedCount: number;
}

export interface DetectorRun extends DetectorResult {
  readonly evaluation: DetectorEvaluation;
  readonly seconds: number;
}

/**
 * The outcome of {@link runDetectors}: per detector its result and evaluation, and the flat summary columns.
 */
export interface RunDetectorsResult {
  readonly results: Partial<Record<DetectorName, DetectorRun>>;
  /** detect_{detector}_auroc, _tpr_at_5fpr, _precision_at_flagged (NaN where undefined). */
  readonly columns: Readonly<Record<string, number>>;
  /** Column → why it is NaN. */
  readonly reasons: Readonly<Record<string, string>>;
  readonly expectedPoisonCount: number;
  /** The assumed contamination ε / n was set from. */
  readonly assumedContamination: number;
  /** Per detector, precision and recall of its top c · n stays for each c of {@link SENSITIVITY_CONTAMINATIONS}. */
  readonly sensitivity: Partial<Record<DetectorName, readonly SensitivityPoint[]>>;
}

const NEEDS: Record<DetectorName, string> = {
  spectral: 'representations',
  activation_clustering: 'representations',
  attribution: 'attributions',
  strip: 'inputs and predict',
  input_screening: "the training stays' raw data (screeningData)",
  confident_learning: "the training stays' clinical features (clinicalFeatures)",
  abl_isolation: 'the per-stay losses of a model trained for the first epochs only (earlyLosses; the runner trains one)',
};

/**
 * Runs the chosen detectors on precomputed representations, inputs or attributions and scores each
 * against the true poisoned indices (phases drawn under {@link RunDetectorsOptions}).
 * @throws InputError `E_DETECT_INPUT` for missing or malformed inputs (or a detector whose inputs are not
 * given), `E_DETECT_POISONED` for a poisoned index out of range or listed twice, `E_DETECT_UNKNOWN` for an
 * unknown detector; and the errors of each detector.
 */
export async function runDetectors(options: RunDetectorsOptions): Promise<RunDetectorsResult> {
  const { labels, poisonedIndices } = options;
  assertInput<DetectCode>(
    labels !== undefined && labels.length >= 1,
    'E_DETECT_INPUT',
    () => 'labels must list the training labels (one per training stay).',
  );
  const n = labels.length;
  const assumedContamination = options.assumedContamination ?? options.expectedPoisonRate ?? DEFAULT_ASSUMED_CONTAMINATION;
  assertAssumedContamination(assumedContamination, 'runDetectors');
  const detectors = checkedDetectors(options, n);
  const expectedPoisonCount = assumedContamination * n;
  const truth = truthMask(n, poisonedIndices);
  const results: Partial<Record<DetectorName, DetectorRun>> = {};
  const columns: Record<string, number> = {};
  const reasons: Record<string, string> = {};
  const sensitivity: Partial<Record<DetectorName, readonly SensitivityPoint[]>> = {};
  for (const name of detectors) {
    const started = performance.now();
    const result = await runOne(name, options, assumedContamination, expectedPoisonCount);
    const auroc = detectionAuroc(result.scores, truth);
    const tpr = tprAtFpr(result.scores, truth, 0.05);
    const precision = precisionAtFlagged(result.flagged, truth);
    const recall = recallAtFlagged(result.flagged, truth);
    const evaluation: DetectorEvaluation = {
      auroc: auroc.value,
      tprAt5Fpr: tpr.value,
      precisionAtFlagged: precision.value,
      recallAtFlagged: recall.value,
      flaggedCount: result.flagged.length,
    };
    results[name] = { ...result, evaluation, seconds: (performance.now() - started) / 1000 };
    for (const [suffix, scored] of [
      ['auroc', auroc],
      ['tpr_at_5fpr', tpr],
      ['precision_at_flagged', precision],
    ] as const) {
      const column = `detect_${name}_${suffix}`;
      columns[column] = scored.value;
      if (scored.reason) reasons[column] = scored.reason;
    }
    const curve = sensitivityCurve(result.scores, truth);
    sensitivity[name] = curve;
    for (const point of curve) {
      for (const [metric, value] of [
        ['precision', point.precision],
        ['recall', point.recall],
      ] as const) {
        const column = `detect_${name}_${metric}_at_${contaminationTag(point.contamination)}`;
        columns[column] = value;
        if (!Number.isFinite(value)) reasons[column] = 'no poisoned training stay: precision and recall of the flagged stays are undefined';
      }
    }
  }
  return { results, columns, reasons, expectedPoisonCount, assumedContamination, sensitivity };
}

/** The poisoned indices and every chosen detector's inputs checked against the n training stays; the detectors to run. */
function checkedDetectors(options: RunDetectorsOptions, n: number): readonly DetectorName[] {
  const { poisonedIndices } = options;
  const seen = new Set<number>();
  for (let k = 0; k < poisonedIndices.length; k++) {
    const i = poisonedIndices[k];
    assertInput<DetectCode>(
      Number.isInteger(i) && i >= 0 && i < n,
      'E_DETECT_POISONED',
      () => `poisonedIndices[${k}] = ${i} is not a training row (0 ≤ i < ${n}).`,
    );
    assertInput<DetectCode>(!seen.has(i), 'E_DETECT_POISONED', () => `poisonedIndices lists row ${i} twice.`);
    seen.add(i);
  }
  const available = (name: DetectorName) =>
    name === 'attribution'
      ? options.attributions !== undefined
      : name === 'strip'
        ? options.inputs !== undefined && options.predict !== undefined
        : name === 'input_screening'
          ? options.screeningData !== undefined
          : name === 'confident_learning'
            ? options.clinicalFeatures !== undefined
            : name === 'abl_isolation'
              ? options.earlyLosses !== undefined
              : options.representations !== undefined;
  const detectors = options.detectors ?? DETECTOR_NAMES.filter(available);
  for (const name of detectors) {
    assertInput<DetectCode>(
      (DETECTOR_NAMES as readonly string[]).includes(name),
      'E_DETECT_UNKNOWN',
      () => `Unknown detector '${name}'; choose from ${DETECTOR_NAMES.join(', ')}.`,
    );
    assertInput<DetectCode>(available(name), 'E_DETECT_INPUT', () => `Detector '${name}' needs ${NEEDS[name]}.`);
  }
  if (detectors.includes('spectral') || detectors.includes('activation_clustering'))
    assertMatrix(options.representations, 'representations', n);
  if (detectors.includes('attribution')) assertMatrix(options.attributions, 'attributions', n);
  if (detectors.includes('strip')) assertMatrix(options.inputs, 'inputs', n);
  if (detectors.includes('input_screening'))
    assertInput<DetectCode>(
      options.screeningData?.rows === n,
      'E_DETECT_INPUT',
      () => `input_screening: screeningData has ${options.screeningData?.rows} rows but there are ${n} training stays.`,
    );

  if (detectors.includes('confident_learning'))
    assertInput<DetectCode>(
      options.clinicalFeatures?.rows === n,
      'E_DETECT_INPUT',
      () => `confident_learning: clinicalFeatures has ${options.clinicalFeatures?.rows} rows but there are ${n} training stays.`,
    );
  if (detectors.includes('abl_isolation'))
    assertInput<DetectCode>(
      options.earlyLosses?.length === n,
      'E_DETECT_INPUT',
      () => `abl_isolation: earlyLosses has ${options.earlyLosses?.length} entries but there are ${n} training stays.`,
    );
  return detectors;
}

/** One detector on its (checked) inputs. */
async function runOne(
  name: DetectorName,
  options: RunDetectorsOptions,
  assumedContamination: number,
  expectedPoisonCount: number,
): Promise<DetectorResult> {
  const { labels } = options;
  const seed = options.seed ?? 0;
  switch (name) {
    case 'spectral':
      return spectralSignatures({
        seed,
        ...options.spectral,
        representations: options.representations as Matrix,
        labels,
        expectedPoisonCount,
      });
    case 'activation_clustering': {
      const result = activationClustering({
        seed,
        ...options.activationClustering,
        representations: options.representations as Matrix,
        labels,
      });
      return options.exclusionaryReclassification
        ? await exclusionaryReclassification({ ...options.exclusionaryReclassification, result, labels })
        : result;
    }
    case 'attribution':
      return attributionOutliers({ ...options.attribution, attributions: options.attributions as Matrix, labels, expectedPoisonCount });
    case 'strip':
      return await strip({
        seed,
        labels,
        ...options.strip,
        inputs: options.inputs as Matrix,
        predict: options.predict as PredictFn,
        expectedPoisonCount,
      });
    case 'input_screening':
      return inputScreening({ ...options.inputScreening, data: options.screeningData as ScreeningData, assumedContamination });
    case 'abl_isolation':
      return ablIsolation({ ...options.ablIsolation, losses: options.earlyLosses as ArrayLike<number>, assumedContamination, labels });
    case 'confident_learning': {
      const f = options.clinicalFeatures as NonNullable<RunDetectorsOptions['clinicalFeatures']>;
      return confidentLearning({
        seed,
        ...options.confidentLearning,
        features: f.values,
        rows: f.rows,
        cols: f.cols,
        variables: f.variables,
        labels,
        assumedContamination,
      });
    }
  }
}
