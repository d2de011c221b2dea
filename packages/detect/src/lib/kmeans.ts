import type { Random } from '@ehr-backdoor/core';
import { max, min, sqrt } from './math.js';

/**
 * k-means (Lloyd) with k-means++ seeding (Arthur & Vassilvitskii 2007) and `restarts` independent
 * seedings, keeping the lowest inertia as sklearn's KMeans(n_init) does. Points are n × d, row-major.
 */
export interface KMeansResult {
  readonly assignment: Int32Array;
  /** k × d. */
  readonly centroids: Float64Array;
  readonly sizes: Int32Array;
  readonly inertia: number;
}

export function kMeans(
  points: Float64Array,
  n: number,
  d: number,
  k: number,
  random: Random,
  restarts = 10,
  maxIterations = 300,
): KMeansResult {
  let best: KMeansResult | undefined;
  for (let run = 0; run < restarts; run++) {
    const result = lloyd(points, n, d, k, seedPlusPlus(points, n, d, k, random), maxIterations);
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best as KMeansResult;
}

function seedPlusPlus(points: Float64Array, n: number, d: number, k: number, random: Random): Float64Array {
  const centroids = new Float64Array(k * d);
  const first = random.int(n);
  centroids.set(points.subarray(first * d, first * d + d), 0);
  const nearest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      nearest[i] = min(nearest[i], squaredDistance(points, i * d, centroids, (c - 1) * d, d));
      total += nearest[i];
    }
    // D² sampling; if every point sits on a centroid, any point will do.
    let pick = random.int(n);
    if (total > 0) {
      let u = random.next() * total;
      for (let i = 0; i < n; i++) {
        u -= nearest[i];
        if (u < 0) {
          pick = i;
          break;
        }
      }
    }
    centroids.set(points.subarray(pick * d, pick * d + d), c * d);
  }
  return centroids;
}

function lloyd(points: Float64Array, n: number, d: number, k: number, centroids: Float64Array, maxIterations: number): KMeansResult {
  const assignment = new Int32Array(n).fill(-1);
  const sizes = new Int32Array(k);
  let inertia = 0;
  for (let it = 0; it < maxIterations; it++) {
    let changed = false;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let bestC = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistance(points, i * d, centroids, c * d, d);
        if (dist < bestD) {
          bestD = dist;
          bestC = c;
        }
      }
      inertia += bestD;
      if (assignment[i] !== bestC) {
        assignment[i] = bestC;
        changed = true;
      }
    }
    sizes.fill(0);
    const sums = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      const c = assignment[i];
      sizes[c]++;
      for (let j = 0; j < d; j++) sums[c * d + j] += points[i * d + j];
    }
    for (let c = 0; c < k; c++) if (sizes[c] > 0) for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j] / sizes[c];
    if (!changed) break;
  }
  return { assignment, centroids, sizes, inertia };
}

export function squaredDistance(a: Float64Array, ao: number, b: Float64Array, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = a[ao + j] - b[bo + j];
    s += t * t;
  }
  return s;
}

/**
 * Mean silhouette (Rousseeuw 1987) of a 2-cluster assignment over up to `sampleSize` points drawn
 * with `random` (as sklearn's silhouette_score(sample_size)): s = (b − a) / max(a, b) against all
 * points. NaN when a cluster is empty.
 */
export function silhouette(
  points: Float64Array,
  n: number,
  d: number,
  assignment: Int32Array,
  k: number,
  random: Random,
  sampleSize = 2000,
): number {
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[assignment[i]]++;
  if (sizes.some((s) => s === 0) || n < 3) return NaN;
  const sample = n <= sampleSize ? Array.from({ length: n }, (_, i) => i) : random.sampleIndices(n, sampleSize);
  let total = 0;
  const sums = new Float64Array(k);
  for (const i of sample) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[assignment[j]] += sqrt(squaredDistance(points, i * d, points, j * d, d));
    const own = assignment[i];
    if (sizes[own] === 1) continue; // s = 0 for a singleton, as sklearn
    const a = sums[own] / (sizes[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = min(b, sums[c] / sizes[c]);
    const m = max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / sample.length;
}
