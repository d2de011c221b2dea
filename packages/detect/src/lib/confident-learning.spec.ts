import { Random } from '@ehr-backdoor/core';
import { clinicalDesignMatrix } from './clinical-design-matrix.js';
import { confidentLearning } from './confident-learning.js';
import { fitLogistic, predictLogistic } from './logistic-regression.js';
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

  it('reports per label the threshold, the confident joint and the calibrated issue count of the out-of-fold p̂', () => {
    const small = 400;
    const { features, labels, F } = cohort(small, 4);
    for (let i = 0; i < small; i += 25) labels[i] = 1 - labels[i]; // real label noise
    const result = confidentLearning({ features, rows: small, cols: F, labels, assumedContamination: 0.05, flagRule: 'confident-joint' });
    // score = 1 − p̂(given label), so p̂ of either class is recoverable from the scores.
    const p = (i: number, j: number) => (j === labels[i] ? 1 - result.scores[i] : result.scores[i]);
    const members = [0, 1].map((y) => Array.from({ length: small }, (_, i) => i).filter((i) => labels[i] === y));
    const thresholds = [0, 1].map((j) => members[j].reduce((s, i) => s + p(i, j), 0) / members[j].length);
    const joint = [
      [0, 0],
      [0, 0],
    ];
    for (let i = 0; i < small; i++) {
      const above = [0, 1].filter((j) => p(i, j) >= thresholds[j]);
      if (above.length) joint[labels[i]][above.length === 1 ? above[0] : p(i, 1) > p(i, 0) ? 1 : 0]++;
    }
    for (const y of [0, 1]) {
      const issues = Math.round((joint[y][1 - y] / (joint[y][0] + joint[y][1])) * members[y].length);
      expect(result.perLabel[y]).toEqual({
        label: y,
        n: members[y].length,
        threshold: expect.closeTo(thresholds[y], 12),
        confidentSame: joint[y][y],
        confidentOther: joint[y][1 - y],
        estimatedIssues: issues,
        flagged: Array.from(result.flagged).filter((i) => labels[i] === y).length,
      });
      expect(issues).toBeGreaterThan(0);
      expect(joint[y][y]).toBeGreaterThan(joint[y][1 - y]);
    }
    // The flagged stays of each label are its highest scores.
    for (const y of [0, 1]) {
      const flaggedOfY = Array.from(result.flagged).filter((i) => labels[i] === y);
      const lowest = Math.min(...flaggedOfY.map((i) => result.scores[i]));
      const above = members[y].filter((i) => result.scores[i] > lowest).length;
      expect(above).toBeLessThan(flaggedOfY.length);
    }
    expect(Array.from(result.flagged)).toEqual(Array.from(result.flagged).sort((a, b) => a - b));
    expect(result).toMatchObject({ detector: 'confident_learning', warnings: [] });
    for (const s of result.scores) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('scores each stay by a model fitted on the other folds only: each label shuffled by the seed, dealt round-robin', () => {
    const small = 120;
    const { features, labels, F } = cohort(small, 8);
    const result = confidentLearning({
      features,
      rows: small,
      cols: F,
      labels,
      assumedContamination: 0.05,
      folds: 3,
      lambda: 0.5,
      seed: 11,
    });
    const stays = Array.from({ length: small }, (_, i) => i);
    const { design, width } = clinicalDesignMatrix(features, small, F, undefined);
    const random = Random.fromSeed(11, 'confident-learning');
    const fold = new Int32Array(small);
    for (const y of [0, 1]) random.shuffle(stays.filter((i) => labels[i] === y)).forEach((i, k) => (fold[i] = k % 3));
    const designOf = (ids: number[]) => Float64Array.from(ids.flatMap((i) => Array.from(design.subarray(i * width, (i + 1) * width))));
    const p1 = new Float64Array(small);
    for (let f = 0; f < 3; f++) {
      const train = stays.filter((i) => fold[i] !== f);
      const held = stays.filter((i) => fold[i] === f);
      const y = train.map((i) => labels[i]);
      const model = fitLogistic(designOf(train), train.length, width, y, { lambda: 0.5, maxIterations: 30, tolerance: 1e-6 });
      predictLogistic(model, designOf(held), held.length, width).forEach((p, k) => (p1[held[k]] = p));
    }
    const probability = (i: number, j: number) => (j === 1 ? p1[i] : 1 - p1[i]);
    expect(Array.from(result.scores)).toEqual(stays.map((i) => 1 - probability(i, labels[i])));
    for (const y of [0, 1]) {
      const members = stays.filter((i) => labels[i] === y);
      expect(result.perLabel[y].threshold).toBe(members.reduce((s, i) => s + probability(i, y), 0) / members.length);
    }
  });

  it('warns for each fold whose logistic regression does not converge (separable stays, a vanishing penalty)', () => {
    const n = 40;
    const features = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 + i / 100 : -1 - i / 100));
    const labels = Uint8Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const result = confidentLearning({ features, rows: n, cols: 1, labels, assumedContamination: 0.05, folds: 2, lambda: 1e-12 });
    expect(result.warnings).toEqual([
      'fold 0: logistic regression did not converge in 30 Newton steps',
      'fold 1: logistic regression did not converge in 30 Newton steps',
    ]);
    // One feature is enough; the out-of-fold p̂ still ranks every stay right.
    for (let i = 0; i < n; i++) expect(result.scores[i]).toBeLessThan(0.5);
  });

  it('budget flags round(c · n) of the highest scores over both labels', () => {
    const small = 300;
    const { features, labels, F } = cohort(small, 5);
    const result = confidentLearning({ features, rows: small, cols: F, labels, assumedContamination: 0.03 });
    expect(result.flagged.length).toBe(9);
    const lowest = Math.min(...Array.from(result.flagged, (i) => result.scores[i]));
    expect(Array.from(result.scores).filter((s) => s > lowest).length).toBeLessThan(9);
    expect((result.perLabel[0].flagged as number) + (result.perLabel[1].flagged as number)).toBe(9);
    // A different seed deals other folds, so other out-of-fold probabilities.
    const other = confidentLearning({ features, rows: small, cols: F, labels, assumedContamination: 0.03, seed: 7 });
    expect(Array.from(other.scores)).not.toEqual(Array.from(result.scores));
    // The penalty matters: a much stronger one pulls every p̂ towards the base rate.
    const strong = confidentLearning({ features, rows: small, cols: F, labels, assumedContamination: 0.03, lambda: 1e4 });
    const spread = (r: typeof result) => Math.max(...r.scores) - Math.min(...r.scores);
    expect(spread(strong)).toBeLessThan(spread(result) * 0.6);
    // More folds: each model sees more stays, other probabilities.
    const ten = confidentLearning({ features, rows: small, cols: F, labels, assumedContamination: 0.03, folds: 10 });
    expect(Array.from(ten.scores)).not.toEqual(Array.from(result.scores));
  });

  it('imputes the median, scales and adds one "not measured" indicator per variable', () => {
    const small = 200;
    const { features, labels, F } = cohort(small, 6);
    const base = confidentLearning({ features, rows: small, cols: F, labels, assumedContamination: 0.05 });
    // Missingness is a feature: stays missing feature 5 when labelled 1 are told apart by the indicator.
    const missing = features.slice();
    for (let i = 0; i < small; i++) missing[i * F + 5] = labels[i] === 1 && i % 2 === 0 ? NaN : Math.abs(missing[i * F + 5]) || 0.5;
    const withIndicator = confidentLearning({ features: missing, rows: small, cols: F, labels, assumedContamination: 0.05 });
    const missingOnes = Array.from({ length: small }, (_, i) => i).filter((i) => Number.isNaN(missing[i * F + 5]));
    const mean = (rows: number[], r: typeof base) => rows.reduce((s, i) => s + r.scores[i], 0) / rows.length;
    expect(mean(missingOnes, withIndicator)).toBeLessThan(mean(missingOnes, base) - 0.05);
    // Two columns of one variable share one indicator: naming them alike changes the design.
    const both = missing.slice();
    for (let i = 0; i < small; i++) if (Number.isNaN(both[i * F + 5]) && i % 4 === 0) both[i * F + 4] = NaN;
    const perColumn = confidentLearning({ features: both, rows: small, cols: F, labels, assumedContamination: 0.05 });
    const shared = confidentLearning({
      features: both,
      rows: small,
      cols: F,
      labels,
      assumedContamination: 0.05,
      variables: ['a', 'b', 'c', 'd', 'e', 'e'],
    });
    expect(Array.from(shared.scores)).not.toEqual(Array.from(perColumn.scores));
    // A column never measured is imputed as 0 and scaled by 1: the same as leaving it out of the signal.
    const blank = features.slice();
    for (let i = 0; i < small; i++) blank[i * F + 3] = NaN;
    const r = confidentLearning({ features: blank, rows: small, cols: F, labels, assumedContamination: 0.05 });
    for (const s of r.scores) expect(Number.isFinite(s)).toBe(true);
  });

  it('rejects bad input with the option named', () => {
    const { features, labels, F } = cohort(50, 3);
    expect(() => confidentLearning({ features, rows: 50, cols: F, labels, assumedContamination: 0.6 })).toThrow(
      /^confident_learning: the assumed contamination must be a share in \(0, 0.5\)/,
    );
    expect(() => confidentLearning({ features, rows: 50, cols: F, labels, assumedContamination: 0.01, folds: 1 })).toThrow(
      /folds must be an integer ≥ 2/,
    );
    expect(() =>
      confidentLearning({ features, rows: 50, cols: F, labels: Uint8Array.from(labels, () => 2), assumedContamination: 0.01 }),
    ).toThrow(/labels must be 0 or 1/);
    expect(() => confidentLearning({ features, rows: 50, cols: F, labels: new Uint8Array(50), assumedContamination: 0.01 })).toThrow(
      'confident_learning: label 1 has 0 stays, fewer than the 5 folds; lower folds.',
    );
    const ok = { features, rows: 50, cols: F, labels, assumedContamination: 0.01 };
    expect(() => confidentLearning({ ...ok, rows: 49 })).toThrow(
      `confident_learning: features must hold rows × cols = 49 × ${F} values, got 300.`,
    );
    expect(() => confidentLearning({ ...ok, rows: 0, features: new Float64Array(0), labels: [] })).toThrow(/rows × cols = 0 × 6/);
    // One stay is a well-formed matrix (refused later for too few stays per label, not as malformed).
    expect(() => confidentLearning({ ...ok, rows: 1, features: features.subarray(0, F), labels: [1] })).toThrow(
      'confident_learning: label 0 has 0 stays, fewer than the 5 folds; lower folds.',
    );
    expect(() => confidentLearning({ ...ok, cols: 0, features: new Float64Array(0) })).toThrow(/rows × cols = 50 × 0/);
    expect(() => confidentLearning({ ...ok, rows: 2.5, cols: 120 })).toThrow(/rows × cols = 2.5 × 120/);
    expect(() => confidentLearning({ ...ok, rows: 60, cols: 5 })).toThrow('confident_learning: 50 labels for 60 stays.');
    expect(() => confidentLearning({ ...ok, rows: 150, cols: 2 })).toThrow('confident_learning: 50 labels for 150 stays.');
    expect(() => confidentLearning({ ...ok, folds: 2.5 })).toThrow('confident_learning: folds must be an integer ≥ 2, got 2.5.');
    expect(() => confidentLearning({ ...ok, lambda: 0 })).toThrow('confident_learning: lambda must be > 0, got 0.');
    expect(() => confidentLearning({ ...ok, flagRule: 'top' as never })).toThrow(
      'confident_learning: flagRule must be budget or confident-joint, got top.',
    );
    expect(() => confidentLearning({ ...ok, labels: Uint8Array.from(labels, (y, i) => (i === 7 ? 3 : y)) })).toThrow(
      'confident_learning: labels must be 0 or 1; stay 7 has 3.',
    );
    for (const bad of [{ folds: 1 }, { lambda: -1 }, { labels: [] as number[] }])
      expect(() => confidentLearning({ ...ok, ...bad })).toThrow(expect.objectContaining({ code: 'E_DETECT_INPUT' }));
    expect(() => confidentLearning({ ...ok, folds: 2, labels: Uint8Array.from(labels, (_, i) => (i === 0 ? 1 : 0)) })).toThrow(
      'confident_learning: label 1 has 1 stays, fewer than the 2 folds; lower folds.',
    );
    expect(() => confidentLearning({ ...ok, folds: 2, labels: Uint8Array.from(labels, (_, i) => (i < 2 ? 1 : 0)) })).not.toThrow();
  });
});
