import { check } from './errors.js';
import {
  checkBinaryInput,
  checkProbabilities,
  checkSameLength,
  checkTargetLabel,
  checkThreshold,
  type Labels,
  type Probabilities,
} from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';
import { DEFAULT_THRESHOLD, predictLabel } from './threshold-metrics.js';
import { bootstrapProportion, resolveBootstrapOptions, type BootstrapOptions, type ConfidenceInterval } from './bootstrap.js';

/** The attack's target label when none is given: 1 (in-hospital death), as in the poisoning package. */
export const DEFAULT_TARGET_LABEL = 1;

export interface AttackSuccessRate extends MetricResult {
  /** Triggered stays whose true label is not the target: the denominator. */
  readonly nEligible: number;
  /** Eligible stays predicted as the target: the numerator. */
  readonly nSuccess: number;
  /** Triggered stays whose true label already is the target, left out of the rate. */
  readonly nExcluded: number;
}

/** How an attack is judged: which label the attacker wants and where a probability becomes that label. */
export interface AttackOptions {
  /** The attacker's target label (0 or 1); default 1. */
  readonly targetLabel?: number;
  /** Decision threshold on p(label 1); default 0.5 (p > threshold ⇒ label 1). */
  readonly threshold?: number;
  /**
   * Operating threshold on p(target) (see `operatingThreshold`): when given, a stay is predicted the target
   * when p(target) > targetThreshold, and `threshold` is not used.
   */
  readonly targetThreshold?: number;
}

/** The decision an attack is judged by: the target when p(target) > targetThreshold, else p(label 1) > threshold. */
export interface TargetDecision {
  readonly targetLabel: 0 | 1;
  readonly threshold: number;
  readonly targetThreshold?: number;
}

/** Whether a stay with p(label 1) = `p` is predicted the target under `decision`. */
export function predictsTarget(p: number, decision: TargetDecision): boolean {
  if (decision.targetThreshold !== undefined) return probabilityOfTarget(p, decision.targetLabel) > decision.targetThreshold;
  return predictLabel(p, decision.threshold) === decision.targetLabel;
}

/** p(target) from p(label 1). */
export function probabilityOfTarget(pPositive: number, targetLabel: 0 | 1): number {
  return targetLabel === 1 ? pPositive : 1 - pPositive;
}

function eligibleSuccesses(yTrue: Labels, pTriggered: Probabilities, decision: TargetDecision): { success: Uint8Array; nExcluded: number } {
  const success: number[] = [];
  let nExcluded = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === decision.targetLabel) {
      nExcluded++;
      continue;
    }
    success.push(predictsTarget(pTriggered[i]!, decision) ? 1 : 0);
  }
  return { success: Uint8Array.from(success), nExcluded };
}

/**
 * Attack success rate: among triggered test stays whose true label is not the target, the share that the
 * model predicts as the target (Gu et al., 2017, BadNets; Chen et al., 2017). Stays whose true label is the
 * target cannot show an attack and are excluded and counted. `pTriggered` is p(label 1) on the triggered
 * stays. NaN with a reason when no stay is eligible.
 */
export function attackSuccessRate(yTrue: Labels, pTriggered: Probabilities, options: AttackOptions = {}): AttackSuccessRate {
  const decision = resolveAttackOptions(options);
  checkBinaryInput(yTrue, pTriggered, 'pTriggered');
  const { success, nExcluded } = eligibleSuccesses(yTrue, pTriggered, decision);
  return asrOf(success, nExcluded, decision.targetLabel);
}

function asrOf(success: Uint8Array, nExcluded: number, targetLabel: number): AttackSuccessRate {
  let nSuccess = 0;
  for (let i = 0; i < success.length; i++) nSuccess += success[i]!;
  const counts = { nEligible: success.length, nSuccess, nExcluded };
  if (success.length === 0) {
    return {
      ...undefinedMetric(
        WARNING.noEligibleStay,
        `ASR is undefined: none of the ${nExcluded} triggered stays has a true label other than the target ${targetLabel}.`,
      ),
      ...counts,
    };
  }
  return { ...defined(nSuccess / success.length), ...counts };
}

