import { check } from './errors.js';
import { checkBinaryInput, checkTargetLabel, type Labels, type Probabilities } from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';
import { probabilityOfTarget } from './backdoor.js';
import { DEFAULT_CALIBRATION_BINS } from './calibration.js';

/** One equal-width bin of p(target): how often the target label occurs among stays given that probability. */
export interface ProbabilityBin {
  /** The bin is (lower, upper]; the first bin also holds p(target) = 0 exactly. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean p(target) of the bin's stays; NaN for an empty bin. */
  readonly meanPredicted: number;
  /** Share of the bin's stays whose label is the target; NaN for an empty bin. */
  readonly observedFrequency: number;
}

/**
 * Reliability-diagram data of the probability a clinician reads, p(target), over `bins` equal-width bins of
 * [0, 1], equal to scikit-learn's `calibration_curve(y == target, p_target, n_bins, strategy='uniform')` with the
 * counts and the empty bins kept. Unlike the top-label diagram it covers the whole range, so it shows
 * whether a predicted 10 % risk of the target means 10 %.
 */
export function targetReliabilityDiagram(
  yTrue: Labels,
  pPositive: Probabilities,
  options: { readonly targetLabel: number; readonly bins?: number },
): ProbabilityBin[] {
  checkBinaryInput(yTrue, pPositive);
  checkTargetLabel(options.targetLabel);
  const bins = options.bins ?? DEFAULT_CALIBRATION_BINS;
  check(
    Number.isInteger(bins) && bins >= 1 && bins <= 10_000,
    'E_METRICS_INVALID_OPTION',
    () => `bins must be an integer in [1, 10000], got ${String(bins)}.`,
  );
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const hits = new Float64Array(bins);
  for (let i = 0; i < yTrue.length; i++) {
    const p = probabilityOfTarget(pPositive[i]!, options.targetLabel);
    const b = binOf(p, bins);
    count[b]!++;
    sumP[b]! += p;
    if (yTrue[i] === options.targetLabel) hits[b]!++;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: count[b]!,
    meanPredicted: count[b]! > 0 ? sumP[b]! / count[b]! : Number.NaN,
    observedFrequency: count[b]! > 0 ? hits[b]! / count[b]! : Number.NaN,
  }));
}

/**
 * Class-wise expected calibration error of p(target): Σ_b (n_b / n) · |observed_b − mean p_b| over the
 * non-empty bins of {@link targetReliabilityDiagram}. In [0, 1]; NaN with a reason for an empty set.
 */
export function targetCalibrationError(
  yTrue: Labels,
  pPositive: Probabilities,
  options: { readonly targetLabel: number; readonly bins?: number },
): MetricResult {
  const diagram = targetReliabilityDiagram(yTrue, pPositive, options);
  const n = yTrue.length;
  if (n === 0) return undefinedMetric(WARNING.empty, 'class-wise ECE is undefined on an empty set.');
  let ece = 0;
  for (const bin of diagram) if (bin.count > 0) ece += (bin.count / n) * Math.abs(bin.observedFrequency - bin.meanPredicted);
  return defined(ece);
}

/** Bin (b/bins, (b+1)/bins] of p, the first bin also holding 0; edges compared as b/bins, as sklearn's searchsorted. */
function binOf(p: number, bins: number): number {
  let b = Math.ceil(p * bins) - 1;
  if (b < 0) b = 0;
  if (b > bins - 1) b = bins - 1;
  while (b > 0 && p <= b / bins) b--;
  while (b < bins - 1 && p > (b + 1) / bins) b++;
  return b;
}
