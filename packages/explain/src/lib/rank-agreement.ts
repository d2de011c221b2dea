/**
 * Agreement of two feature rankings: Kendall's τ-b (ties counted as scipy.stats.kendalltau does) and
 * the overlap of the top-k sets. Both read the values' order only, so they can be given raw |attribution|.
 */

/**
 * Kendall's τ-b in O(n log n) (Knight 1966): sort by (x, y); discordant pairs are the strict
 * inversions of y in that order (counted by merge sort); ties in x, in y and in both correct the
 * numerator and the normalisation. NaN when either ranking is constant (τ-b is undefined).
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`kendallTauB: lengths differ (${n} vs ${y.length})`);
  if (n < 2) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i] - x[j] || y[i] - y[j]);
  const xs = Float64Array.from(order, (i) => x[i]);
  const ys = Float64Array.from(order, (i) => y[i]);
  const xTies = tiedPairs(xs);
  let jointTies = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && xs[i] === xs[i - 1] && ys[i] === ys[i - 1]) run++;
    else {
      jointTies += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const discordant = countInversions(ys);
  // ys is now sorted ascending: count its ties.
  const yTies = tiedPairs(ys);
  const total = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((total - xTies) * (total - yTies));
  if (denominator === 0) return NaN;
  return Math.max(-1, Math.min(1, (total - xTies - yTies + jointTies - 2 * discordant) / denominator));
}

/** Pairs tied in a sorted array. */
function tiedPairs(sorted: Float64Array): number {
  let pairs = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      pairs += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return pairs;
}

/** Strict inversions (i < j, a[i] > a[j]); sorts `a` ascending in place (bottom-up merge sort). */
function countInversions(a: Float64Array): number {
  const n = a.length;
  let src: Float64Array = a;
  let dst: Float64Array = new Float64Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j] < src[i]) {
          inversions += mid - i;
          dst[k++] = src[j++];
        } else dst[k++] = src[i++];
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) a.set(src);
  return inversions;
}

/** Indices of the k largest values, largest first; ties broken by the lower index, so the set is deterministic. */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((i, j) => values[j] - values[i] || i - j);
  return order.slice(0, Math.min(k, values.length));
}

/** |top-k(a) ∩ top-k(b)| / k with k capped at the number of features. */
export function topKOverlap(a: ArrayLike<number>, b: ArrayLike<number>, k: number): number {
  const kk = Math.min(k, a.length);
  if (kk <= 0) return NaN;
  const inA = new Set(topKIndices(a, kk));
  let common = 0;
  for (const j of topKIndices(b, kk)) if (inA.has(j)) common++;
  return common / kk;
}
