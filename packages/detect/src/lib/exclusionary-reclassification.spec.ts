import { exclusionaryReclassification } from './exclusionary-reclassification.js';
import type { DetectorResult } from './types.js';

// Six stays: label 0 = stays 0–2 (stay 2 flagged), label 1 = stays 3–5 (stays 4, 5 flagged).
const labels = [0, 0, 0, 1, 1, 1];
const result: DetectorResult = {
  detector: 'activation_clustering',
  scores: Float64Array.from([0.1, 0.2, 1.5, 0.3, 1.7, 1.6]),
  flagged: Int32Array.from([2, 4, 5]),
  perLabel: [
    { label: 0, poisoned: true },
    { label: 1, poisoned: true },
  ],
  warnings: ['kept'],
};

describe('exclusionaryReclassification', () => {
  it('keeps a cluster predicted as the other label and frees one that keeps its own, per label', async () => {
    const asked: number[][] = [];
    const out = await exclusionaryReclassification({
      result,
      labels,
      // Label 0's stay 2 is predicted as its own label; label 1's stays 4, 5 as label 0.
      reclassify: async (excluded) => {
        asked.push(Array.from(excluded));
        return Array.from(excluded, () => 0);
      },
    });
    expect(asked).toEqual([[2], [4, 5]]);
    expect(Array.from(out.flagged)).toEqual([4, 5]);
    // The freed cluster loses the +1 of a flagged cluster; the kept one keeps it; the rest is unchanged.
    expect(Array.from(out.scores).map((s) => Math.round(s * 10) / 10)).toEqual([0.1, 0.2, 0.5, 0.3, 1.7, 1.6]);
    expect(Array.from(result.scores)).toEqual(Array.from(Float64Array.from([0.1, 0.2, 1.5, 0.3, 1.7, 1.6])));
    expect(out.perLabel).toEqual([
      {
        label: 0,
        poisoned: true,
        reclassifiedOwnLabel: 1,
        reclassifiedOtherLabel: 0,
        reclassificationRatio: Infinity,
        poisonedAfterReclassification: false,
      },
      {
        label: 1,
        poisoned: true,
        reclassifiedOwnLabel: 0,
        reclassifiedOtherLabel: 2,
        reclassificationRatio: 0,
        poisonedAfterReclassification: true,
      },
    ]);
    expect(result.perLabel[0]).toEqual({ label: 0, poisoned: true });
    expect(out).toMatchObject({ detector: 'activation_clustering', warnings: ['kept'] });
  });

  it('compares own / other predictions with the threshold (default 1, strictly below keeps the cluster)', async () => {
    const split = async (excluded: Int32Array) => Array.from(excluded, (i) => (i === 4 ? 1 : 0));
    // Label 1: one own, one other: ratio 1, not below the default threshold 1: freed.
    const even = await exclusionaryReclassification({ result, labels, reclassify: split });
    expect(even.perLabel[1]).toMatchObject({ reclassificationRatio: 1, poisonedAfterReclassification: false });
    expect(Array.from(even.flagged)).toEqual([]);
    const strict = await exclusionaryReclassification({ result, labels, reclassify: split, threshold: 1.01 });
    expect(Array.from(strict.flagged)).toEqual([4, 5]);
    expect(strict.perLabel[0]).toMatchObject({ reclassificationRatio: Infinity, poisonedAfterReclassification: false });
    expect(strict.perLabel[1]).toMatchObject({ reclassificationRatio: 1, poisonedAfterReclassification: true });
    // Label 0 with all three stays flagged, one predicted as its own label and two as the other: ratio 1/2.
    const three = await exclusionaryReclassification({
      result: { ...result, flagged: Int32Array.from([0, 1, 2]) },
      labels,
      reclassify: async (e) => Array.from(e, (i) => (i === 0 ? 0 : 1)),
    });
    expect(three.perLabel[0]).toMatchObject({ reclassifiedOwnLabel: 1, reclassifiedOtherLabel: 2, reclassificationRatio: 0.5 });
    expect(Array.from(three.flagged)).toEqual([0, 1, 2]);
    // Flagged stays come back ascending whatever order the labels are visited in.
    const both = await exclusionaryReclassification({ result, labels, reclassify: async (e) => Array.from(e, (i) => 1 - labels[i]) });
    expect(Array.from(both.flagged)).toEqual([2, 4, 5]);
    // Labels are visited in ascending order; label 0's stays here come after label 1's.
    const swapped = await exclusionaryReclassification({
      result,
      labels: [1, 1, 1, 0, 0, 0],
      reclassify: async (e) => Array.from(e, (i) => (i < 3 ? 0 : 1)),
    });
    expect(Array.from(swapped.flagged)).toEqual([2, 4, 5]);
  });

  it('skips labels with no flagged stay, and leaves labels missing from perLabel out of it', async () => {
    const asked: number[][] = [];
    const oneCluster = { ...result, flagged: Int32Array.from([4]), perLabel: [{ label: 0 }] };
    const out = await exclusionaryReclassification({
      result: oneCluster,
      labels,
      reclassify: async (e) => {
        asked.push(Array.from(e));
        return [0];
      },
    });
    expect(asked).toEqual([[4]]);
    expect(out.perLabel).toEqual([{ label: 0 }]);
    expect(Array.from(out.flagged)).toEqual([4]);
  });

  it('names what it refuses', async () => {
    const reclassify = async (e: Int32Array) => Array.from(e, () => 0);
    await expect(exclusionaryReclassification({ result: { ...result, detector: 'spectral' }, labels, reclassify })).rejects.toThrow(
      expect.objectContaining({
        code: 'E_DETECT_INPUT',
        message: 'exclusionary reclassification applies to activation_clustering, not spectral.',
      }),
    );
    await expect(exclusionaryReclassification({ result, labels: [0, 1], reclassify })).rejects.toThrow(
      'exclusionary reclassification: 2 labels for 6 scored stays.',
    );
    for (const threshold of [0, -1, NaN])
      await expect(exclusionaryReclassification({ result, labels, reclassify, threshold })).rejects.toThrow(
        `exclusionary reclassification: threshold must be > 0, got ${threshold}.`,
      );
    await expect(exclusionaryReclassification({ result, labels, reclassify: async () => [0, 0, 0] })).rejects.toThrow(
      'exclusionary reclassification: reclassify returned 3 predictions for 1 stays.',
    );
  });
});
