import { check } from './errors.js';
import { checkBinaryInput, type Labels, type Probabilities } from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';
import { predictLabel } from './threshold-metrics.js';

/** Guo et al. (2017) use 15 bins. */
export const DEFAULT_CALIBRATION_BINS = 15;

/** One equal-width confidence bin of a reliability diagram (the bins of the expected calibration error). */
export interface ReliabilityBin {
  /** The bin is (lower, upper]; the first bin also holds confidence 0 exactly. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean predicted-class confidence of the bin's stays; NaN for an empty bin. */
  readonly confidence: number;
  /** Share of the bin's stays whose predicted class is right; NaN for an empty bin. */
  readonly accuracy: number;
}

/**
 * Reliability-diagram data over `bins` equal-width bins of the predicted-class confidence.
 *
 * For a binary model the predicted class is 1 when p > 0.5, else 0 (the package's threshold rule), and its
 * confidence is max(p, 1 − p) ∈ [0.5, 1], so bins below 0.5 stay empty. Bin b (0-based) covers
 * (b/bins, (b+1)/bins], the convention of Guo et al.'s reference code (`conf > lower and conf <= upper`);
 * edges are computed as b/bins in double precision, and a confidence equal to an edge belongs to the bin
 * below it.
 */
export function reliabilityDiagram(yTrue: Labels, pPositive: Probabilities, bins = DEFAULT_CALIBRATION_BINS): ReliabilityBin[] {
  checkBinaryInput(yTrue, pPositive);
  checkBins(bins);
  const count = new Float64Array(bins);
  const sumConfidence = new Float64Array(bins);
  const correct = new Float64Array(bins);
  for (let i = 0; i < yTrue.length; i++) {
    const p = pPositive[i]!;
    const predicted = predictLabel(p, 0.5);
    const confidence = predicted === 1 ? p : 1 - p;
    const b = binOf(confidence, bins);
    count[b]!++;
    sumConfidence[b]! += confidence;
    if (predicted === yTrue[i]) correct[b]!++;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: count[b]!,
    confidence: count[b]! > 0 ? sumConfidence[b]! / count[b]! : Number.NaN,
    accuracy: count[b]! > 0 ? correct[b]! / count[b]! : Number.NaN,
  }));
}

/**
 * Expected calibration error (Guo et al., 2017): Σ_b (n_b / n) · |accuracy_b − confidence_b| over the
 * non-empty bins of `reliabilityDiagram`. In [0, 1]; NaN with a reason for an empty set.
 */
export function expectedCalibrationError(yTrue: Labels, pPositive: Probabilities, bins = DEFAULT_CALIBRATION_BINS): MetricResult {
  const diagram = reliabilityDiagram(yTrue, pPositive, bins);
  const n = yTrue.length;
  if (n === 0) return undefinedMetric(WARNING.empty, 'ECE is undefined on an empty set.');
  let ece = 0;
  for (const bin of diagram) if (bin.count > 0) ece += (bin.count / n) * Math.abs(bin.accuracy - bin.confidence);
  return defined(ece);
}

function checkBins(bins: number): void {
  check(
    Number.isInteger(bins) && bins >= 1 && bins <= 10_000,
    'E_METRICS_INVALID_OPTION',
    () => `bins must be an integer in [1, 10000], got ${String(bins)}.`,
  );
}

function binOf(confidence: number, bins: number): number {
  let b = Math.ceil(confidence * bins) - 1;
  // The product may round across an edge; settle against the edges themselves.
  if (b < 0) b = 0;
  if (b > bins - 1) b = bins - 1;
  while (b > 0 && confidence <= b / bins) b--;
  while (b < bins - 1 && confidence > (b + 1) / bins) b++;
  return b;
}
