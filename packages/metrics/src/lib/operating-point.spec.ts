import { MetricsInputError } from './errors.js';
import { checkThresholdRule, operatingPointMetrics, operatingThreshold, describeThresholdRule } from './operating-point.js';
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

  it('uses a 5 % false-positive rate when no rule is given', () => {
    // ⌊0.05 · 10⌋ + 1 = 1: the largest non-target p(target).
    const t = operatingThreshold(y, p, { targetLabel: 1 });
    expect(t.rule).toEqual({ kind: 'fpr', fpr: 0.05 });
    expect(t).toMatchObject({ value: 0.9, targetLabel: 1, nNonTarget: 10, nTarget: 1, achievedFpr: 0 });
    expect(t.reason).toBeUndefined();
  });

  it('counts a share that rounds just below an integer as that integer (0.29 · 100 = 28.999…)', () => {
    // 100 non-target stays with p(target) = 0.99, 0.98, …, 0.00: fpr 0.29 allows 29 above t, so t is the 30th largest.
    const yv = [...Array.from({ length: 100 }, () => 0), 1];
    const pv = [...Array.from({ length: 100 }, (_, i) => (99 - i) / 100), 1];
    const t = operatingThreshold(yv, pv, { targetLabel: 1, rule: { kind: 'fpr', fpr: 0.29 } });
    expect(t.value).toBe(0.7);
    expect(t.achievedFpr).toBe(0.29);
  });

  it('a rate just below 1 takes the smallest non-target p(target), never one past the end', () => {
    const t = operatingThreshold(y, p, { targetLabel: 1, rule: { kind: 'fpr', fpr: 1 - 1e-12 } });
    expect(t.value).toBe(0);
    expect(t.achievedFpr).toBe(0.9);
  });

  it('sorts p(target) in descending order whatever the input order', () => {
    const t = operatingThreshold([0, 0, 0, 0, 1], [0.2, 0.9, 0.1, 0.6, 0.5], { targetLabel: 1, rule: { kind: 'fpr', fpr: 0.25 } });
    expect(t.value).toBe(0.6);
    expect(t.achievedFpr).toBe(0.25);
  });

  it('names the missing class when the validation split has no non-target stay', () => {
    const t = operatingThreshold([1, 1], [0.4, 0.3], { targetLabel: 1 });
    expect(t).toMatchObject({ code: WARNING.oneClass, nNonTarget: 0, nTarget: 2, targetLabel: 1 });
    expect(t.achievedFpr).toBeNaN();
    expect(t.reason).toBe(
      'the operating threshold is undefined: the validation split has one class (no non-target (label 0) stay among 2).',
    );
    const t0 = operatingThreshold([0, 0, 0], [0.4, 0.3, 0.2], { targetLabel: 0 });
    expect(t0.reason).toMatch(/\(no non-target \(label 1\) stay among 3\)\.$/);
    const t1 = operatingThreshold([1], [0.4], { targetLabel: 0 });
    expect(t1.reason).toMatch(/\(no target \(label 0\) stay among 1\)\.$/);
    expect(t1).toMatchObject({ nNonTarget: 1, nTarget: 0 });
  });

  it('rejects a malformed rule, naming what it got', () => {
    const bad = (rule: unknown) => () => operatingThreshold(y, p, { targetLabel: 1, rule: rule as never });
    // A null rule is the default rule in operatingThreshold; checkThresholdRule, exported, rejects it.
    expect(bad(null)()).toMatchObject({ rule: { kind: 'fpr', fpr: 0.05 } });
    expect(() => checkThresholdRule(null as never)).toThrow(
      "threshold rule must be {kind: 'fpr', fpr} or {kind: 'fixed', threshold}, got null.",
    );
    expect(bad({ kind: 'top', k: 3 })).toThrow('got {"kind":"top","k":3}.');
    expect(bad({ kind: 'fpr', fpr: 1.5 })).toThrow('the false-positive rate of the threshold rule must be in (0, 1), got 1.5.');
    expect(bad({ kind: 'fpr', fpr: '0.1' })).toThrow(expect.objectContaining({ code: 'E_METRICS_INVALID_OPTION' }));
    expect(bad({ kind: 'fixed', threshold: 1.5 })).toThrow('threshold must be a number in [0, 1], got 1.5.');
    expect(bad({ kind: 'fixed', threshold: 1 })()).toMatchObject({ value: 1, achievedFpr: 0 });
    expect(() => operatingThreshold(y, p, { targetLabel: 2 })).toThrow('targetLabel must be 0 or 1, got 2.');
    expect(() => operatingThreshold([0, 1], [0.5, 2], { targetLabel: 1 })).toThrow(
      expect.objectContaining({ code: 'E_METRICS_INVALID_PROBABILITY' }),
    );
  });

  it('a fixed rule is taken as given', () => {
    expect(operatingThreshold(y, p, { targetLabel: 1, rule: { kind: 'fixed', threshold: 0.5 } }).value).toBe(0.5);
    expect(describeThresholdRule({ kind: 'fpr', fpr: 0.05 })).toBe('fpr=0.05');
    expect(describeThresholdRule({ kind: 'fixed', threshold: 0.5 })).toBe('fixed=0.5');
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
  it('computes accuracy, precision, recall and F1 from those counts', () => {
    // Target 1, t = 0.5: predictions [1, 0, 1, 0] → TP 1, FN 1, FP 1, TN 1.
    const m = operatingPointMetrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1], { targetLabel: 1, targetThreshold: 0.5 });
    expect(m.accuracy.value).toBe(0.5);
    expect(m.precision.value).toBe(0.5);
    expect(m.recall.value).toBe(0.5);
    expect(m.f1.value).toBe(0.5);
    // t = 0.3: predictions [1, 1, 1, 0] → TP 2, FP 1, TN 1: precision 2/3, recall 1, F1 4/5.
    const m3 = operatingPointMetrics([1, 1, 0, 0], [0.9, 0.4, 0.6, 0.1], { targetLabel: 1, targetThreshold: 0.3 });
    expect(m3.counts).toEqual({ tp: 2, fp: 1, tn: 1, fn: 0 });
    expect(m3).toMatchObject({ accuracy: { value: 0.75 }, precision: { value: 2 / 3 }, recall: { value: 1 }, f1: { value: 0.8 } });
  });

  it('gives the reasons of undefined metrics with the operating threshold', () => {
    const m = operatingPointMetrics([0, 0], [0.6, 0.2], { targetLabel: 1, targetThreshold: 0.7 });
    expect(m.counts).toEqual({ tp: 0, fp: 0, tn: 2, fn: 0 });
    expect(m.precision).toMatchObject({
      code: WARNING.noPredictedPositive,
      reason: 'precision is undefined: no stay has p > 0.7 (no predicted positive).',
    });
    expect(m.recall.code).toBe(WARNING.noActualPositive);
    expect(m.f1).toMatchObject({
      code: WARNING.noPositiveOrPrediction,
      reason: 'F1 is undefined: the set has no positive stay and no stay has p > 0.7.',
    });
    expect(operatingPointMetrics([], [], { targetLabel: 1, targetThreshold: 0.5 }).accuracy.code).toBe(WARNING.empty);
  });

  it('rejects a target label or threshold out of range', () => {
    expect(() => operatingPointMetrics([1], [0.5], { targetLabel: 3, targetThreshold: 0.5 })).toThrow('targetLabel must be 0 or 1, got 3.');
    expect(() => operatingPointMetrics([1], [0.5], { targetLabel: 1, targetThreshold: -0.5 })).toThrow(
      'threshold must be a number in [0, 1], got -0.5.',
    );
    expect(() => operatingPointMetrics([1], [1.5], { targetLabel: 1, targetThreshold: 0.5 })).toThrow(
      expect.objectContaining({ code: 'E_METRICS_INVALID_PROBABILITY' }),
    );
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
