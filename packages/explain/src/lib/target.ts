import * as tf from '@tensorflow/tfjs-core';
import { assertInput } from '@ehr-backdoor/core';
import type { ExplainCode } from './error-codes.js';

/**
 * Which scalar per example integrated gradients explains. Models return logits: either one logit per
 * example (binary, [batch] or [batch, 1]: z = log-odds of class 1) or one per class ([batch, K], K ≥ 2).
 *
 *   binary   logit of class 1 = z, of class 0 = −z; probability of class 1 = σ(z), of class 0 = 1 − σ(z)
 *   K-class  logit = z_c;                            probability = softmax(z)_c
 */
export interface IgTarget {
  readonly output: 'logit' | 'probability';
  readonly classIndex: number;
}

/**
 * Attribute the logit of class 1 (death in the mortality task) unless told otherwise: logits, not
 * probabilities, so attributions are not squashed by a saturated sigmoid.
 */
export const DEFAULT_TARGET: IgTarget = { output: 'logit', classIndex: 1 };

export function assertTarget(target: IgTarget): void {
  assertInput<ExplainCode>(
    target !== null && typeof target === 'object' && (target.output === 'logit' || target.output === 'probability'),
    'E_IG_TARGET',
    () => `target.output must be 'logit' or 'probability', got ${JSON.stringify(target)}.`,
  );
  assertInput<ExplainCode>(
    Number.isInteger(target.classIndex) && target.classIndex >= 0,
    'E_IG_TARGET',
    () => `target.classIndex must be an integer ≥ 0, got ${String(target.classIndex)}.`,
  );
}

/** The target's value per example, [batch], from the model's logits. */
export function selectTarget(logits: tf.Tensor, target: IgTarget): tf.Tensor1D {
  const batch = logits.shape[0];
  const binary = logits.rank === 1 || (logits.rank === 2 && logits.shape[1] === 1);
  if (binary) {
    assertInput<ExplainCode>(
      target.classIndex <= 1,
      'E_IG_TARGET',
      () => `The model has one output logit (binary), so target.classIndex must be 0 or 1, got ${target.classIndex}.`,
    );
    const z = tf.reshape(logits, [batch]) as tf.Tensor1D;
    const signed = target.classIndex === 1 ? z : tf.neg(z);
    return target.output === 'logit' ? signed : tf.sigmoid(signed);
  }
  assertInput<ExplainCode>(
    logits.rank === 2,
    'E_IG_OUTPUT_SHAPE',
    () => `The model must return [batch], [batch, 1] or [batch, K] logits, got shape [${logits.shape.join(', ')}].`,
  );
  const k = logits.shape[1] as number;
  assertInput<ExplainCode>(
    target.classIndex < k,
    'E_IG_TARGET',
    () => `target.classIndex ${target.classIndex} is not a class of a ${k}-class model.`,
  );
  const scores = target.output === 'logit' ? logits : tf.softmax(logits as tf.Tensor2D);
  return tf.reshape(tf.slice(scores, [0, target.classIndex], [batch, 1]), [batch]) as tf.Tensor1D;
}
