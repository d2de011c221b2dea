import { attentionShift, jensenShannon } from './attention-shift.js';

describe('attentionShift', () => {
  it('is zero for identical attention', () => {
    const a = [0.5, 0.5, 0.25, 0.75];
    const shift = attentionShift(a, a, [1, 1, 2, 2]);
    expect(shift.meanAbsDelta).toBe(0);
    expect(shift.meanJsDivergence).toBe(0);
    expect(Array.from(shift.clsShift ?? [])).toEqual([0, 0]);
  });

  it('measures a hand case: [CLS] moves all its attention to token 1', () => {
    const clean = [1, 0, 0.5, 0.5];
    const triggered = [0, 1, 0.5, 0.5];
    const shift = attentionShift(clean, triggered, [1, 1, 2, 2]);
    expect(shift.meanAbsDelta).toBeCloseTo(2 / 4, 12);
    // Disjoint distributions have JS divergence 1 bit; the second row is unchanged.
    expect(shift.meanJsDivergence).toBeCloseTo(0.5, 12);
    expect(Array.from(shift.clsShift ?? [])).toEqual([-1, 1]);
  });

  it('computes JS divergence in bits', () => {
    // p = (1/2, 1/2), q = (1, 0): m = (3/4, 1/4); JS = ½·KL(p‖m) + ½·KL(q‖m).
    const expected = 0.5 * (0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25)) + 0.5 * Math.log2(1 / 0.75);
    expect(jensenShannon([0.5, 0.5], [1, 0], 0, 2)).toBeCloseTo(expected, 12);
  });

  it('rejects a shape that does not fit', () => {
    expect(() => attentionShift([1], [1, 2], [1, 2])).toThrow(RangeError);
  });
});
