import { checkBinaryInput, checkProbabilities, checkSameLength, type Labels, type Probabilities } from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';
import { predictsTarget, resolveAttackOptions, type AttackOptions } from './backdoor.js';

/** The flip rate with its numerator and denominator. */
export interface FlipRate extends MetricResult {
  /** Eligible stays (y ≠ target) predicted non-target without the trigger: the denominator. */
  readonly nBase: number;
  /** Of those, the stays predicted the target with the trigger: the numerator. */
  readonly nFlipped: number;
}

/**
 * Flip rate: among test stays whose label is not the target and which the model predicts non-target without
 * the trigger, the share it predicts the target with the trigger (same decision rule as the ASR: `targetThreshold`
 * on p(target) when given, else `threshold` on p(label 1)). Unlike the
 * ASR it leaves out the stays the model already got "wrong" toward the target, so a clean model's false
 * positives do not count as attack success. `pTriggered`/`pClean` are p(label 1), same stays, same order.
 */
export function flipRate(yTrue: Labels, pTriggered: Probabilities, pClean: Probabilities, options: AttackOptions = {}): FlipRate {
  const decision = resolveAttackOptions(options);
  const { targetLabel } = decision;
  checkBinaryInput(yTrue, pTriggered, 'pTriggered');
  checkProbabilities(pClean, 'pClean');
  checkSameLength(pTriggered, 'pTriggered', pClean, 'pClean');
  let nBase = 0;
  let nFlipped = 0;
  for (let i = 0; i < yTrue.length; i++) {
    if (yTrue[i] === targetLabel || predictsTarget(pClean[i]!, decision)) continue;
    nBase++;
    if (predictsTarget(pTriggered[i]!, decision)) nFlipped++;
  }
  if (nBase === 0) {
    return {
      ...undefinedMetric(
        WARNING.noEligibleStay,
        `flip rate is undefined: no test stay with a label other than the target ${targetLabel} is predicted non-target without the trigger.`,
      ),
      nBase,
      nFlipped,
    };
  }
  return { ...defined(nFlipped / nBase), nBase, nFlipped };
}
