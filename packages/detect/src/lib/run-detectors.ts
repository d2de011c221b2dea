import { assertInput } from '@ehr-backdoor/core';
import { activationClustering, type ActivationClusteringOptions } from './activation-clustering.js';
import { attributionOutliers, type AttributionOutlierOptions } from './attribution-outlier.js';
import { detectionAuroc, precisionAtFlagged, recallAtFlagged, tprAtFpr, truthMask } from './detection-metrics.js';
import { assertMatrix, type Matrix } from './matrix.js';
import { spectralSignatures, type SpectralSignatureOptions } from './spectral-signatures.js';
import { strip, type PredictFn, type StripOptions } from './strip.js';
import { DETECTOR_NAMES, type DetectorName, type DetectorResult } from './types.js';

/**
 * The `detect` step of a run:
 *
 *   check inputs ─▶ each chosen detector ─▶ scores + flagged stays
 *               ─▶ scored against the true poisoned indices: AUROC, TPR at 5 % FPR, precision/recall at flagged
 *               ─▶ flat summary columns detect_{detector}_{auroc,tpr_at_5fpr,precision_at_flagged}
 *
 * ε (the expected number of poisoned stays) = expectedPoisonRate × n, as a defender would set it
 * from an assumed contamination level; the true indices are only used for scoring.
 */
export interface RunDetectorsOptions {
  /** n × d penultimate representations of the training stays (spectral, activation_clustering). */
  readonly representations?: Matrix;
  /** Training labels as trained on (poisoned labels included), length n. */
  readonly labels: ArrayLike<number>;
  /** n × d model inputs (normalised) and a batch predictor (strip). */
  readonly inputs?: Matrix;
  readonly predict?: PredictFn;
  /** n × d integrated-gradients profiles of the training stays (attribution). */
  readonly attributions?: Matrix;
  /** Row indices (0 ≤ i < n) of the truly poisoned training stays. */
  readonly poisonedIndices: ArrayLike<number>;
  /** Contamination the defender assumes, in [0, 1). */
  readonly expectedPoisonRate: number;
  /** Default: every detector whose inputs are given. */
  readonly detectors?: readonly DetectorName[];
  readonly seed?: number;
  readonly spectral?: Partial<SpectralSignatureOptions>;
  readonly activationClustering?: Partial<ActivationClusteringOptions>;
  readonly attribution?: Partial<AttributionOutlierOptions>;
  readonly strip?: Partial<StripOptions>;
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
}

const NEEDS: Record<DetectorName, string> = {
  spectral: 'representations',
  activation_clustering: 'representations',
  attribution: 'attributions',
  strip: 'inputs and predict',
};

/**
 * Runs the chosen detectors on precomputed representations, inputs or attributions and scores each
 * against the true poisoned indices (phases drawn under {@link RunDetectorsOptions}).
 * @throws InputError `E_DETECT_INPUT` for missing or malformed inputs (or a detector whose inputs are not
 * given), `E_DETECT_POISONED` for a poisoned index out of range or listed twice, `E_DETECT_UNKNOWN` for an
 * unknown detector; and the errors of each detector.
 */
export async function runDetectors(options: RunDetectorsOptions): Promise<RunDetectorsResult> {
  const { labels, poisonedIndices, expectedPoisonRate } = options;
  assertInput(labels !== undefined && labels.length >= 1, 'E_DETECT_INPUT', () => 'labels must list the training labels (one per training stay).');
  const n = labels.length;
  assertInput(
    Number.isFinite(expectedPoisonRate) && expectedPoisonRate >= 0 && expectedPoisonRate < 1,
    'E_DETECT_INPUT',
    () => `expectedPoisonRate must be in [0, 1), got ${expectedPoisonRate}.`,
  );
  const seen = new Set<number>();
  for (let k = 0; k < poisonedIndices.length; k++) {
    const i = poisonedIndices[k];
    assertInput(Number.isInteger(i) && i >= 0 && i < n, 'E_DETECT_POISONED', () => `poisonedIndices[${k}] = ${i} is not a training row (0 ≤ i < ${n}).`);
    assertInput(!seen.has(i), 'E_DETECT_POISONED', () => `poisonedIndices lists row ${i} twice.`);
    seen.add(i);
  }
  const available = (name: DetectorName) =>
    name === 'attribution' ? options.attributions !== undefined : name === 'strip' ? options.inputs !== undefined && options.predict !== undefined : options.representations !== undefined;
  const detectors = options.detectors ?? DETECTOR_NAMES.filter(available);
  for (const name of detectors) {
    assertInput((DETECTOR_NAMES as readonly string[]).includes(name), 'E_DETECT_UNKNOWN', () => `Unknown detector '${name}'; choose from ${DETECTOR_NAMES.join(', ')}.`);
    assertInput(available(name), 'E_DETECT_INPUT', () => `Detector '${name}' needs ${NEEDS[name]}.`);
  }
  if (detectors.includes('spectral') || detectors.includes('activation_clustering')) assertMatrix(options.representations, 'representations', n);
  if (detectors.includes('attribution')) assertMatrix(options.attributions, 'attributions', n);
  if (detectors.includes('strip')) assertMatrix(options.inputs, 'inputs', n);

  const expectedPoisonCount = expectedPoisonRate * n;
  const seed = options.seed ?? 0;
  const truth = truthMask(n, poisonedIndices);
  const results: Partial<Record<DetectorName, DetectorRun>> = {};
  const columns: Record<string, number> = {};
  const reasons: Record<string, string> = {};
  for (const name of detectors) {
    const started = performance.now();
    let result: DetectorResult;
    switch (name) {
      case 'spectral':
        result = spectralSignatures({ seed, ...options.spectral, representations: options.representations as Matrix, labels, expectedPoisonCount });
        break;
      case 'activation_clustering':
        result = activationClustering({ seed, ...options.activationClustering, representations: options.representations as Matrix, labels });
        break;
      case 'attribution':
        result = attributionOutliers({ ...options.attribution, attributions: options.attributions as Matrix, labels, expectedPoisonCount });
        break;
      case 'strip':
        result = await strip({ seed, labels, ...options.strip, inputs: options.inputs as Matrix, predict: options.predict as PredictFn, expectedPoisonCount });
        break;
    }
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
    for (const [suffix, scored] of [['auroc', auroc], ['tpr_at_5fpr', tpr], ['precision_at_flagged', precision]] as const) {
      const column = `detect_${name}_${suffix}`;
      columns[column] = scored.value;
      if (scored.reason) reasons[column] = scored.reason;
    }
  }
  return { results, columns, reasons, expectedPoisonCount };
}
