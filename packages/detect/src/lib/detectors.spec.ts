import { activationClustering } from './activation-clustering.js';
import { attributionOutliers } from './attribution-outlier.js';
import { exclusionaryReclassification } from './exclusionary-reclassification.js';
import { detectionAuroc, tprAtFpr, precisionAtFlagged, truthMask } from './detection-metrics.js';
import { spectralSignatures } from './spectral-signatures.js';
import { syntheticRepresentations } from './testing/synthetic.js';

const n = 600;
const d = 16;
const poisonCount = 15;

describe('detectors on representations with a poison direction', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(n, d, poisonCount, 8);
  const truth = truthMask(n, poisonedIndices);

  it('spectral signatures rank the poisoned rows first and flag 1.5 ε per label', () => {
    const result = spectralSignatures({ representations: matrix, labels, expectedPoisonCount: poisonCount });
    expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.99);
    expect(tprAtFpr(result.scores, truth).value).toBeGreaterThanOrEqual(0.9);
    expect(result.flagged.length).toBe(2 * Math.round(1.5 * poisonCount));
    const inLabel1 = Array.from(result.flagged).filter((i) => labels[i] === 1);
    expect(inLabel1.filter((i) => truth[i]).length).toBe(poisonCount);
    expect(result.warnings).toEqual([]);
  });

  it('activation clustering flags the small cluster of the poisoned label only', () => {
    const result = activationClustering({ representations: matrix, labels });
    expect(result.perLabel.map((p) => p.poisoned)).toEqual([false, true]);
    expect(precisionAtFlagged(result.flagged, truth).value).toBeGreaterThan(0.9);
    expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.99);
    expect(result.perLabel[1]).toMatchObject({ reduction: 'ica', relativeSize: poisonCount / (n / 2) });
    expect(result.perLabel[1].silhouette as number).toBeGreaterThan(0.1);
    for (const analysis of ['silhouette', 'relative-size'] as const) {
      const other = activationClustering({ representations: matrix, labels, analysis });
      expect(other.perLabel[1].poisoned).toBe(true);
    }
    const pca = activationClustering({ representations: matrix, labels, reduction: 'pca' });
    expect(pca.perLabel.map((p) => p.poisoned)).toEqual([false, true]);
    expect(precisionAtFlagged(pca.flagged, truth).value).toBeGreaterThan(0.9);
  });

  it('activation clustering flags nothing on clean representations (silhouette ≤ 0.1), though relative size alone would', () => {
    const clean = syntheticRepresentations(n, d, 0, 0);
    for (const reduction of ['ica', 'pca'] as const) {
      const result = activationClustering({ representations: clean.matrix, labels: clean.labels, reduction });
      expect(result.flagged.length).toBe(0);
      expect(result.perLabel.every((p) => (p.silhouette as number) <= 0.1)).toBe(true);
    }
  });

  it('exclusionary reclassification keeps a cluster the retrained model gives another label and frees a legitimate one', async () => {
    const result = activationClustering({ representations: matrix, labels });
    const poisoned = new Set(poisonedIndices);
    // A model trained without the cluster predicts label 0 for poisoned stays (their source class).
    const kept = await exclusionaryReclassification({
      result,
      labels,
      reclassify: async (rows) => Array.from(rows, (i) => (poisoned.has(i) ? 0 : labels[i])),
    });
    expect(Array.from(kept.flagged)).toEqual(Array.from(result.flagged));
    expect(kept.perLabel[1]).toMatchObject({ poisonedAfterReclassification: true });
    const freed = await exclusionaryReclassification({ result, labels, reclassify: async (rows) => Array.from(rows, (i) => labels[i]) });
    expect(freed.flagged.length).toBe(0);
    expect(detectionAuroc(freed.scores, truth).value).toBeGreaterThan(0.99);
    await expect(exclusionaryReclassification({ result, labels, reclassify: async () => [] })).rejects.toThrow(/returned 0 predictions/);
  });

  it('attribution outliers find profiles that sit apart from their label', () => {
    for (const method of ['robust-mahalanobis', 'robust-z'] as const) {
      const result = attributionOutliers({ attributions: matrix, labels, expectedPoisonCount: poisonCount, method });
      expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.99);
      expect(result.flagged.length).toBe(Math.round(1.5 * poisonCount));
      expect(precisionAtFlagged(result.flagged, truth).value).toBeGreaterThan(0.6);
    }
  });

  it('is reproducible for a seed', () => {
    const a = activationClustering({ representations: matrix, labels, seed: 3 });
    const b = activationClustering({ representations: matrix, labels, seed: 3 });
    expect(Array.from(a.scores)).toEqual(Array.from(b.scores));
  });
});

describe('detectors on representations without poison structure', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(n, d, poisonCount, 0, 2);
  const truth = truthMask(n, poisonedIndices);

  it('give chance-level AUROC and activation clustering flags nothing', () => {
    const spectral = spectralSignatures({ representations: matrix, labels, expectedPoisonCount: poisonCount });
    expect(Math.abs(detectionAuroc(spectral.scores, truth).value - 0.5)).toBeLessThan(0.2);
    const clustering = activationClustering({ representations: matrix, labels });
    expect(clustering.flagged.length).toBe(0);
    const outliers = attributionOutliers({ attributions: matrix, labels, expectedPoisonCount: poisonCount });
    expect(Math.abs(detectionAuroc(outliers.scores, truth).value - 0.5)).toBeLessThan(0.2);
  });
});

describe('degenerate input', () => {
  it('gives NaN scores with a warning for a label with one stay, and rejects bad input', () => {
    const matrix = { values: Float64Array.from([0, 0, 1, 1, 2, 0, 5, 5]), rows: 4, cols: 2 };
    const result = spectralSignatures({ representations: matrix, labels: [0, 0, 0, 1], expectedPoisonCount: 1 });
    expect(result.scores[3]).toBeNaN();
    expect(result.warnings[0]).toMatch(/label 1/);
    expect(() =>
      spectralSignatures({ representations: { values: [1, NaN], rows: 1, cols: 2 }, labels: [0], expectedPoisonCount: 0 }),
    ).toThrow(expect.objectContaining({ code: 'E_DETECT_NOT_FINITE' }));
    expect(() => activationClustering({ representations: matrix, labels: [0, 1] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
  });
});
