import { MetricsInputError } from './errors.js';
import { operatingPointMetrics, operatingThreshold, describeThresholdRule } from './operating-point.js';
import { flipRate } from './flip-rate.js';
import { WARNING } from './result.js';

describe('operatingThreshold', () => {
  // Non-target (label 0) p(target) = 0.9, 0.8, …, 0.0 (10 stays): fpr 0.1 allows one above t, so t = 0.8.
  const y = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0, 0.95];

  it('is the (⌊fpr·n⌋ + 1)-th largest non-target p(target)', () => {
    const t = operatingThreshold(y, p, { targetLabel: 1, rule: { kind: 'fpr', fpr: 0.1 } });
    expect(t.value).toBe(0.8);
    expect(t.achievedFpr).toBeCloseTo(0.1, 15);
    expect(operatingThreshold(y, p, { targetLabel: 1, rule: { kind: 'fpr', fpr: 0.05 } }).value).toBe(0.9);
  });

  it('works on p(target) = 1 − p for target 0 (label 1 is then the non-target class)', () => {
    // Label-1 stays have p(target 0) = 0.1, 0.2, 0.3, 0.4: fpr 0.25 → one above → t = 0.3.
    const t = operatingThreshold([1, 1, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.1], { targetLabel: 0, rule: { kind: 'fpr', fpr: 0.25 } });
    expect(t.value).toBeCloseTo(0.3, 15);
    expect(t.achievedFpr).toBe(0.25);
  });

  it('ties never push the achieved rate above the rule', () => {
    const t = operatingThreshold([0, 0, 0, 0, 1], [0.5, 0.5, 0.5, 0.1, 0.9], { targetLabel: 1, rule: { kind: 'fpr', fpr: 0.3 } });
    expect(t.value).toBe(0.5);
    expect(t.achievedFpr).toBe(0);
  });

  it('is NaN with a reason when the validation split has one class', () => {
    const t = operatingThreshold([0, 0, 0], [0.1, 0.2, 0.3], { targetLabel: 1 });
    expect(t.value).toBeNaN();
    expect(t.code).toBe(WARNING.oneClass);
    expect(t.reason).toMatch(/one class \(no target \(label 1\) stay among 3\)/);
  });

  it('rejects a false-positive rate outside (0, 1)', () => {
    for (const fpr of [0, 1, -0.1, 1.5, Number.NaN]) {
      expect(() => operatingThreshold(y, p, { targetLabel: 1, rule: { kind: 'fpr', fpr } })).toThrow(MetricsInputError);
    }
  });

  it('a fixed rule is taken as given', () => {
    expect(operatingThreshold(y, p, { targetLabel: 1, rule: { kind: 'fixed', threshold: 0.5 } }).value).toBe(0.5);
    expect(describeThresholdRule({ kind: 'fpr', fpr: 0.05 })).toBe('fpr=0.05');
  });
});

describe('operatingPointMetrics', () => {
  it('predicts by p(target) > t, label 1 positive, for both targets', () => {
    const yT = [1, 1, 0, 0];
    const pT = [0.9, 0.4, 0.6, 0.1];
    expect(operatingPointMetrics(yT, pT, { targetLabel: 1, targetThreshold: 0.5 }).counts).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    // Target 0, t = 0.5: predicted 0 when 1 − p > 0.5, i.e. p < 0.5; p = 0.5 exactly is predicted 1.
    expect(operatingPointMetrics([1, 0, 1], [0.5, 0.49, 0.2], { targetLabel: 0, targetThreshold: 0.5 }).counts).toEqual({
      tp: 1,
      fp: 0,
      tn: 1,
      fn: 1,
    });
  });
});

describe('flipRate', () => {
  it('counts only stays predicted non-target without the trigger', () => {
    // Eligible (y = 0): clean p 0.2, 0.3, 0.7 (the last already predicted target, left out); triggered 0.9, 0.1, 0.9.
    const f = flipRate([0, 0, 0, 1], [0.9, 0.1, 0.9, 0.9], [0.2, 0.3, 0.7, 0.8], { targetLabel: 1 });
    expect(f.value).toBe(0.5);
    expect(f.nBase).toBe(2);
    expect(f.nFlipped).toBe(1);
  });
  it('is NaN with a reason when no stay is predicted non-target untriggered', () => {
    const f = flipRate([0], [0.9], [0.8], { targetLabel: 1 });
    expect(f.value).toBeNaN();
    expect(f.code).toBe(WARNING.noEligibleStay);
  });
});
