import { accuracy, confusionCounts, f1Score, precision, predictLabel, recall } from './threshold-metrics.js';
import { WARNING } from './result.js';

describe('threshold metrics', () => {
  // y = [1, 1, 0, 0, 1], p = [0.9, 0.5, 0.6, 0.2, 0.51]; p > 0.5 predicts [1, 0, 1, 0, 1]:
  // TP = 2 (0.9, 0.51), FN = 1 (0.5 is not > 0.5), FP = 1 (0.6), TN = 1 (0.2).
  const y = [1, 1, 0, 0, 1];
  const p = [0.9, 0.5, 0.6, 0.2, 0.51];

  it('predicts label 1 only strictly above the threshold', () => {
    expect(predictLabel(0.5, 0.5)).toBe(0);
    expect(predictLabel(0.5000001, 0.5)).toBe(1);
    expect(confusionCounts(y, p)).toEqual({ tp: 2, fp: 1, tn: 1, fn: 1 });
  });

  it('computes accuracy, precision, recall and F1 at 0.5', () => {
    expect(accuracy(y, p).value).toBe(3 / 5); // (TP + TN) / n = 3/5
    expect(precision(y, p).value).toBe(2 / 3); // TP / (TP + FP) = 2/3
    expect(recall(y, p).value).toBe(2 / 3); // TP / (TP + FN) = 2/3
    expect(f1Score(y, p).value).toBe(2 / 3); // 2TP / (2TP + FP + FN) = 4/6
  });

  it('honours a configurable threshold', () => {
    // At 0.55: predictions [1, 0, 1, 0, 0] → TP = 1, FN = 2, FP = 1, TN = 1.
    expect(accuracy(y, p, 0.55).value).toBe(2 / 5);
    expect(precision(y, p, 0.55).value).toBe(1 / 2);
    expect(recall(y, p, 0.55).value).toBe(1 / 3);
    expect(f1Score(y, p, 0.55).value).toBe(2 / 5); // 2 / (2 + 1 + 2)
  });

  it('returns NaN with a reason where sklearn divides by zero', () => {
    // No p > 0.5: precision is 0/0; recall = 0/2 = 0 and F1 = 0/(0 + 0 + 2) = 0 are defined.
    expect(precision([1, 0, 1], [0.1, 0.2, 0.5])).toMatchObject({ value: Number.NaN, code: WARNING.noPredictedPositive });
    expect(recall([1, 0, 1], [0.1, 0.2, 0.5]).value).toBe(0);
    expect(f1Score([1, 0, 1], [0.1, 0.2, 0.5]).value).toBe(0);
    // No positive and no predicted positive: recall and F1 are 0/0, accuracy is 1.
    expect(recall([0, 0], [0.1, 0.2])).toMatchObject({ value: Number.NaN, code: WARNING.noActualPositive });
    expect(f1Score([0, 0], [0.1, 0.2])).toMatchObject({ value: Number.NaN, code: WARNING.noPositiveOrPrediction });
    expect(accuracy([0, 0], [0.1, 0.2]).value).toBe(1);
    expect(accuracy([], [])).toMatchObject({ value: Number.NaN, code: WARNING.empty });
  });

  it('gives F1 = 2TP / (2TP + FP + FN) where 2TP = FP', () => {
    // y = [1, 0, 0], all predicted 1: TP 1, FP 2, FN 0 → F1 = 2 / 4.
    expect(f1Score([1, 0, 0], [0.9, 0.8, 0.7]).value).toBe(0.5);
  });

  it('says why precision, recall or F1 is undefined', () => {
    expect(precision([1, 0], [0.1, 0.2], 0.3).reason).toBe('precision is undefined: no stay has p > 0.3 (no predicted positive).');
    expect(recall([0, 0], [0.1, 0.9]).reason).toBe('recall is undefined: the set has no positive stay.');
    expect(f1Score([0, 0], [0.1, 0.2], 0.25).reason).toBe('F1 is undefined: the set has no positive stay and no stay has p > 0.25.');
    expect(accuracy([], []).reason).toBe('accuracy is undefined on an empty set.');
  });

  it('rejects a threshold outside [0, 1]', () => {
    expect(() => accuracy(y, p, 1.5)).toThrow(expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }));
    expect(() => accuracy(y, p, Number.NaN)).toThrow(expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }));
  });
});
