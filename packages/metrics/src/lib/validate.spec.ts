import { auroc } from './auroc.js';
import { computeClassificationMetrics } from './classification-metrics.js';
import { MetricsInputError } from './errors.js';

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
