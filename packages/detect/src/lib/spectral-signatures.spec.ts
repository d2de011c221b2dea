import { Random } from '@ehr-backdoor/core';
import { detectionAuroc, truthMask } from './detection-metrics.js';
import { spectralSignatures } from './spectral-signatures.js';

/**
 * Penultimate activations as a ReLU layer gives them: non-negative, each label around its own mean
 * (label 0 near 2, label 1 near 5 per unit), unit noise. The poisoned rows of label 1 are shifted
 * along a direction orthogonal to that label's mean (+s on the first half of the units, −s on the
 * second half), then clipped at 0 like every row. Uncentred, the top direction of RᵀR is the mean
 * (|μ|² = 8 · 25 = 200 against a poison variance of about 0.05 · s² = 4.5), and the poisoned rows sit
 * at an ordinary distance along it; only after centring is the poison the top direction.
 */
function reluRepresentations(seed: number) {
  const n = 400;
  const d = 8;
  const shift = 9.5 / Math.sqrt(d);
  const random = Random.fromSeed(seed, 'relu-representations');
  const labels = Uint8Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1));
  const poisonedIndices = random.sampleIndices(n / 2, 10).map((k) => n / 2 + k);
  const poisoned = new Set(poisonedIndices);
  const values = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      let x = (labels[i] === 0 ? 2 : 5) + random.normal();
      if (poisoned.has(i)) x += j < d / 2 ? shift : -shift;
      values[i * d + j] = Math.max(0, x);
    }
  }
  return { matrix: { values, rows: n, cols: d }, labels, poisonedIndices };
}

describe('spectralSignatures on non-negative (ReLU) representations with a per-label mean', () => {
  const { matrix, labels, poisonedIndices } = reluRepresentations(5);
  const truth = truthMask(matrix.rows, poisonedIndices);

  it('finds the poison, which is the top direction only once each label is centred on its mean', () => {
    expect(Math.min(...matrix.values)).toBeGreaterThanOrEqual(0);
    const result = spectralSignatures({ representations: matrix, labels, expectedPoisonCount: poisonedIndices.length });
    expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.99);
    const flaggedInLabel1 = Array.from(result.flagged).filter((i) => labels[i] === 1);
    expect(flaggedInLabel1.filter((i) => truth[i])).toHaveLength(poisonedIndices.length);
  });

  it('gives the same scores when a label is moved by a constant vector (centring removes it)', () => {
    const moved = Float64Array.from(matrix.values, (x, k) => x + (labels[Math.floor(k / matrix.cols)] === 1 ? 40 + (k % matrix.cols) : 7));
    const base = spectralSignatures({ representations: matrix, labels, expectedPoisonCount: 10 });
    const shifted = spectralSignatures({ representations: { ...matrix, values: moved }, labels, expectedPoisonCount: 10 });
    for (let i = 0; i < matrix.rows; i++) expect(shifted.scores[i]).toBeCloseTo(base.scores[i], 6);
    expect(Array.from(shifted.flagged)).toEqual(Array.from(base.flagged));
  });
});

