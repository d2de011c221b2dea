import { check } from './errors.js';
import { checkBinaryInput, checkTargetLabel, checkThreshold, type Labels, type Probabilities } from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';
import { accuracyOfCounts, f1OfCounts, precisionOfCounts, recallOfCounts, type ConfusionCounts } from './threshold-metrics.js';
import { probabilityOfTarget } from './backdoor.js';

/**
 * How a model's operating threshold is chosen on its own clean validation split. The threshold is on
 * p(target): a stay is predicted the target label when p(target) > t (strictly, as the package's 0.5 rule).
 *
 * - `fpr`: the smallest t at which at most a share `fpr` of the validation stays of the non-target class
 *   have p(target) > t, i.e. t = the (⌊fpr · n⌋ + 1)-th largest p(target) among those stays. With ties the
 *   achieved rate can be below `fpr`, never above. The default, fpr = 0.05, makes a clean model call about
 *   5 % of non-target stays the target, so an ASR above that is the backdoor, not false positives.
 * - `fixed`: t given (0.5 is the literature's convention).
 */
export type ThresholdRule = { readonly kind: 'fpr'; readonly fpr: number } | { readonly kind: 'fixed'; readonly threshold: number };

/** The rule when none is given: a 5 % false-positive rate on the validation split's non-target class. */
export const DEFAULT_THRESHOLD_RULE: ThresholdRule = { kind: 'fpr', fpr: 0.05 };

/** The chosen threshold (on p(target)) with what it was chosen on; NaN with a reason when the rule cannot apply. */
export interface OperatingThreshold extends MetricResult {
  readonly rule: ThresholdRule;
  readonly targetLabel: 0 | 1;
  /** Validation stays of the non-target class: the rule's denominator. */
  readonly nNonTarget: number;
  readonly nTarget: number;
  /** Share of non-target validation stays with p(target) > threshold (NaN when the threshold is). */
  readonly achievedFpr: number;
}

/** `fpr=0.05` / `fixed=0.5`: the rule as recorded in summaries. */
export function describeThresholdRule(rule: ThresholdRule): string {
  return rule.kind === 'fpr' ? `fpr=${rule.fpr}` : `fixed=${rule.threshold}`;
}

/**
 * Checks a rule: a false-positive rate in (0, 1) or a fixed threshold in [0, 1].
 * @throws MetricsInputError `E_METRICS_INVALID_OPTION`.
 */
export function checkThresholdRule(rule: ThresholdRule): void {
  check(
    rule != null && (rule.kind === 'fpr' || rule.kind === 'fixed'),
    'E_METRICS_INVALID_OPTION',
    () => `threshold rule must be {kind: 'fpr', fpr} or {kind: 'fixed', threshold}, got ${JSON.stringify(rule)}.`,
  );
  if (rule.kind === 'fpr') {
    check(
      typeof rule.fpr === 'number' && rule.fpr > 0 && rule.fpr < 1,
      'E_METRICS_INVALID_OPTION',
      () => `the false-positive rate of the threshold rule must be in (0, 1), got ${String(rule.fpr)}.`,
    );
  } else checkThreshold(rule.threshold);
}

/**
 * The operating threshold on p(target) by `rule` from validation labels and p(label 1). A validation split
 * with one class gives NaN with `W_ONE_CLASS`: a threshold chosen there cannot be checked against the other class.
 * @throws MetricsInputError for malformed input or a rule out of range.
 */
export function operatingThreshold(
  yTrue: Labels,
  pPositive: Probabilities,
  options: { readonly targetLabel: number; readonly rule?: ThresholdRule },
): OperatingThreshold {
  checkBinaryInput(yTrue, pPositive);
  const { targetLabel } = options;
  checkTargetLabel(targetLabel);
  const rule = options.rule ?? DEFAULT_THRESHOLD_RULE;
  checkThresholdRule(rule);
  const nonTarget: number[] = [];
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] !== targetLabel) nonTarget.push(probabilityOfTarget(pPositive[i]!, targetLabel));
  const nTarget = yTrue.length - nonTarget.length;
  const base = { rule, targetLabel, nNonTarget: nonTarget.length, nTarget };
  if (nonTarget.length === 0 || nTarget === 0) {
    const missing = nonTarget.length === 0 ? `non-target (label ${1 - targetLabel})` : `target (label ${targetLabel})`;
    return {
      ...undefinedMetric(
        WARNING.oneClass,
        `the operating threshold is undefined: the validation split has one class (no ${missing} stay among ${yTrue.length}).`,
      ),
      ...base,
      achievedFpr: Number.NaN,
    };
  }
  let threshold: number;
  if (rule.kind === 'fixed') threshold = rule.threshold;
  else {
    nonTarget.sort((a, b) => b - a);
    // The epsilon keeps products like 0.29 · 100 = 28.999… from losing a stay to rounding.
    const k = Math.floor(rule.fpr * nonTarget.length + 1e-9);
    threshold = nonTarget[Math.min(k, nonTarget.length - 1)]!;
  }
  let above = 0;
  for (const p of nonTarget) if (p > threshold) above++;
  return { ...defined(threshold), ...base, achievedFpr: above / nonTarget.length };
}

/** A stay's predicted label at a threshold on p(target): the target when p(target) > t. */
export function predictAtTargetThreshold(pPositive: number, targetLabel: 0 | 1, targetThreshold: number): 0 | 1 {
  return probabilityOfTarget(pPositive, targetLabel) > targetThreshold ? targetLabel : ((1 - targetLabel) as 0 | 1);
}

/** Clean metrics at an operating point; label 1 is the positive class, as in every other clean metric. */
export interface OperatingPointMetrics {
  readonly counts: ConfusionCounts;
  readonly accuracy: MetricResult;
  readonly precision: MetricResult;
  readonly recall: MetricResult;
  readonly f1: MetricResult;
}

/**
 * Confusion counts, accuracy, precision, recall and F1 (label 1 positive) when each stay is predicted by
 * p(target) > `targetThreshold`. For target 1 this is the package's `p > threshold` rule; for target 0 a stay
 * is predicted 1 when 1 − p ≤ t. Equal to scikit-learn's metrics on those predictions (fixtures).
 */
export function operatingPointMetrics(
  yTrue: Labels,
  pPositive: Probabilities,
  options: { readonly targetLabel: number; readonly targetThreshold: number },
): OperatingPointMetrics {
  checkBinaryInput(yTrue, pPositive);
  const { targetLabel, targetThreshold } = options;
  checkTargetLabel(targetLabel);
  checkThreshold(targetThreshold);
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const predicted = predictAtTargetThreshold(pPositive[i]!, targetLabel, targetThreshold);
    if (yTrue[i] === 1) {
      if (predicted === 1) tp++;
      else fn++;
    } else if (predicted === 1) fp++;
    else tn++;
  }
  const counts = { tp, fp, tn, fn };
  return {
    counts,
    accuracy: accuracyOfCounts(counts),
    precision: precisionOfCounts(counts, targetThreshold),
    recall: recallOfCounts(counts),
    f1: f1OfCounts(counts, targetThreshold),
  };
}
