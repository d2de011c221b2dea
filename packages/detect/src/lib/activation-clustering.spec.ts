import { Random } from '@ehr-backdoor/core';
import { activationClustering } from './activation-clustering.js';

/**
 * 40 stays in two dimensions: label 0 (stays 0–19) one Gaussian blob, label 1 (stays 20–39) a blob of
 * 16 and, at stays 36–39, a tight group of 4 far along the first axis (a poisoned cluster).
 */
function representations() {
  const random = Random.fromSeed(2, 'ac-spec');
  const values = new Float64Array(40 * 2);
  for (let i = 0; i < 40; i++) {
    values[i * 2] = random.normal() + (i >= 36 ? 12 : 0);
    values[i * 2 + 1] = random.normal();
  }
  return { values, rows: 40, cols: 2 };
}
const R = representations();
const labels = Array.from({ length: 40 }, (_, i) => (i < 20 ? 0 : 1));
const small = { representations: R, labels, reduction: 'pca' as const, dimensions: 1 };

describe('activationClustering on two labels', () => {
  it('flags the small, well separated cluster of the poisoned label (PCA to one dimension)', () => {
    const result = activationClustering(small);
    expect(Array.from(result.flagged)).toEqual([36, 37, 38, 39]);
    expect(result.perLabel[1]).toMatchObject({
      label: 1,
      n: 20,
      reduction: 'pca',
      dimensions: 1,
      smallerClusterSize: 4,
      relativeSize: 0.2,
      poisoned: true,
    });
    expect(result.perLabel[1].silhouette as number).toBeGreaterThan(0.8);
    expect(result.perLabel[0]).toMatchObject({ label: 0, n: 20, poisoned: false });
    expect(result.perLabel[0].relativeSize as number).toBeGreaterThanOrEqual(0.35);
    expect(result).toMatchObject({ detector: 'activation_clustering', warnings: [] });
    // Score = 1 for a flagged cluster + closeness to the smaller centroid, in [0, 1].
    for (let i = 0; i < 40; i++) {
      const s = result.scores[i];
      if (i >= 36) expect(s).toBeGreaterThan(1.5);
      else expect(s).toBeLessThan(1);
      expect(s).toBeGreaterThanOrEqual(0);
    }
    // Closeness of a stay in the large cluster of label 1 is below one half, in the small one above.
    expect(result.scores[20]).toBeLessThan(0.5);
  });

  it('reduces with FastICA by default, to at most the representation width', () => {
    const result = activationClustering({ representations: R, labels });
    expect(Array.from(result.flagged)).toEqual([36, 37, 38, 39]);
    expect(result.perLabel[1]).toMatchObject({ reduction: 'ica', dimensions: 2, poisoned: true });
    expect(activationClustering({ ...small, dimensions: 5 }).perLabel[1]).toMatchObject({ dimensions: 2 });
    expect(result.warnings).toEqual([]);
    // FastICA rescales each source to unit variance, PCA only rotates: the closeness scores differ.
    const pca = activationClustering({ representations: R, labels, reduction: 'pca' });
    expect(Array.from(pca.flagged)).toEqual([36, 37, 38, 39]);
    expect(Array.from(result.scores)).not.toEqual(Array.from(pca.scores));
  });

  it('warns when FastICA does not converge (Gaussian data has no independent sources to find)', () => {
    const random = Random.fromSeed(3, 'x');
    const values = Float64Array.from({ length: 12 * 3 }, () => random.normal());
    const result = activationClustering({ representations: { values, rows: 12, cols: 3 }, labels: Array(12).fill(0), dimensions: 3 });
    expect(result.warnings).toEqual(['label 0: FastICA did not converge in 200 iterations']);
    expect(result.scores.every((s) => s >= 0 && s <= 2)).toBe(true);
  });

  it('PCA to the full width only rotates: each score is the closeness to the two clusters in the original space', () => {
    // Labels alternate; label 0's outliers sit late (stays 30–36), label 1's early (stays 1–7), so the
    // flagged stays come out of the labels in an order that only the final sort makes ascending.
    const random = Random.fromSeed(6, 'ac-spec-rotation');
    const n = 40;
    const d = 3;
    const outlier = (i: number) => (i % 2 === 0 ? i >= 30 && i <= 36 : i <= 7);
    const values = Float64Array.from({ length: n * d }, (_, x) => {
      const i = Math.floor(x / d);
      return random.normal() * (1 + (x % d)) + (outlier(i) && x % d === 0 ? 15 : 0);
    });
    const result = activationClustering({
      representations: { values, rows: n, cols: d },
      labels: Array.from({ length: n }, (_, i) => i % 2),
      reduction: 'pca',
      dimensions: d,
      analysis: 'smaller',
    });
    expect(Array.from(result.flagged)).toEqual([1, 3, 5, 7, 30, 32, 34, 36]);
    const distance = (i: number, centre: number[]) => Math.hypot(...centre.map((c, j) => values[i * d + j] - c));
    for (const label of [0, 1]) {
      const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === label);
      const mean = (members: number[]) => [0, 1, 2].map((j) => members.reduce((s, i) => s + values[i * d + j], 0) / members.length);
      const smallCentre = mean(rows.filter(outlier));
      const largeCentre = mean(rows.filter((i) => !outlier(i)));
      for (const i of rows) {
        const dSmall = distance(i, smallCentre);
        const dLarge = distance(i, largeCentre);
        expect(result.scores[i]).toBeCloseTo((outlier(i) ? 1 : 0) + dLarge / (dSmall + dLarge), 6);
      }
    }
  });

  it('applies each analysis and its thresholds', () => {
    const smaller = activationClustering({ ...small, analysis: 'smaller' });
    expect(smaller.perLabel.map((p) => p.poisoned)).toEqual([true, true]);
    expect(smaller.perLabel[0].silhouette).toBeNaN();
    expect(smaller.flagged.length).toBe(4 + (smaller.perLabel[0].smallerClusterSize as number));
    const relative = activationClustering({ ...small, analysis: 'relative-size' });
    expect(relative.perLabel.map((p) => p.poisoned)).toEqual([false, true]);
    expect(relative.perLabel[1].silhouette).toBeNaN();
    expect(activationClustering({ ...small, analysis: 'relative-size', sizeThreshold: 0.2 }).perLabel[1].poisoned).toBe(false);
    expect(activationClustering({ ...small, analysis: 'relative-size', sizeThreshold: 0.21 }).perLabel[1].poisoned).toBe(true);
    const separated = activationClustering({ ...small, analysis: 'silhouette' });
    expect(separated.perLabel[1].poisoned).toBe(true);
    const sil1 = separated.perLabel[1].silhouette as number;
    expect(activationClustering({ ...small, analysis: 'silhouette', silhouetteThreshold: sil1 }).perLabel[1].poisoned).toBe(false);
    expect(activationClustering({ ...small, silhouetteThreshold: sil1 }).perLabel[1].poisoned).toBe(false);
    expect(activationClustering({ ...small, silhouetteThreshold: sil1 - 1e-9 }).perLabel[1].poisoned).toBe(true);
    expect(activationClustering({ ...small, sizeThreshold: 0.2 }).perLabel[1].poisoned).toBe(false);
    // Label 0's 2-means split is well separated in one dimension too, but not small: only 'silhouette' flags it.
    const sil0 = separated.perLabel[0].silhouette as number;
    expect(separated.perLabel[0].poisoned).toBe(sil0 > 0.1);
  });

  it('is deterministic for a seed, and the seed reaches the reduction and the clustering', () => {
    const a = activationClustering({ representations: R, labels, seed: 3 });
    const b = activationClustering({ representations: R, labels, seed: 3 });
    expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
    const byDefault = activationClustering({ representations: R, labels });
    expect(Array.from(activationClustering({ representations: R, labels, seed: 0 }).scores)).toEqual(Array.from(byDefault.scores));
    // One restart and a small silhouette sample still find the poisoned cluster.
    const quick = activationClustering({ ...small, restarts: 1, silhouetteSample: 5 });
    expect(Array.from(quick.flagged)).toEqual([36, 37, 38, 39]);
    expect(quick.perLabel[1].silhouette).not.toBe(activationClustering(small).perLabel[1].silhouette);
  });

  it('skips a label with fewer than 3 stays and warns when every reduced activation is equal', () => {
    const values = Float64Array.from([...R.values.subarray(0, 40), 1, 1, 1, 1, 1, 1, 7, 7, 8, 8]);
    const result = activationClustering({
      representations: { values, rows: 25, cols: 2 },
      labels: [...labels.slice(0, 20), 1, 1, 1, 2, 2],
      reduction: 'pca',
      dimensions: 1,
    });
    expect(result.warnings).toEqual([
      'label 1: 2-means found one cluster (all reduced activations equal)',
      'label 2: 2 stays, too few to cluster; their scores are NaN',
    ]);
    expect(result.perLabel[1]).toMatchObject({ label: 1, n: 3, smallerClusterSize: 0, poisoned: false });
    // An empty cluster is never poisoned, although its relative size, 0, is below any threshold.
    const relative = activationClustering({
      representations: { values, rows: 25, cols: 2 },
      labels: [...labels.slice(0, 20), 1, 1, 1, 2, 2],
      reduction: 'pca',
      dimensions: 1,
      analysis: 'relative-size',
    });
    expect(relative.perLabel[1]).toMatchObject({ smallerClusterSize: 0, relativeSize: 0, poisoned: false });
    expect(result.perLabel[2]).toEqual({ label: 2, n: 2, skipped: true });
    expect(result.scores[23]).toBeNaN();
    expect(result.scores[24]).toBeNaN();
    // All at one centroid: closeness one half.
    expect(result.scores[20]).toBe(0.5);
  });

  it('names what it refuses', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ labels: [0, 1] }, 'labels has 2 entries for 40 representations.'],
      [{ reduction: 'umap' }, 'activation_clustering: reduction must be ica or pca, got umap.'],
      [{ dimensions: 0 }, 'dimensions must be an integer ≥ 1, got 0.'],
      [{ dimensions: 1.5 }, 'dimensions must be an integer ≥ 1, got 1.5.'],
      [
        { analysis: 'biggest' },
        'activation_clustering: analysis must be size-and-silhouette, relative-size, silhouette or smaller, got biggest.',
      ],
      [{ sizeThreshold: 0 }, 'sizeThreshold must be in (0, 0.5], got 0.'],
      [{ sizeThreshold: 0.6 }, 'sizeThreshold must be in (0, 0.5], got 0.6.'],
    ];
    for (const [change, message] of cases)
      expect(() => activationClustering({ ...small, ...change } as never)).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message }),
      );
    expect(() => activationClustering({ ...small, sizeThreshold: 0.5 })).not.toThrow();
    const broken = { values: Float64Array.from(R.values).fill(NaN, 3, 4), rows: 40, cols: 2 };
    expect(() => activationClustering({ ...small, representations: broken })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('representations') }),
    );
  });
});
