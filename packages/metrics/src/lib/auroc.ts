import { checkBinaryInput, type Labels, type Probabilities } from './validate.js';
import { defined, type MetricResult } from './result.js';
import { aurocOfRanking, classTotals, rankByScore } from './ranking.js';
import { rankingDegenerate } from './ranking-degenerate.js';

/**
 * Area under the ROC curve of scores `pPositive` for labels `yTrue` (1 = positive). Ties between scores
 * count one half, exactly as sklearn.metrics.roc_auc_score. NaN with a reason for an empty set or one class.
 */
export function auroc(yTrue: Labels, pPositive: Probabilities): MetricResult {
  checkBinaryInput(yTrue, pPositive);
  const { positives, negatives } = classTotals(yTrue, undefined);
  const degenerate = rankingDegenerate('AUROC', positives, negatives);
  if (degenerate) return degenerate;
  return defined(aurocOfRanking(rankByScore(pPositive), yTrue, undefined, positives, negatives));
}
