import { runDetectors } from './run-detectors.js';
import { syntheticRepresentations } from './testing/synthetic.js';

describe('runDetectors', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(400, 8, 10, 8, 5);
  // A predictor that keys on the poison direction's presence: the poisoned rows' first coordinate.
  const predict = (batch: Float32Array, rows: number) => Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-batch[r * 8])));

  it('runs every detector whose inputs are given and writes the summary columns', async () => {
    const inputs = { values: Float32Array.from(matrix.values), rows: 400, cols: 8 };
    const run = await runDetectors({
      representations: matrix,
      attributions: matrix,
      inputs,
      predict,
      labels,
      poisonedIndices,
      assumedContamination: 10 / 400,
      strip: { blends: 4 },
    });
    expect(Object.keys(run.results)).toEqual(['spectral', 'activation_clustering', 'attribution', 'strip']);
    expect(run.expectedPoisonCount).toBe(10);
    for (const name of ['spectral', 'activation_clustering', 'attribution', 'strip']) {
      for (const suffix of ['auroc', 'tpr_at_5fpr', 'precision_at_flagged']) expect(run.columns).toHaveProperty(`detect_${name}_${suffix}`);
    }
    expect(run.columns.detect_spectral_auroc).toBeGreaterThan(0.99);
    expect(run.columns.detect_spectral_tpr_at_5fpr).toBeGreaterThanOrEqual(0.9);
    expect(run.results.spectral?.evaluation.recallAtFlagged).toBe(1);
  });

  it('runs only the requested detectors and reports NaN with reasons when nothing is poisoned', async () => {
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices: [], detectors: ['spectral'] });
    expect(Object.keys(run.columns).slice(0, 3)).toEqual([
      'detect_spectral_auroc',
      'detect_spectral_tpr_at_5fpr',
      'detect_spectral_precision_at_flagged',
    ]);
    expect(run.columns.detect_spectral_auroc).toBeNaN();
    expect(run.columns.detect_spectral_recall_at_0p5pct).toBeNaN();
    // AUROC, TPR and recall are undefined without a poisoned stay; the 1 % flagged are all clean (precision 0).
    expect(Object.keys(run.reasons)).toHaveLength(2 + 4);
  });

  it('checks every input before running a detector', async () => {
    const base = { representations: matrix, labels, poisonedIndices, assumedContamination: 0.02 };
    await expect(runDetectors({ ...base, detectors: ['strip'] })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
    await expect(runDetectors({ ...base, detectors: ['confident_learning'] })).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
      message: expect.stringMatching(/confident_learning' needs the training stays' clinical features/),
    });
    await expect(runDetectors({ ...base, detectors: ['abl_isolation'] })).rejects.toMatchObject({
      code: 'E_DETECT_INPUT',
      message: expect.stringMatching(/abl_isolation' needs the per-stay losses/),
    });
    await expect(runDetectors({ ...base, detectors: ['nope' as never] })).rejects.toMatchObject({ code: 'E_DETECT_UNKNOWN' });
    await expect(runDetectors({ ...base, poisonedIndices: [400] })).rejects.toMatchObject({ code: 'E_DETECT_POISONED' });
    await expect(runDetectors({ ...base, poisonedIndices: [3, 3] })).rejects.toMatchObject({ code: 'E_DETECT_POISONED' });
    for (const bad of [0, 0.5, -0.1, NaN, 1]) {
      await expect(runDetectors({ ...base, assumedContamination: bad })).rejects.toMatchObject({
        code: 'E_DETECT_CONTAMINATION',
        message: expect.stringMatching(/runDetectors.*\(0, 0\.5\)/),
      });
    }
    await expect(runDetectors({ ...base, labels: labels.subarray(1) })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
  });
});

describe('toDetectJson', () => {
  it('writes NaN as null and keeps the reasons', async () => {
    const { toDetectJson } = await import('./report.js');
    const { matrix, labels } = syntheticRepresentations(40, 3, 0, 0, 6);
    const run = await runDetectors({
      representations: matrix,
      labels,
      poisonedIndices: [],
      assumedContamination: 0.05,
      detectors: ['spectral'],
    });
    const json = JSON.parse(JSON.stringify(toDetectJson(run)));
    expect(json.formatVersion).toBe(1);
    expect(json.columns.detect_spectral_auroc).toBeNull();
    expect(json.reasons.detect_spectral_auroc).toMatch(/no poisoned/);
    expect(json.detectors.spectral.scores).toHaveLength(40);
    expect(json.detectors.spectral.flaggedCount).toBe(2 * Math.round(1.5 * 2));
    expect(json.assumedContamination).toBe(0.05);
    expect(json.detectors.spectral.sensitivity.map((p: { flagged: number }) => p.flagged)).toEqual([1, 1, 2, 4]);
  });
});

describe('the assumed contamination', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(400, 8, 10, 8, 5);

  it('sets the flagged count whatever the true poison count, and defaults to 1 %', async () => {
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices, detectors: ['spectral'] });
    expect(run.assumedContamination).toBe(0.01);
    expect(run.expectedPoisonCount).toBe(4);
    const truthless = await runDetectors({
      representations: matrix,
      labels,
      poisonedIndices: poisonedIndices.slice(0, 1),
      detectors: ['spectral'],
    });
    expect(truthless.results.spectral?.flagged).toEqual(run.results.spectral?.flagged);
  });

  it('reports a sensitivity curve over 0.5, 1, 5 and 10 %', async () => {
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices, detectors: ['spectral'] });
    const curve = run.sensitivity.spectral ?? [];
    expect(curve.map((p) => p.contamination)).toEqual([0.005, 0.01, 0.05, 0.1]);
    expect(curve.map((p) => p.flagged)).toEqual([2, 4, 20, 40]);
    // 10 planted stays ranked first: the top 2 and 4 are all poisoned, the top 20 and 40 hold all ten.
    expect(curve[0].precision).toBe(1);
    expect(curve[3].recall).toBe(1);
    expect(run.columns.detect_spectral_recall_at_10pct).toBe(1);
    expect(run.columns.detect_spectral_precision_at_5pct).toBeCloseTo(10 / 20);
  });
});
