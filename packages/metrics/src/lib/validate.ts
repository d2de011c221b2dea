import { check } from './errors.js';

/** Binary labels: any array-like of 0/1 numbers (number[], Uint8Array, Int32Array, Float64Array). */
export type Labels = ArrayLike<number>;
/** Probabilities of label 1, each finite and in [0, 1]. */
export type Probabilities = ArrayLike<number>;

export function checkLabels(yTrue: Labels, what = 'yTrue'): void {
  check(
    yTrue != null && typeof yTrue.length === 'number',
    'E_METRICS_INVALID_LABEL',
    () => `${what} must be an array of 0/1 labels, got ${String(yTrue)}.`,
  );
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i];
    check(
      y === 0 || y === 1,
      'E_METRICS_INVALID_LABEL',
      () => `${what}[${i}] is ${String(y)}; labels must be 0 or 1 (1 = the positive class).`,
    );
  }
}

export function checkProbabilities(p: Probabilities, what = 'pPositive'): void {
  check(
    p != null && typeof p.length === 'number',
    'E_METRICS_INVALID_PROBABILITY',
    () => `${what} must be an array of probabilities, got ${String(p)}.`,
  );
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    check(
      typeof v === 'number' && v >= 0 && v <= 1,
      'E_METRICS_INVALID_PROBABILITY',
      () =>
        `${what}[${i}] is ${String(v)}; probabilities must be finite numbers in [0, 1]. ` +
        `A NaN usually means the model diverged: check the run's training log before computing metrics.`,
    );
  }
}

export function checkSameLength(a: ArrayLike<number>, aName: string, b: ArrayLike<number>, bName: string): void {
  check(
    a.length === b.length,
    'E_METRICS_LENGTH_MISMATCH',
    () => `${aName} has ${a.length} entries but ${bName} has ${b.length}; they must describe the same stays in the same order.`,
  );
}

/** The usual entry check of a (labels, probabilities) metric. */
export function checkBinaryInput(yTrue: Labels, pPositive: Probabilities, pName = 'pPositive'): void {
  checkLabels(yTrue);
  checkProbabilities(pPositive, pName);
  checkSameLength(yTrue, 'yTrue', pPositive, pName);
}

export function checkThreshold(threshold: number): void {
  check(
    typeof threshold === 'number' && threshold >= 0 && threshold <= 1,
    'E_METRICS_INVALID_OPTION',
    () => `threshold must be a number in [0, 1], got ${String(threshold)}.`,
  );
}

export function checkTargetLabel(targetLabel: number): asserts targetLabel is 0 | 1 {
  check(
    targetLabel === 0 || targetLabel === 1,
    'E_METRICS_INVALID_OPTION',
    () => `targetLabel must be 0 or 1, got ${String(targetLabel)}.`,
  );
}

export function countPositives(yTrue: Labels): number {
  let n = 0;
  for (let i = 0; i < yTrue.length; i++) n += yTrue[i]!;
  return n;
}
