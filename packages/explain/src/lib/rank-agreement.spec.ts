import fc from 'fast-check';
import { kendallTauB, topKIndices, topKOverlap } from './rank-agreement.js';

/** The definition, pair by pair. */
function bruteTauB(x: number[], y: number[]): number {
  let concordant = 0;
  let discordant = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const s = Math.sign(x[i] - x[j]) * Math.sign(y[i] - y[j]);
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
      else if (x[i] === x[j] && y[i] !== y[j]) tx++;
      else if (y[i] === y[j] && x[i] !== x[j]) ty++;
    }
  return (concordant - discordant) / Math.sqrt((concordant + discordant + tx) * (concordant + discordant + ty));
}

describe('kendallTauB', () => {
  it('is 1 for the same order, −1 for the reversed order', () => {
    expect(kendallTauB([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTauB([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('counts ties as τ-b on a hand case', () => {
    // 7 concordant, 1 discordant, one pair tied in x only, one in y only: 6 / √(9 · 9).
    expect(kendallTauB([1, 2, 2, 3, 4], [1, 3, 2, 2, 5])).toBeCloseTo(2 / 3, 12);
  });

  it('is NaN when a ranking is constant', () => {
    expect(kendallTauB([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(kendallTauB([1], [1])).toBeNaN();
  });

  it('equals the pairwise definition, ties included (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 40 })
          .chain((n) =>
            fc.tuple(
              fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
              fc.array(fc.integer({ min: 0, max: 5 }), { minLength: n, maxLength: n }),
            ),
          ),
        ([x, y]) => {
          const fast = kendallTauB(x, y);
          const slow = bruteTauB(x, y);
          return Number.isNaN(slow) ? Number.isNaN(fast) : Math.abs(fast - slow) < 1e-12;
        },
      ),
    );
  });
});

describe('top-k', () => {
  it('ranks by value and breaks ties by index', () => {
    expect(topKIndices([0.1, 0.5, 0.5, 0.2], 3)).toEqual([1, 2, 3]);
  });

  it('measures the shared share of the top-k sets', () => {
    expect(topKOverlap([5, 4, 3, 2, 1], [1, 2, 3, 4, 5], 2)).toBe(0);
    expect(topKOverlap([5, 4, 3, 2, 1], [4, 5, 0, 0, 0], 2)).toBe(1);
    expect(topKOverlap([5, 4, 3, 2, 1], [5, 0, 4.5, 0, 0], 2)).toBe(0.5);
    expect(topKOverlap([1, 2], [2, 1], 10)).toBe(1);
  });
});
