import { holmAdjust } from './holm.js';
import { welchTest } from './welch.js';

describe('welchTest', () => {
  test('matches scipy ttest_ind(equal_var=False)', () => {
    const r = welchTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10]);
    expect(r.computable).toBe(true);
    expect(r.t).toBeCloseTo(-1.8973665961010275, 12);
    expect(r.df).toBeCloseTo(5.882352941176471, 12);
    expect(r.p).toBeCloseTo(0.10753119493062718, 10);
    const s = welchTest([0.91, 0.95, 0.93], [0.05, 0.02, 0.04, 0.03]);
    expect(s.t).toBeCloseTo(67.65564066865177, 9);
    expect(s.p / 3.2931453189092735e-6).toBeCloseTo(1, 7);
  });

  test('n < 2 in a group is not computable, never significant', () => {
    const r = welchTest([0.99], [0.01, 0.02, 0.03]);
    expect(r.computable).toBe(false);
    expect(r.p).toBeNaN();
    expect(r.reason).toMatch(/n = 1 vs 3/);
  });

  test('zero variance in both groups is not computable', () => {
    expect(welchTest([1, 1], [0, 0]).computable).toBe(false);
  });
});

describe('holmAdjust', () => {
  test('hand-computed step-down', () => {
    // sorted 0.01, 0.02, 0.03, 0.04 with m = 4: 0.04, 0.06, 0.06, 0.06
    expect(holmAdjust([0.03, 0.01, 0.04, 0.02])).toEqual([0.06, 0.04, 0.06, 0.06]);
  });

  test('caps at 1 and leaves not-computable tests out of m', () => {
    // m = 2 (the NaN is left out): 0.4 · 2 = 0.8, then max(0.8, 0.5 · 1) = 0.8
    const adjusted = holmAdjust([0.5, NaN, 0.4]);
    expect(adjusted[0]).toBeCloseTo(0.8, 15);
    expect(adjusted[1]).toBeNaN();
    expect(adjusted[2]).toBeCloseTo(0.8, 15);
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
  });
});