describe('spectralSignatures: scale, flag counts and degenerate labels', () => {
  const { matrix, labels } = reluRepresentations(6);

  it("scores τ / λ, so each label's scores average 1, and flags round(factor · ε) per label", () => {
    const result = spectralSignatures({ representations: matrix, labels, expectedPoisonCount: 10 });
    expect(result.detector).toBe('spectral');
    for (const label of [0, 1]) {
      const rows = [...labels.keys()].filter((i) => labels[i] === label);
      expect(rows.reduce((a, i) => a + result.scores[i], 0) / rows.length).toBeCloseTo(1, 6);
    }
    expect(result.perLabel).toEqual([
      { label: 0, n: 200, topEigenvalue: expect.any(Number), converged: true, flagged: 15 },
      { label: 1, n: 200, topEigenvalue: expect.any(Number), converged: true, flagged: 15 },
    ]);
    expect(result.perLabel[1].topEigenvalue).toBeGreaterThan(result.perLabel[0].topEigenvalue as number);
    expect(Array.from(result.flagged)).toEqual([...result.flagged].sort((a, b) => a - b));
    const once = spectralSignatures({ representations: matrix, labels, expectedPoisonCount: 10, removalFactor: 1 });
    expect(once.flagged).toHaveLength(20);
    // The flagged stays are each label's highest scores.
    for (const label of [0, 1]) {
      const rows = [...labels.keys()].filter((i) => labels[i] === label);
      const flagged = Array.from(once.flagged).filter((i) => labels[i] === label);
      const lowestFlagged = Math.min(...flagged.map((i) => once.scores[i]));
      expect(rows.filter((i) => !flagged.includes(i)).every((i) => once.scores[i] <= lowestFlagged)).toBe(true);
    }
  });

  it('gives 0 with a warning to a label whose representations are all equal', () => {
    const values = Float64Array.from([1, 2, 1, 2, 1, 2, 0, 0, 3, 1, 1, 5]);
    const result = spectralSignatures({
      representations: { values, rows: 6, cols: 2 },
      labels: [0, 0, 0, 1, 1, 1],
      expectedPoisonCount: 1,
    });
    expect(Array.from(result.scores.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(result.warnings).toEqual(['label 0: all representations are equal; every score is 0']);
    expect(result.perLabel[1]).toMatchObject({ label: 1, n: 3, converged: true, flagged: 2 });
    expect(result.perLabel[0]).toMatchObject({ label: 0, n: 3, topEigenvalue: 0, flagged: 2 });
  });

  it('warns when power iteration stops short (top two eigenvalues nearly equal) and scores its last iterate', () => {
    // Covariance diag(0.5, 0.4995): the iterate nears the top direction by a factor 0.999 per step, so
    // 2000 steps leave it well short of the 1e-10 tolerance.
    const b = Math.sqrt(0.999);
    const values = Float64Array.from([1, 0, -1, 0, 0, b, 0, -b]);
    const result = spectralSignatures({ representations: { values, rows: 4, cols: 2 }, labels: [0, 0, 0, 0], expectedPoisonCount: 1 });
    expect(result.warnings).toEqual([
      'label 0: power iteration stopped before converging (top eigenvalues nearly equal); scores use its last iterate',
    ]);
    expect(result.perLabel[0]).toMatchObject({ label: 0, n: 4, converged: false, topEigenvalue: expect.closeTo(0.5, 3) });
    // Still a unit vector in the top plane: the scores τ / λ average (vᵀ C v) / λ, within 0.1 % of 1.
    expect(Array.from(result.scores).reduce((a, x) => a + x, 0) / 4).toBeCloseTo(1, 2);
  });

  it('rejects malformed input at the entry, naming what is wrong', () => {
    const representations = { values: [0, 1, 2, 3, 4, 5], rows: 3, cols: 2 };
    const run = (options: Partial<Parameters<typeof spectralSignatures>[0]>) => () =>
      spectralSignatures({ representations, labels: [0, 0, 1], expectedPoisonCount: 1, ...options });
    expect(run({})).not.toThrow();
    expect(run({ labels: [0, 1] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: 'labels has 2 entries for 3 representations.' }),
    );
    for (const expectedPoisonCount of [-1, NaN, Infinity]) {
      expect(run({ expectedPoisonCount })).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message: `expectedPoisonCount must be ≥ 0, got ${expectedPoisonCount}.` }),
      );
    }
    expect(run({ expectedPoisonCount: 0 })).not.toThrow();
    for (const removalFactor of [0, -1, Infinity]) {
      expect(run({ removalFactor })).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message: `removalFactor must be > 0, got ${removalFactor}.` }),
      );
    }
    expect(run({ representations: undefined as never })).toThrow(
      expect.objectContaining({ message: 'representations is required ({ values, rows, cols }).' }),
    );
    expect(run({ representations: { values: [0, 1, 2], rows: 3, cols: 2 } })).toThrow(
      expect.objectContaining({
        code: 'E_DETECT_INPUT',
        message: 'representations must hold rows × cols values with rows, cols ≥ 1; got 3 values for 3 × 2.',
      }),
    );
    expect(run({ representations: { values: [], rows: 0, cols: 2 }, labels: [] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
    expect(run({ representations: { values: [0, 1, 2], rows: 3, cols: 1.5 } })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
    expect(run({ representations: { values: [0, 1, 2, 3, Infinity, 5], rows: 3, cols: 2 } })).toThrow(
      expect.objectContaining({
        code: 'E_DETECT_NOT_FINITE',
        message: 'representations has a non-finite value (Infinity) at row 2, column 0.',
      }),
    );
  });
});

describe('spectralSignatures: labels', () => {
  it('analyses labels in ascending order and skips, with a warning, a label with one stay', () => {
    const values = Float64Array.from([0, 1, 2, 0, 4, 4, 5, 1, 1, 7]);
    const result = spectralSignatures({ representations: { values, rows: 5, cols: 2 }, labels: [1, 1, 0, 1, 2], expectedPoisonCount: 1 });
    expect(result.perLabel.map((p) => p.label)).toEqual([0, 1, 2]);
    expect(result.perLabel[0]).toEqual({ label: 0, n: 1, skipped: true });
    expect(result.perLabel[2]).toEqual({ label: 2, n: 1, skipped: true });
    expect(result.warnings).toEqual(['label 0: 1 stay, no spectrum; its score is NaN', 'label 2: 1 stay, no spectrum; its score is NaN']);
    expect([result.scores[2], result.scores[4]]).toEqual([NaN, NaN]);
    expect(Array.from(result.flagged).every((i) => i !== 2 && i !== 4)).toBe(true);
    // Two stays are enough for a spectrum.
    const pair = spectralSignatures({
      representations: { values: [0, 1, 2, 0], rows: 2, cols: 2 },
      labels: [0, 0],
      expectedPoisonCount: 1,
    });
    expect(pair.perLabel[0]).toMatchObject({ label: 0, n: 2, converged: true });
    expect(pair.warnings).toEqual([]);
  });
});
