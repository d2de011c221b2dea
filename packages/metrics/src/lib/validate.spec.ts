import { auroc } from './auroc.js';
import { computeClassificationMetrics } from './classification-metrics.js';
import { MetricsInputError } from './errors.js';
import {
  checkBinaryInput,
  checkLabels,
  checkProbabilities,
  checkSameLength,
  checkTargetLabel,
  checkThreshold,
  countPositives,
} from './validate.js';

describe('input errors', () => {
  const code = (f: () => unknown): string | undefined => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsInputError);
      expect((error as MetricsInputError).name).toBe('MetricsInputError');
      expect((error as MetricsInputError).exitCode).toBe(2);
      return (error as MetricsInputError).code;
    }
    return undefined;
  };

  it('throws a typed error for a length mismatch, naming both lengths', () => {
    expect(code(() => auroc([0, 1, 1], [0.2, 0.3]))).toBe('E_METRICS_LENGTH_MISMATCH');
    expect(() => auroc([0, 1, 1], [0.2, 0.3])).toThrow(/yTrue has 3 entries but pPositive has 2/);
  });

  it('throws for NaN, infinite and out-of-[0, 1] probabilities, naming the index', () => {
    expect(code(() => auroc([0, 1], [0.2, Number.NaN]))).toBe('E_METRICS_INVALID_PROBABILITY');
    expect(code(() => auroc([0, 1], [Number.POSITIVE_INFINITY, 0.3]))).toBe('E_METRICS_INVALID_PROBABILITY');
    expect(code(() => auroc([0, 1], [-0.1, 0.3]))).toBe('E_METRICS_INVALID_PROBABILITY');
    expect(() => computeClassificationMetrics([0, 1], [0.2, 1.01])).toThrow(/pPositive\[1\] is 1.01/);
  });

  it('throws for labels other than 0 and 1', () => {
    expect(code(() => auroc([0, 2], [0.2, 0.3]))).toBe('E_METRICS_INVALID_LABEL');
    expect(code(() => auroc([0, Number.NaN], [0.2, 0.3]))).toBe('E_METRICS_INVALID_LABEL');
    expect(code(() => auroc([0, 0.5], [0.2, 0.3]))).toBe('E_METRICS_INVALID_LABEL');
  });
});

