import { attributionOutliers } from './attribution-outlier.js';

// Label 0: five profiles, the last far out; label 1: four, feature 0 constant; label 2: two (too few).
const rows = [
  [0, 0],
  [1, 2],
  [2, 1],
  [3, 3],
  [10, -5],
  [1, 1],
  [1, 1.5],
  [1, 2],
  [1, 10],
  [4, 4],
  [5, 5],
];
const attributions = { values: Float64Array.from(rows.flat()), rows: rows.length, cols: 2 };
const labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2];
// References: the documented algorithm in numpy (np.median, np.cov with ddof 1, np.linalg.inv).
const robustZ = [1.06646353, 0.67449076, 0, 1.06646353, 4.7693699, 0.71540548, 0.23846849, 0.23846849, 7.86946033];
const mahalanobis = [0.86602516, 0.86602324, 0.86602324, 0.86602516, 13.00317228, 0.7071066, 0, 0.7071066, 12.02081227];

describe('attributionOutliers', () => {
  it('robust-z: the root mean square of per-feature median/MAD z-scores, within each label', () => {
    const result = attributionOutliers({ attributions, labels, expectedPoisonCount: 1, removalFactor: 2, method: 'robust-z' });
    robustZ.forEach((want, i) => expect(result.scores[i]).toBeCloseTo(want, 7));
    expect(result.scores[9]).toBeNaN();
    expect(result.scores[10]).toBeNaN();
    expect(Array.from(result.flagged)).toEqual([4, 8]);
    expect(result.perLabel).toEqual([
      { label: 0, n: 5, method: 'robust-z', constantFeatures: 0 },
      { label: 1, n: 4, method: 'robust-z', constantFeatures: 1 },
      { label: 2, n: 2, skipped: true },
    ]);
    expect(result.warnings).toEqual(['label 2: 2 stays, too few for a robust centre; their scores are NaN']);
    expect(result.detector).toBe('attribution');
  });

  it('robust-mahalanobis (default): distance to the mean and covariance of the ⌈0.75 n⌉ most central profiles', () => {
    const result = attributionOutliers({ attributions, labels, expectedPoisonCount: 1, removalFactor: 2 });
    mahalanobis.forEach((want, i) => expect(result.scores[i]).toBeCloseTo(want, 6));
    expect(Array.from(result.flagged)).toEqual([4, 8]);
    expect(result.perLabel.slice(0, 2).map((p) => p.method)).toEqual(['robust-mahalanobis', 'robust-mahalanobis']);
    // 1.5 × ε by default, among scored stays only.
    expect(attributionOutliers({ attributions, labels, expectedPoisonCount: 1 }).flagged.length).toBe(2);
    expect(attributionOutliers({ attributions, labels, expectedPoisonCount: 100 }).flagged.length).toBe(9);
    // All five profiles of label 0 as support: the outlier now pulls the centre, and its distance shrinks.
    const full = attributionOutliers({ attributions, labels, expectedPoisonCount: 1, supportFraction: 1 });
    expect(full.scores[4]).toBeLessThan(2);
    expect(full.scores[4]).toBeGreaterThan(0.5);
  });

  it('falls back to robust-z above maxMahalanobisDims or with too few stays for a covariance', () => {
    const wide = attributionOutliers({ attributions, labels, expectedPoisonCount: 1, maxMahalanobisDims: 1 });
    robustZ.forEach((want, i) => expect(wide.scores[i]).toBeCloseTo(want, 7));
    expect(wide.warnings[0]).toBe(
      '2 attribution dimensions > maxMahalanobisDims 1: robust-z used instead (group the attributions to use Mahalanobis)',
    );
    expect(attributionOutliers({ attributions, labels, expectedPoisonCount: 1, maxMahalanobisDims: 2 }).warnings).toHaveLength(1);
    expect(
      attributionOutliers({ attributions, labels, expectedPoisonCount: 1, method: 'robust-z', maxMahalanobisDims: 1 }).warnings,
    ).toHaveLength(1);
    // Three stays in three dimensions: h = d + 1 = 4 > 3.
    const square = { values: Float64Array.from([1, 2, 3, 2, 1, 0, 5, 5, 4]), rows: 3, cols: 3 };
    const few = attributionOutliers({ attributions: square, labels: [0, 0, 0], expectedPoisonCount: 0 });
    expect(few.warnings).toEqual(['label 0: 3 stays for 3 dimensions, too few for a covariance; robust-z used']);
    expect(few.perLabel[0]).toMatchObject({ method: 'robust-z' });
    expect(few.flagged.length).toBe(0);
    const four = { values: Float64Array.from([1, 2, 3, 2, 1, 0, 5, 5, 4, 0, 0, 1]), rows: 4, cols: 3 };
    expect(attributionOutliers({ attributions: four, labels: [0, 0, 0, 0], expectedPoisonCount: 0 }).perLabel[0]).toMatchObject({
      method: 'robust-mahalanobis',
    });
  });

  it('takes profiles tied at the edge of the core in stay order', () => {
    // Robust z-scores |x| / 1.4826 tie for ±1 and ±5; the core of h = 4 takes 0, 1, −1 and the first 5.
    const tied = { values: Float64Array.from([0, 1, -1, 5, -5]), rows: 5, cols: 1 };
    const result = attributionOutliers({ attributions: tied, labels: [0, 0, 0, 0, 0], expectedPoisonCount: 0 });
    // Core mean 1.25, variance (ddof 1) 20.75 / 3, plus the ridge of 1e-6 of it.
    const sd = Math.sqrt((20.75 / 3) * (1 + 1e-6));
    [0, 1, -1, 5, -5].forEach((x, i) => expect(result.scores[i]).toBeCloseTo(Math.abs(x - 1.25) / sd, 12));
  });

  it('is unchanged by a common offset: the covariance is formed from centred profiles', () => {
    // Offsets of 1e10 and −3e10 (exact here: the profiles are integers and halves) leave every score as it
    // was to 12 digits: the mean is subtracted before any product, so the offset costs no precision.
    const moved = { ...attributions, values: Float64Array.from(attributions.values, (x, k) => x + (k % 2 ? -3e10 : 1e10)) };
    for (const method of ['robust-mahalanobis', 'robust-z'] as const) {
      const want = attributionOutliers({ attributions, labels, expectedPoisonCount: 1, method }).scores;
      const got = attributionOutliers({ attributions: moved, labels, expectedPoisonCount: 1, method }).scores;
      want.forEach((w, i) => (Number.isNaN(w) ? expect(got[i]).toBeNaN() : expect(got[i]).toBeCloseTo(w, 12)));
    }
  });

  it('scales a feature whose MAD is 0 by its mean absolute deviation, and ignores a constant one', () => {
    const spiky = { values: Float64Array.from([0, 5, 0, 5, 0, 5, 0, 5, 8, 5]), rows: 5, cols: 2 };
    const result = attributionOutliers({ attributions: spiky, labels: [1, 1, 1, 1, 1], expectedPoisonCount: 0, method: 'robust-z' });
    // Feature 0: median 0, MAD 0, mean deviation 8/5: z = 8 / (1.2533 · 1.6); feature 1 constant.
    expect(result.scores[4]).toBeCloseTo(Math.sqrt((8 / (1.2533 * 1.6)) ** 2 / 2), 9);
    expect(result.scores[0]).toBe(0);
    expect(result.perLabel[0]).toMatchObject({ constantFeatures: 1 });
  });

  it('names what it refuses', () => {
    const base = { attributions, labels, expectedPoisonCount: 1 };
    const cases: [Record<string, unknown>, string][] = [
      [{ labels: [0, 1] }, 'labels has 2 entries for 11 attribution profiles.'],
      [{ expectedPoisonCount: -1 }, 'expectedPoisonCount must be ≥ 0, got -1.'],
      [{ expectedPoisonCount: Infinity }, 'expectedPoisonCount must be ≥ 0, got Infinity.'],
      [{ method: 'lof' }, 'method must be robust-mahalanobis or robust-z, got lof.'],
      [{ supportFraction: 0.5 }, 'supportFraction must be in (0.5, 1], got 0.5.'],
      [{ supportFraction: 1.01 }, 'supportFraction must be in (0.5, 1], got 1.01.'],
    ];
    for (const [change, message] of cases)
      expect(() => attributionOutliers({ ...base, ...change } as never)).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message }),
      );
    expect(() => attributionOutliers({ ...base, attributions: { values: [1, NaN], rows: 1, cols: 2 }, labels: [0] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_NOT_FINITE', message: 'attributions has a non-finite value (NaN) at row 0, column 1.' }),
    );
    expect(() => attributionOutliers({ ...base, supportFraction: 1 })).not.toThrow();
  });
});