/** The attack success rate with its percentile-bootstrap interval (resampling the eligible stays). */
export interface AttackSuccessRateInterval {
  readonly asr: AttackSuccessRate;
  readonly interval: ConfidenceInterval;
}

/** ASR with its percentile bootstrap interval over the eligible stays (their number held fixed). */
export function bootstrapAsr(
  yTrue: Labels,
  pTriggered: Probabilities,
  options: AttackOptions & BootstrapOptions = {},
): AttackSuccessRateInterval {
  const decision = resolveAttackOptions(options);
  checkBinaryInput(yTrue, pTriggered, 'pTriggered');
  const o = resolveBootstrapOptions({ ...options, stratified: false });
  const { success, nExcluded } = eligibleSuccesses(yTrue, pTriggered, decision);
  const asr = asrOf(success, nExcluded, decision.targetLabel);
  return { asr, interval: bootstrapProportion(success, asr, o, 'ASR') };
}

/**
 * Confidence shift: mean over the ASR-eligible stays (true label ≠ target) of p(target | triggered) −
 * p(target | untriggered). `pTriggered` and `pClean` are p(label 1) for the same stays in the same order,
 * with and without the trigger. NaN with a reason when no stay is eligible.
 */
export function confidenceShift(
  yTrue: Labels,
  pTriggered: Probabilities,
  pClean: Probabilities,
  options: Pick<AttackOptions, 'targetLabel'> = {},
): MetricResult {
  const { targetLabel } = resolveAttackOptions(options);
  checkBinaryInput(yTrue, pTriggered, 'pTriggered');
  checkProbabilities(pClean, 'pClean');
  checkSameLength(pTriggered, 'pTriggered', pClean, 'pClean');
  let sum = 0;
  let n = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === targetLabel) continue;
    sum += probabilityOfTarget(pTriggered[i]!, targetLabel) - probabilityOfTarget(pClean[i]!, targetLabel);
    n++;
  }
  if (n === 0) {
    return undefinedMetric(
      WARNING.noEligibleStay,
      `confidence shift is undefined: no stay has a true label other than the target ${targetLabel}.`,
    );
  }
  return defined(sum / n);
}

/**
 * Clean-AUROC drop: the clean-test AUROC of the matching clean run (same model, data and seed, poison
 * rate 0) minus this run's clean-test AUROC. Positive = the attack cost clean performance.
 * NaN with a reason when either AUROC is NaN (undefined) or the reference is missing.
 */
export function cleanAurocDrop(referenceAuroc: number | MetricResult | undefined | null, auroc: number | MetricResult): MetricResult {
  const reference = referenceAuroc == null ? undefined : typeof referenceAuroc === 'number' ? referenceAuroc : referenceAuroc.value;
  const own = typeof auroc === 'number' ? auroc : auroc.value;
  for (const [name, v] of [
    ['referenceAuroc', reference],
    ['auroc', own],
  ] as const) {
    check(
      v === undefined || Number.isNaN(v) || (v >= 0 && v <= 1),
      'E_METRICS_INVALID_OPTION',
      () => `${name} must be an AUROC in [0, 1] (or NaN), got ${String(v)}.`,
    );
  }
  if (reference === undefined) {
    return undefinedMetric(
      WARNING.missingReference,
      'clean-AUROC drop is undefined: no matching clean run (same model and seed, poison rate 0) was given.',
    );
  }
  if (Number.isNaN(reference))
    return undefinedMetric(WARNING.undefinedInput, "clean-AUROC drop is undefined: the matching clean run's AUROC is NaN.");
  if (Number.isNaN(own)) return undefinedMetric(WARNING.undefinedInput, "clean-AUROC drop is undefined: this run's clean AUROC is NaN.");
  return defined(reference - own);
}

export function resolveAttackOptions(options: AttackOptions): TargetDecision {
  const targetLabel = options.targetLabel ?? DEFAULT_TARGET_LABEL;
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  checkTargetLabel(targetLabel);
  checkThreshold(threshold);
  if (options.targetThreshold === undefined) return { targetLabel, threshold };
  checkThreshold(options.targetThreshold);
  return { targetLabel, threshold, targetThreshold: options.targetThreshold };
}