describe('the input checks', () => {
  const failure = (f: () => unknown): { code: string; message: string } | undefined => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(MetricsInputError);
      return { code: (error as MetricsInputError).code, message: (error as MetricsInputError).message };
    }
    return undefined;
  };

  it('checkLabels: an array of 0/1, named in the message with the offending index and value', () => {
    expect(failure(() => checkLabels([0, 1, 1, 0]))).toBeUndefined();
    expect(failure(() => checkLabels(new Uint8Array([1, 0])))).toBeUndefined();
    expect(failure(() => checkLabels([]))).toBeUndefined();
    expect(failure(() => checkLabels([0, 1, 3]))).toEqual({
      code: 'E_METRICS_INVALID_LABEL',
      message: 'yTrue[2] is 3; labels must be 0 or 1 (1 = the positive class).',
    });
    expect(failure(() => checkLabels([1, -1], 'labels'))?.message).toBe('labels[1] is -1; labels must be 0 or 1 (1 = the positive class).');
    // A string or boolean is not a label, even where JavaScript would compare it equal to 0 or 1.
    expect(failure(() => checkLabels(['1'] as unknown as number[]))?.code).toBe('E_METRICS_INVALID_LABEL');
    expect(failure(() => checkLabels([true] as unknown as number[]))?.code).toBe('E_METRICS_INVALID_LABEL');
  });

  it('checkLabels and checkProbabilities reject a missing array or one without a length', () => {
    expect(failure(() => checkLabels(null as unknown as number[]))).toEqual({
      code: 'E_METRICS_INVALID_LABEL',
      message: 'yTrue must be an array of 0/1 labels, got null.',
    });
    expect(failure(() => checkLabels(undefined as unknown as number[], 'y'))?.message).toBe(
      'y must be an array of 0/1 labels, got undefined.',
    );
    expect(failure(() => checkLabels({ 0: 1 } as unknown as number[]))?.code).toBe('E_METRICS_INVALID_LABEL');
    expect(failure(() => checkLabels({ length: '2' } as unknown as number[]))?.code).toBe('E_METRICS_INVALID_LABEL');
    expect(failure(() => checkProbabilities(null as unknown as number[]))).toEqual({
      code: 'E_METRICS_INVALID_PROBABILITY',
      message: 'pPositive must be an array of probabilities, got null.',
    });
    expect(failure(() => checkProbabilities(undefined as unknown as number[], 'pClean'))?.message).toBe(
      'pClean must be an array of probabilities, got undefined.',
    );
    expect(failure(() => checkProbabilities({ length: '1', 0: 0.5 } as unknown as number[]))?.code).toBe('E_METRICS_INVALID_PROBABILITY');
  });

  it('checkProbabilities: finite numbers in [0, 1], both ends included', () => {
    expect(failure(() => checkProbabilities([0, 1, 0.5, Number.MIN_VALUE]))).toBeUndefined();
    expect(failure(() => checkProbabilities(new Float64Array([1, 0])))).toBeUndefined();
    expect(failure(() => checkProbabilities([0.5, -Number.MIN_VALUE]))).toEqual({
      code: 'E_METRICS_INVALID_PROBABILITY',
      message:
        'pPositive[1] is -5e-324; probabilities must be finite numbers in [0, 1]. ' +
        "A NaN usually means the model diverged: check the run's training log before computing metrics.",
    });
    expect(failure(() => checkProbabilities([1 + Number.EPSILON], 'pTriggered'))?.message).toMatch(
      /^pTriggered\[0\] is 1\.0000000000000002;/,
    );
    // '0.5' >= 0 and '0.5' <= 1 hold in JavaScript: the type check is what rejects a string.
    expect(failure(() => checkProbabilities(['0.5'] as unknown as number[]))?.code).toBe('E_METRICS_INVALID_PROBABILITY');
    expect(failure(() => checkProbabilities([null] as unknown as number[]))?.code).toBe('E_METRICS_INVALID_PROBABILITY');
  });

  it('checkSameLength names both arrays and their lengths', () => {
    expect(failure(() => checkSameLength([1, 2], 'a', [3, 4], 'b'))).toBeUndefined();
    expect(failure(() => checkSameLength([1, 2], 'pTriggered', [3], 'pClean'))).toEqual({
      code: 'E_METRICS_LENGTH_MISMATCH',
      message: 'pTriggered has 2 entries but pClean has 1; they must describe the same stays in the same order.',
    });
  });

  it('checkBinaryInput checks labels, then probabilities under their given name, then lengths', () => {
    expect(failure(() => checkBinaryInput([0, 1], [0.2, 0.9]))).toBeUndefined();
    expect(failure(() => checkBinaryInput([0, 2], [0.2, 2]))?.code).toBe('E_METRICS_INVALID_LABEL');
    expect(failure(() => checkBinaryInput([0, 1], [0.2, 2], 'pTriggered'))?.message).toMatch(/^pTriggered\[1\] is 2;/);
    expect(failure(() => checkBinaryInput([0, 1], [0.2, 2]))?.message).toMatch(/^pPositive\[1\] is 2;/);
    expect(failure(() => checkBinaryInput([0, 1], [0.2], 'pTriggered'))?.message).toBe(
      'yTrue has 2 entries but pTriggered has 1; they must describe the same stays in the same order.',
    );
  });

  it('checkThreshold: a number in [0, 1], both ends included', () => {
    for (const t of [0, 1, 0.5]) expect(failure(() => checkThreshold(t))).toBeUndefined();
    for (const t of [-Number.MIN_VALUE, 1 + Number.EPSILON, Number.NaN]) {
      expect(failure(() => checkThreshold(t))?.code).toBe('E_METRICS_INVALID_OPTION');
    }
    expect(failure(() => checkThreshold('0.5' as unknown as number))?.code).toBe('E_METRICS_INVALID_OPTION');
    expect(failure(() => checkThreshold(2))?.message).toBe('threshold must be a number in [0, 1], got 2.');
  });

  it('checkTargetLabel: 0 or 1 only', () => {
    expect(failure(() => checkTargetLabel(0))).toBeUndefined();
    expect(failure(() => checkTargetLabel(1))).toBeUndefined();
    expect(failure(() => checkTargetLabel(2))).toEqual({ code: 'E_METRICS_INVALID_OPTION', message: 'targetLabel must be 0 or 1, got 2.' });
    expect(failure(() => checkTargetLabel(Number.NaN))?.code).toBe('E_METRICS_INVALID_OPTION');
  });

  it('countPositives counts the 1 labels', () => {
    expect(countPositives([])).toBe(0);
    expect(countPositives([1, 0, 1, 1, 0])).toBe(3);
    expect(countPositives(new Uint8Array([0, 0, 1]))).toBe(1);
  });
});
