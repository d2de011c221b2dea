import { runDetectors } from './run-detectors.js';
import { syntheticRepresentations } from './testing/synthetic.js';

describe('runDetectors', () => {
  const { matrix, labels, poisonedIndices } = syntheticRepresentations(400, 8, 10, 8, 5);
  // A predictor that keys on the poison direction's presence: the poisoned rows' first coordinate.
  const predict = (batch: Float32Array, rows: number) => Float32Array.from({ length: rows }, (_, r) => 1 / (1 + Math.exp(-batch[r * 8])));

  it('runs every detector whose inputs are given and writes the summary columns', async () => {
    const inputs = { values: Float32Array.from(matrix.values), rows: 400, cols: 8 };
    const run = await runDetectors({ representations: matrix, attributions: matrix, inputs, predict, labels, poisonedIndices, expectedPoisonRate: 10 / 400, strip: { blends: 4 } });
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
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices: [], expectedPoisonRate: 0, detectors: ['spectral'] });
    expect(Object.keys(run.columns)).toEqual(['detect_spectral_auroc', 'detect_spectral_tpr_at_5fpr', 'detect_spectral_precision_at_flagged']);
    expect(run.columns.detect_spectral_auroc).toBeNaN();
    expect(Object.keys(run.reasons)).toHaveLength(3);
  });

  it('checks every input before running a detector', async () => {
    const base = { representations: matrix, labels, poisonedIndices, expectedPoisonRate: 0.02 };
    await expect(runDetectors({ ...base, detectors: ['strip'] })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
    await expect(runDetectors({ ...base, detectors: ['nope' as never] })).rejects.toMatchObject({ code: 'E_DETECT_UNKNOWN' });
    await expect(runDetectors({ ...base, poisonedIndices: [400] })).rejects.toMatchObject({ code: 'E_DETECT_POISONED' });
    await expect(runDetectors({ ...base, poisonedIndices: [3, 3] })).rejects.toMatchObject({ code: 'E_DETECT_POISONED' });
    await expect(runDetectors({ ...base, expectedPoisonRate: 1 })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
    await expect(runDetectors({ ...base, labels: labels.subarray(1) })).rejects.toMatchObject({ code: 'E_DETECT_INPUT' });
  });
});

describe('toDetectJson', () => {
  it('writes NaN as null and keeps the reasons', async () => {
    const { toDetectJson } = await import('./report.js');
    const { matrix, labels } = syntheticRepresentations(40, 3, 0, 0, 6);
    const run = await runDetectors({ representations: matrix, labels, poisonedIndices: [], expectedPoisonRate: 0.05, detectors: ['spectral'] });
    const json = JSON.parse(JSON.stringify(toDetectJson(run)));
    expect(json.formatVersion).toBe(1);
    expect(json.columns.detect_spectral_auroc).toBeNull();
    expect(json.reasons.detect_spectral_auroc).toMatch(/no poisoned/);
    expect(json.detectors.spectral.scores).toHaveLength(40);
    expect(json.detectors.spectral.flaggedCount).toBe(2 * Math.round(1.5 * 2));
  });
});
