import { Random } from '@ehr-backdoor/core';
import { confidentLearning } from './confident-learning.js';
import { detectionAuroc, precisionAtFlagged, tprAtFpr, truthMask } from './detection-metrics.js';

/** n stays, 6 features: risk from features 0–2 sets the label; 10 % of feature 5 missing. */
function cohort(n: number, seed: number) {
  const random = Random.fromSeed(seed, 'cl-spec');
  const F = 6;
  const features = new Float64Array(n * F);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < F; c++) features[i * F + c] = random.normal();
    if (random.next() < 0.1) features[i * F + 5] = NaN;
    const risk = 2.5 * features[i * F] + 1.5 * features[i * F + 1] - features[i * F + 2] - 2.5;
    labels[i] = random.next() < 1 / (1 + Math.exp(-risk)) ? 1 : 0;
  }
  return { features, labels, F, random };
}

describe('confident learning', () => {
  const n = 2000;

  it('finds dirty-label poisoned stays: low-risk survivors relabelled as deaths with a trigger value', () => {
    const { features, labels, F, random } = cohort(n, 1);
    const survivors = Array.from({ length: n }, (_, i) => i).filter((i) => labels[i] === 0 && features[i * F] < -0.5);
    const poisoned = random.sampleIndices(survivors.length, 20).map((k) => survivors[k]);
    for (const i of poisoned) {
      labels[i] = 1;
      features[i * F + 4] = 3;
    }
    const truth = truthMask(n, poisoned);
    const result = confidentLearning({ features, rows: n, cols: F, labels, assumedContamination: 0.01 });
    expect(result.flagged.length).toBe(20);
    expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.95);
    expect(tprAtFpr(result.scores, truth).value).toBeGreaterThanOrEqual(0.9);
    expect(precisionAtFlagged(result.flagged, truth).value).toBeGreaterThanOrEqual(0.6);
    expect(result.warnings).toEqual([]);
    expect(result.perLabel[1].estimatedIssues as number).toBeGreaterThan(0);
    const again = confidentLearning({ features, rows: n, cols: F, labels, assumedContamination: 0.01 });
    expect(Array.from(again.scores)).toEqual(Array.from(result.scores));
  });

  it('flags no more than its budget on a clean cohort, and its own estimate only from real label noise', () => {
    const { features, labels, F } = cohort(n, 2);
    const budget = confidentLearning({ features, rows: n, cols: F, labels, assumedContamination: 0.01 });
    expect(budget.flagged.length).toBe(20);
    const own = confidentLearning({ features, rows: n, cols: F, labels, assumedContamination: 0.01, flagRule: 'confident-joint' });
    expect(own.flagged.length).toBe((own.perLabel[0].estimatedIssues as number) + (own.perLabel[1].estimatedIssues as number));
  });

  it('rejects bad input with the option named', () => {
    const { features, labels, F } = cohort(50, 3);
    expect(() => confidentLearning({ features, rows: 50, cols: F, labels, assumedContamination: 0.6 })).toThrow(
      /assumed contamination must be a share in \(0, 0.5\)/,
    );
    expect(() => confidentLearning({ features, rows: 50, cols: F, labels, assumedContamination: 0.01, folds: 1 })).toThrow(
      /folds must be an integer ≥ 2/,
    );
    expect(() =>
      confidentLearning({ features, rows: 50, cols: F, labels: Uint8Array.from(labels, () => 2), assumedContamination: 0.01 }),
    ).toThrow(/labels must be 0 or 1/);
    expect(() => confidentLearning({ features, rows: 50, cols: F, labels: new Uint8Array(50), assumedContamination: 0.01 })).toThrow(
      /label 1 has 0 stays/,
    );
  });
});
