import { toDetectJson } from './report.js';
import type { RunDetectorsResult } from './run-detectors.js';

const evaluation = (auroc: number, tpr: number, precision: number, recall: number, flaggedCount: number) => ({
  auroc,
  tprAt5Fpr: tpr,
  precisionAtFlagged: precision,
  recallAtFlagged: recall,
  flaggedCount,
});

const run: RunDetectorsResult = {
  results: {
    spectral: {
      detector: 'spectral',
      scores: Float64Array.from([0.5, NaN, 2, Infinity]),
      flagged: Int32Array.from([2, 3]),
      perLabel: [{ label: 1, n: 4, eigenvalue: NaN, skipped: false, note: 'x' }],
      warnings: ['w'],
      evaluation: evaluation(0.75, NaN, 0.5, Infinity, 2),
      seconds: 0.25,
    },
    strip: {
      detector: 'strip',
      scores: Float64Array.from([1, 2, 3, 4]),
      flagged: Int32Array.from([0]),
      perLabel: [{ n: 4 }],
      warnings: [],
      evaluation: evaluation(NaN, 0.25, NaN, 0, 1),
      seconds: 1.5,
    },
    attribution: undefined,
  },
  columns: { detect_spectral_auroc: 0.75, detect_strip_auroc: NaN },
  reasons: { detect_strip_auroc: 'no poisoned training stay' },
  expectedPoisonCount: 3,
  assumedContamination: 0.02,
  sensitivity: {
    spectral: [
      { contamination: 0.01, flagged: 1, precision: 1, recall: 0.5 },
      { contamination: 0.05, flagged: 2, precision: NaN, recall: NaN },
    ],
  },
};

describe('toDetectJson', () => {
  it('writes every non-finite number as null, keeps the rest, and skips detectors that did not run', () => {
    const json = toDetectJson(run);
    expect(json).toEqual({
      formatVersion: 1,
      expectedPoisonCount: 3,
      assumedContamination: 0.02,
      columns: { detect_spectral_auroc: 0.75, detect_strip_auroc: null },
      reasons: { detect_strip_auroc: 'no poisoned training stay' },
      detectors: {
        spectral: {
          auroc: 0.75,
          tprAt5Fpr: null,
          precisionAtFlagged: 0.5,
          recallAtFlagged: null,
          flaggedCount: 2,
          seconds: 0.25,
          flagged: [2, 3],
          scores: [0.5, null, 2, null],
          perLabel: [{ label: 1, n: 4, eigenvalue: null, skipped: false, note: 'x' }],
          warnings: ['w'],
          sensitivity: [
            { contamination: 0.01, flagged: 1, precision: 1, recall: 0.5 },
            { contamination: 0.05, flagged: 2, precision: null, recall: null },
          ],
        },
        strip: {
          auroc: null,
          tprAt5Fpr: 0.25,
          precisionAtFlagged: null,
          recallAtFlagged: 0,
          flaggedCount: 1,
          seconds: 1.5,
          flagged: [0],
          scores: [1, 2, 3, 4],
          perLabel: [{ n: 4 }],
          warnings: [],
          sensitivity: [],
        },
      },
    });
    expect(Object.keys(json.detectors)).toEqual(['spectral', 'strip']);
    // A copy: the result's reasons are not shared.
    expect(json.reasons).not.toBe(run.reasons);
  });

  it('lists dataset rows instead of training positions when flaggedRows are given', () => {
    const json = toDetectJson({ ...run, flaggedRows: { spectral: Int32Array.from([20, 30]) } });
    expect(json.detectors.spectral.flagged).toEqual([20, 30]);
    expect(json.detectors.strip.flagged).toEqual([0]);
    const noSensitivity = toDetectJson({ ...run, sensitivity: undefined as never });
    expect(noSensitivity.detectors.spectral.sensitivity).toEqual([]);
  });
});
