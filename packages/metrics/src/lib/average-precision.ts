import { checkBinaryInput, type Labels, type Probabilities } from './validate.js';
import { defined, type MetricResult } from './result.js';
import { averagePrecisionOfRanking, classTotals, rankByScore } from './ranking.js';
import { rankingDegenerate } from './ranking-degenerate.js';

/**
 * Area under the precision–recall curve as average precision, step-wise (not trapezoidal), equal to
 * sklearn.metrics.average_precision_score. NaN with a reason for an empty set or one class.
 */
export function averagePrecision(yTrue: Labels, pPositive: Probabilities): MetricResult {
  checkBinaryInput(yTrue, pPositive);
  const { positives, negatives } = classTotals(yTrue, undefined);
  const degenerate = rankingDegenerate('AUPRC', positives, negatives);
  if (degenerate) return degenerate;
  return defined(averagePrecisionOfRanking(rankByScore(pPositive), yTrue, undefined, positives));
}
