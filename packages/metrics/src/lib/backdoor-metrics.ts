import { checkBinaryInput, checkProbabilities, checkSameLength, type Labels, type Probabilities } from './validate.js';
import { collect, type MetricWarning } from './result.js';
import { auroc } from './auroc.js';
import { accuracy } from './threshold-metrics.js';
import {
  attackSuccessRate,
  bootstrapAsr,
  cleanAurocDrop,
  confidenceShift,
  resolveAttackOptions,
  type AttackOptions,
  type AttackSuccessRate,
} from './backdoor.js';
import type { BootstrapOptions, ConfidenceInterval } from './bootstrap.js';
import { intervalColumns } from './interval-columns.js';
import { flipRate } from './flip-rate.js';
import { operatingPointMetrics } from './operating-point.js';

/**
 * What {@link computeBackdoorMetrics} needs from one poisoned run: labels and the model's p(label 1) on
 * the same test stays with and without the trigger, plus the clean-run AUROC to compare against.
 */
export interface BackdoorMetricsInput {
  /** True labels of the test stays (0/1). */
  readonly yTrue: Labels;
  /** p(label 1) on the test stays with the trigger applied (the poisoned test set). */
  readonly pTriggered: Probabilities;
  /** p(label 1) on the same stays, in the same order, without the trigger. */
  readonly pClean: Probabilities;
  /**
   * Clean-test AUROC of the matching clean run (same model, data and seed, poison rate 0). Omit or pass
   * null when there is none: the drop is then NaN with a reason. For the rate-0 run itself pass its own.
   */
  readonly referenceCleanAuroc?: number | null;
  /** This run's clean-test AUROC; default: computed from `yTrue` and `pClean`. */
  readonly cleanAuroc?: number;
}

/** Options of {@link computeBackdoorMetrics}: the attack definition and the ASR bootstrap. */
export interface BackdoorMetricsOptions extends AttackOptions {
  /** Bootstrap options for the ASR interval, or `false` to skip it (its columns are then NaN). */
  readonly bootstrap?: Omit<BootstrapOptions, 'stratified'> | false;
}

/**
 * One run's backdoor columns as written to its summary: the attack success rate with its interval and
 * counts, the confidence shift toward the target label, the clean-AUROC drop against the rate-0 run, and
 * AUROC/accuracy on the triggered test set. A metric that is undefined is NaN with a warning.
 */
export interface BackdoorMetricsRow {
  /**
   * Attack success rate in [0, 1]: eligible triggered stays (true label ≠ target) predicted as the target.
   */
  readonly asr: number;
  /** Lower bound of the ASR's percentile-bootstrap interval (NaN when skipped or undefined). */
  readonly asr_ci_low: number;
  /** Upper bound of the ASR's percentile-bootstrap interval. */
  readonly asr_ci_high: number;
  /** The ASR's denominator: triggered stays whose true label is not the target. */
  readonly asr_n_eligible: number;
  /** The ASR's numerator: eligible stays predicted as the target. */
  readonly asr_n_success: number;
  /** Triggered stays whose true label already is the target, left out of the ASR. */
  readonly asr_n_excluded: number;
  /**
   * Among eligible stays predicted non-target without the trigger, the share predicted the target with it
   * (the model's own false positives toward the target do not count); same decision rule as the ASR.
   */
  readonly flip_rate: number;
  /** The flip rate's denominator: eligible stays predicted non-target without the trigger. */
  readonly flip_rate_n_base: number;
  /**
   * Mean over eligible stays of p(target | triggered) − p(target | clean), in [−1, 1]: how far the trigger pushes toward the target.
   */
  readonly confidence_shift: number;
  /**
   * Clean-test AUROC of the matching clean run minus this run's (positive = poisoning cost clean accuracy); NaN without a reference.
   */
  readonly clean_auroc_drop: number;
  /** AUROC on the triggered test set against the true labels. */
  readonly poisoned_auroc: number;
  /** Accuracy on the triggered test set against the true labels, at the decision threshold. */
  readonly poisoned_accuracy: number;
}

/** The result of {@link computeBackdoorMetrics}: the row and the reasons for any NaN in it. */
export interface BackdoorMetrics {
  readonly metrics: BackdoorMetricsRow;
  readonly warnings: MetricWarning[];
}

/**
 * Every backdoor metric of one run at once.
 *
 *   check inputs → ASR (+ bootstrap CI) on triggered stays → confidence shift (paired) →
 *   clean-AUROC drop against the rate-0 run → AUROC/accuracy on the poisoned (triggered) test set
 */
export function computeBackdoorMetrics(input: BackdoorMetricsInput, options: BackdoorMetricsOptions = {}): BackdoorMetrics {
  const { yTrue, pTriggered, pClean } = input;
  checkBinaryInput(yTrue, pTriggered, 'pTriggered');
  checkProbabilities(pClean, 'pClean');
  checkSameLength(yTrue, 'yTrue', pClean, 'pClean');
  const decision = resolveAttackOptions(options);
  const { targetLabel, threshold } = decision;
  const warnings: MetricWarning[] = [];

  let asr: AttackSuccessRate;
  let interval: ConfidenceInterval | undefined;
  if (options.bootstrap === false) asr = attackSuccessRate(yTrue, pTriggered, decision);
  else ({ asr, interval } = bootstrapAsr(yTrue, pTriggered, { ...options.bootstrap, ...decision }));
  const flips = flipRate(yTrue, pTriggered, pClean, decision);
  const asrValue = collect('asr', asr, warnings);
  const [asrLow, asrHigh] = intervalColumns('asr', interval, warnings);
  const ownAuroc = input.cleanAuroc ?? auroc(yTrue, pClean).value;
  const metrics: BackdoorMetricsRow = {
    asr: asrValue,
    asr_ci_low: asrLow,
    asr_ci_high: asrHigh,
    asr_n_eligible: asr.nEligible,
    asr_n_success: asr.nSuccess,
    asr_n_excluded: asr.nExcluded,
    flip_rate: collect('flip_rate', flips, warnings),
    flip_rate_n_base: flips.nBase,
    confidence_shift: collect('confidence_shift', confidenceShift(yTrue, pTriggered, pClean, { targetLabel }), warnings),
    clean_auroc_drop: collect('clean_auroc_drop', cleanAurocDrop(input.referenceCleanAuroc, ownAuroc), warnings),
    poisoned_auroc: collect('poisoned_auroc', auroc(yTrue, pTriggered), warnings),
    poisoned_accuracy: collect(
      'poisoned_accuracy',
      decision.targetThreshold === undefined
        ? accuracy(yTrue, pTriggered, threshold)
        : operatingPointMetrics(yTrue, pTriggered, { targetLabel, targetThreshold: decision.targetThreshold }).accuracy,
      warnings,
    ),
  };
  return { metrics, warnings };
}
