import { Random } from '@ehr-backdoor/core';
import { kMeans, silhouette, squaredDistance } from './kmeans.js';

// Seven points in the plane: a group near the origin (with (2, 2) between) and a group near (5, 5).
const points = Float64Array.from([0, 0, 1, 0, 0, 1.5, 5, 5, 6, 5, 5, 7, 2, 2]);
const random = () => Random.fromSeed(1, 'kmeans-spec');

/** A Random whose draws are scripted: `int` always gives `first`, `next` gives `uniforms` in turn (and throws when none is left). */
function scripted(first: number, uniforms: number[] = []): Random {
  const left = [...uniforms];
  return {
    int: () => first,
    next: () => {
      if (left.length === 0) throw new Error('no uniform draw was expected here');
      return left.shift() as number;
    },
    sampleIndices: () => {
      throw new Error('no sample was expected here');
    },
  } as unknown as Random;
}

describe('squaredDistance', () => {
  it('sums squared differences of d values from the two offsets', () => {
    expect(squaredDistance(points, 2, points, 4, 2)).toBe(1 + 2.25);
    expect(squaredDistance(points, 4, points, 2, 2)).toBe(3.25);
    expect(squaredDistance(points, 0, points, 0, 2)).toBe(0);
    expect(squaredDistance(points, 8, points, 10, 1)).toBe(1);
  });
});

describe('kMeans', () => {
  it('splits two groups, with centroids at their means, their sizes and the inertia', () => {
    const result = kMeans(points, 7, 2, 2, random());
    const near = result.assignment[0];
    expect(Array.from(result.assignment, (c) => c === near)).toEqual([true, true, true, false, false, false, true]);
    const far = 1 - near;
    expect(Array.from(result.centroids.subarray(near * 2, near * 2 + 2))).toEqual([0.75, 0.875]);
    expect(result.centroids[far * 2]).toBeCloseTo(16 / 3, 12);
    expect(result.centroids[far * 2 + 1]).toBeCloseTo(17 / 3, 12);
    expect(result.sizes[near]).toBe(4);
    expect(result.sizes[far]).toBe(3);
    let inertia = 0;
    for (let i = 0; i < 7; i++) inertia += squaredDistance(points, i * 2, result.centroids, result.assignment[i] * 2, 2);
    expect(result.inertia).toBeCloseTo(inertia, 9);
  });

  it('keeps the lowest inertia of its restarts', () => {
    // Three rings of four points; a seeding with two centroids in one ring ends in a local minimum.
    const rings: number[] = [];
    for (const [cx, cy] of [
      [0, 0],
      [6, 0],
      [3, 5],
    ])
      for (let a = 0; a < 4; a++) rings.push(cx + 1.5 * Math.cos(a * 1.57), cy + 1.5 * Math.sin(a * 1.57));
    const p = Float64Array.from(rings);
    const runs = Array.from({ length: 30 }, (_, s) => kMeans(p, 12, 2, 3, Random.fromSeed(s, 'kmeans-spec'), 1).inertia);
    const best = Math.min(...runs);
    expect(best).toBeCloseTo(27, 3);
    const stuck = runs.findIndex((r) => r > best + 10);
    expect(stuck).toBeGreaterThanOrEqual(0);
    // From the seed whose first seeding gets stuck, more restarts find the best split.
    expect(kMeans(p, 12, 2, 3, Random.fromSeed(stuck, 'kmeans-spec'), 1).inertia).toBeGreaterThan(best + 10);
    expect(kMeans(p, 12, 2, 3, Random.fromSeed(stuck, 'kmeans-spec')).inertia).toBeCloseTo(best, 9);
    expect(kMeans(p, 12, 2, 3, Random.fromSeed(stuck, 'kmeans-spec'), 0)).toBeUndefined();
  });

  it('stops at the iteration limit, and reaches the fixed point given enough iterations', () => {
    // A line of points: the D²-seeded centroids need several Lloyd steps to settle.
    const line = Float64Array.from({ length: 40 }, (_, i) => i ** 1.5);
    const settled = kMeans(line, 40, 1, 2, random(), 1);
    const once = kMeans(line, 40, 1, 2, random(), 1, 1);
    expect(once.inertia).toBeGreaterThanOrEqual(settled.inertia);
    // At the fixed point each point is nearest its own centroid and each centroid is its cluster's mean.
    for (let c = 0; c < 2; c++) {
      const members = Array.from(line).filter((_, i) => settled.assignment[i] === c);
      expect(settled.centroids[c]).toBeCloseTo(members.reduce((s, x) => s + x, 0) / members.length, 9);
      expect(settled.sizes[c]).toBe(members.length);
    }
    line.forEach((x, i) => {
      const own = Math.abs(x - settled.centroids[settled.assignment[i]]);
      expect(own).toBeLessThanOrEqual(Math.abs(x - settled.centroids[1 - settled.assignment[i]]));
    });
  });

  it('seeds on any point when every point is the same, and keeps an empty cluster’s centroid', () => {
    const same = new Float64Array(10).fill(3);
    const result = kMeans(same, 5, 2, 2, random(), 2);
    expect(result.inertia).toBe(0);
    // A point equally near two centroids joins the lower-numbered one (as numpy's argmin in sklearn).
    expect(Array.from(result.sizes)).toEqual([5, 0]);
    expect(Array.from(result.centroids)).toEqual([3, 3, 3, 3]);
    // With every point on a centroid there is no D² weight to draw from: no uniform number is drawn.
    expect(kMeans(same, 5, 2, 2, scripted(1), 1).inertia).toBe(0);
  });

  it('draws each k-means++ seed by D², the draw u falling in [Σ before, Σ through) of a point', () => {
    // 1-D points 0, 1, 3 with the first seed on 0: D² = 0, 1, 9 (total 10). u = 0.1 · 10 = 1 lies at the
    // start of point 3's interval [1, 10), not in point 1's [0, 1).
    const line = Float64Array.from([0, 1, 3]);
    const once = kMeans(line, 3, 1, 2, scripted(0, [0.1]), 1, 1);
    // One iteration: assigned to the seeds 0 and 3 (inertia measured there), then the means.
    expect(once.inertia).toBe(1);
    expect(Array.from(once.assignment)).toEqual([0, 0, 1]);
    expect(Array.from(once.centroids)).toEqual([0.5, 3]);
    // Settled, the inertia is measured at the fixed point.
    expect(kMeans(line, 3, 1, 2, scripted(0, [0.1]), 1).inertia).toBe(0.5);
    // Two dimensions, three seeds: the third seed's D² is the distance to the nearer of the first two.
    const plane = Float64Array.from([0, 0, 1, 0, 10, 0, 0, 10]);
    // D² after the seed (0, 0): 0, 1, 100, 100 (u = 100.5 → (10, 0)); after (10, 0) too: 0, 1, 0, 100 (u = 50.5 → (0, 10)).
    const three = kMeans(plane, 4, 2, 3, scripted(0, [0.5, 0.5]), 1, 1);
    expect(Array.from(three.assignment)).toEqual([0, 0, 1, 2]);
    expect(Array.from(three.centroids)).toEqual([0.5, 0, 10, 0, 0, 10]);
    expect(three.inertia).toBe(1);
  });

  it('puts a point halfway between two centroids in the lower-numbered one', () => {
    // Seeds 0 and 2 (D² 0, 1, 4; u = 2.5 → the point 2); the point 1 is as near to both.
    const result = kMeans(Float64Array.from([0, 1, 2]), 3, 1, 2, scripted(0, [0.5]), 1, 1);
    expect(Array.from(result.assignment)).toEqual([0, 0, 1]);
    expect(Array.from(result.centroids)).toEqual([0.5, 2]);
  });

  it('keeps the first of equally good restarts, as sklearn', () => {
    // Every restart finds the same two groups; which group is numbered 0 depends on its seeding.
    const restarts = Array.from({ length: 10 }, (_, r) => r + 1).map((count) => kMeans(points, 7, 2, 2, random(), count));
    const first = Array.from(restarts[0].assignment);
    for (const result of restarts) expect(result.inertia).toBe(restarts[0].inertia);
    for (const result of restarts) expect(Array.from(result.assignment)).toEqual(first);
  });

  it('draws k-means++ seeds: three groups are found from one seeding', () => {
    const three = Float64Array.from([0, 0, 0.2, 0, 10, 10, 10.2, 10, -10, 10, -10.2, 10]);
    const result = kMeans(three, 6, 2, 3, random(), 1);
    expect(result.assignment[0]).toBe(result.assignment[1]);
    expect(result.assignment[2]).toBe(result.assignment[3]);
    expect(result.assignment[4]).toBe(result.assignment[5]);
    expect(new Set(result.assignment).size).toBe(3);
    expect(result.inertia).toBeCloseTo(3 * 2 * 0.01, 9);
  });
});

