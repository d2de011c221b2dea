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
