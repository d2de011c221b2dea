import fc from 'fast-check';
import { validationAuroc as auroc } from './auroc.js';

describe('validationAuroc', () => {
  it('matches hand-computed cases', () => {
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]).value).toBeCloseTo(0.75, 12);
    expect(auroc([1, 2, 3], [0, 1, 1]).value).toBe(1);
    expect(auroc([3, 2, 1], [0, 1, 1]).value).toBe(0);
    // Ties between classes count one half.
    expect(auroc([0.5, 0.5], [0, 1]).value).toBe(0.5);
  });

  it('is NaN with a reason for one class', () => {
    const r = auroc([0.1, 0.2], [1, 1]);
    expect(r.value).toBeNaN();
    expect(r.reason).toMatch(/both classes/);
  });

  it('equals the pairwise definition', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (pairs) => {
        const s = pairs.map((p) => p[0]);
        const y = pairs.map((p) => (p[1] ? 1 : 0));
        let num = 0;
        let den = 0;
        for (let i = 0; i < s.length; i++)
          for (let j = 0; j < s.length; j++)
            if (y[i] === 1 && y[j] === 0) {
              den++;
              num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
            }
        const r = auroc(s, y).value;
        if (den === 0) expect(r).toBeNaN();
        else expect(r).toBeCloseTo(num / den, 12);
      }),
    );
  });
});