describe('silhouette', () => {
  // References: sklearn.metrics.silhouette_score on the same points and labels.
  it('agrees with scikit-learn', () => {
    const two = Int32Array.from([0, 0, 0, 1, 1, 1, 0]);
    expect(silhouette(points, 7, 2, two, 2, random())).toBeCloseTo(0.7183239872901582, 12);
    expect(silhouette(points, 7, 2, Int32Array.from([0, 0, 0, 1, 1, 1, 1]), 2, random())).toBeCloseTo(0.5126979575707094, 12);
    // A singleton cluster counts 0 for its point, as sklearn.
    expect(silhouette(points, 7, 2, Int32Array.from([0, 0, 0, 0, 0, 0, 1]), 2, random())).toBeCloseTo(-0.2282584172803143, 12);
    expect(silhouette(Float64Array.from([0, 1, 5]), 3, 1, Int32Array.from([0, 0, 1]), 2, random())).toBeCloseTo(0.5166666666666667, 12);
    const nine = Float64Array.from([...points, 9, 0, 9, 1]);
    expect(silhouette(nine, 9, 2, Int32Array.from([0, 0, 0, 1, 1, 1, 0, 2, 2]), 3, random())).toBeCloseTo(0.7394477443551566, 12);
  });

  it('is NaN for an empty cluster or fewer than 3 points, and 0 for coinciding points', () => {
    expect(silhouette(points, 7, 2, new Int32Array(7), 2, random())).toBeNaN();
    expect(silhouette(points, 2, 2, Int32Array.from([0, 1]), 2, random())).toBeNaN();
    expect(silhouette(new Float64Array(8), 4, 2, Int32Array.from([0, 0, 1, 1]), 2, random())).toBe(0);
  });

  it('averages over a sample of the points when there are more than sampleSize', () => {
    const two = Int32Array.from([0, 0, 0, 1, 1, 1, 0]);
    // n ≤ sampleSize: every point, in order, and nothing drawn.
    const all = silhouette(points, 7, 2, two, 2, scripted(0), 7);
    expect(all).toBeCloseTo(0.7183239872901582, 12);
    const sampled = [1, 2, 3, 4].map((s) => silhouette(points, 7, 2, two, 2, Random.fromSeed(s, 'x'), 3));
    expect(new Set(sampled).size).toBeGreaterThan(1);
    // The point (2, 2) between the groups has the lowest s; no 3-point mean can be below the three lowest.
    for (const s of sampled) expect(s).not.toBeCloseTo(all, 6);
  });
});
