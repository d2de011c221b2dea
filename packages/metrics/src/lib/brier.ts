import { checkBinaryInput, type Labels, type Probabilities } from './validate.js';
import { defined, undefinedMetric, WARNING, type MetricResult } from './result.js';

/** Brier score: mean squared difference between p(label 1) and the label (sklearn's brier_score_loss). */
export function brierScore(yTrue: Labels, pPositive: Probabilities): MetricResult {
  checkBinaryInput(yTrue, pPositive);
  const n = yTrue.length;
  if (n === 0) return undefinedMetric(WARNING.empty, 'Brier score is undefined on an empty set.');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = pPositive[i]! - yTrue[i]!;
    sum += d * d;
  }
  return defined(sum / n);
}
