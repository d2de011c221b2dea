/**
 * The q-quantile of ascending `sorted` by linear interpolation between order statistics (type 7, the default
 * of R and numpy's `np.percentile(x, 100 q)`); NaN for an empty array. One copy for the packages above core
 * (poison's trigger ranges, detect's screening, aggregation's bootstrap intervals); metrics, which depends on
 * nothing of ours, keeps its own with the same arithmetic.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
