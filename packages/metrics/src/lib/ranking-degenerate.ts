import { undefinedMetric, WARNING, type MetricResult } from './result.js';

/**
 * AUROC and AP rank positives against negatives, so both need both classes. sklearn raises for AUROC and
 * returns 1.0 (all positive) or 0 with a warning (all negative) for AP; we return NaN for both, so that a
 * meaningless figure never reaches a summary table.
 */
export function rankingDegenerate(metric: string, positives: number, negatives: number): MetricResult | undefined {
  if (positives + negatives === 0) return undefinedMetric(WARNING.empty, `${metric} is undefined on an empty set.`);
  if (positives === 0 || negatives === 0) {
    const only = positives === 0 ? 'negative' : 'positive';
    return undefinedMetric(
      WARNING.oneClass,
      `${metric} is undefined: all ${positives + negatives} stays are ${only}, and a ranking metric needs both classes.`,
    );
  }
  return undefined;
}
