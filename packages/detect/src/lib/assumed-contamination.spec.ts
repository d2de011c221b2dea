import {
  assertAssumedContamination,
  budgetOf,
  contaminationTag,
  DEFAULT_ASSUMED_CONTAMINATION,
  SENSITIVITY_CONTAMINATIONS,
  sensitivityCurve,
} from './assumed-contamination.js';
import { truthMask } from './detection-metrics.js';

describe('assertAssumedContamination', () => {
  it('accepts a share strictly between 0 and 0.5 and names the defence and the flag otherwise', () => {
    for (const ok of [DEFAULT_ASSUMED_CONTAMINATION, 1e-6, 0.4999]) expect(() => assertAssumedContamination(ok, 'x')).not.toThrow();
    for (const bad of [0, -0.01, 0.5, 0.7, NaN, Infinity, '0.01' as unknown as number]) {
      expect(() => assertAssumedContamination(bad, 'my_defence')).toThrow(expect.objectContaining({ code: 'E_DETECT_CONTAMINATION' }));
    }
    expect(() => assertAssumedContamination(0.5, 'my_defence')).toThrow(
      'my_defence: the assumed contamination must be a share in (0, 0.5) (e.g. 0.01 for 1 % of the training stays), got 0.5. ' +
        "It is the defender's guess, not the true poison rate; pass --assumed-contamination 0.01 or another value in range.",
    );
  });
});

describe('budgetOf', () => {
  it('is round(c · n), at least 1 and at most n', () => {
    expect(budgetOf(0.01, 1000)).toBe(10);
    expect(budgetOf(0.015, 100)).toBe(2); // 1.5 rounds up
    expect(budgetOf(0.01, 20)).toBe(1); // 0.2 would round to 0
    expect(budgetOf(0.3, 3)).toBe(1);
    expect(budgetOf(2, 5)).toBe(5);
  });
});

describe('contaminationTag', () => {
  it('writes the percentage with p for the decimal point', () => {
    expect(SENSITIVITY_CONTAMINATIONS.map(contaminationTag)).toEqual(['0p5pct', '1pct', '5pct', '10pct']);
    expect(contaminationTag(0.0125)).toBe('1p3pct');
    expect(contaminationTag(0.25)).toBe('25pct');
  });
});

describe('sensitivityCurve', () => {
  it('gives precision and recall of the top round(c · n) stays for each contamination, NaN scores last', () => {
    const n = 200;
    // Stays 0–9 poisoned; scores rank 0–4 highest, then clean stays 10–19, then poisoned 5–9; two NaNs.
    const scores = Float64Array.from({ length: n }, (_, i) => (i < 5 ? 100 - i : i < 10 ? 50 - i : i < 20 ? 80 - i : i < 22 ? NaN : -i));
    const truth = truthMask(n, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const curve = sensitivityCurve(scores, truth);
    expect(curve.map((p) => p.contamination)).toEqual([0.005, 0.01, 0.05, 0.1]);
    expect(curve.map((p) => p.flagged)).toEqual([1, 2, 10, 20]);
    expect(curve.map((p) => p.precision)).toEqual([1, 1, 0.5, 0.5]);
    expect(curve.map((p) => p.recall)).toEqual([0.1, 0.2, 0.5, 1]);
    const nanLast = sensitivityCurve(Float64Array.from([NaN, 1, 2, 3]), truthMask(4, [0]), [0.25, 0.49]);
    expect(nanLast).toEqual([
      { contamination: 0.25, flagged: 1, precision: 0, recall: 0 },
      { contamination: 0.49, flagged: 2, precision: 0, recall: 0 },
    ]);
    expect(sensitivityCurve(Float64Array.from([NaN, 1, 2, 3]), truthMask(4, [0]), [0.99])[0]).toMatchObject({ flagged: 4, recall: 1 });
  });
});
