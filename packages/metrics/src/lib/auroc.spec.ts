import fc from 'fast-check';
import { auroc } from './auroc.js';
import { WARNING } from './result.js';

/** Mann–Whitney by brute force: the share of (positive, negative) pairs ranked right, ties counting ½. */
function pairwiseAuroc(y: number[], p: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += p[i]! > p[j]! ? 1 : p[i] === p[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Labels with both classes and scores on a grid of 101 values, so that ties are frequent. */
const gridCase = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 100 })), { minLength: 2, maxLength: 60 })
  .filter((rows) => rows.some(([y]) => y === 1) && rows.some(([y]) => y === 0))
  .map((rows) => ({ y: rows.map(([y]) => y), k: rows.map(([, k]) => k) }));

describe('auroc', () => {
  it('matches the scikit-learn documentation example', () => {
    // Pairs (pos, neg): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4.
    expect(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual({ value: 0.75 });
  });

  it('counts a tied (positive, negative) pair as one half', () => {
    // Positives 0.5 and 0.9, negatives 0.5 and 0.2: 0.5 vs 0.5 → ½, 0.5 vs 0.2 → 1, 0.9 vs both → 2;
    // (½ + 1 + 2) / 4 = 0.875.
    expect(auroc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]).value).toBe(0.875);
    // Every score equal: every pair tied → ½.
    expect(auroc([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]).value).toBe(0.5);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auroc([0, 0, 1], [0.1, 0.2, 0.3]).value).toBe(1);
    expect(auroc([1, 1, 0], [0.1, 0.2, 0.3]).value).toBe(0);
  });

  it('accepts typed arrays', () => {
    expect(auroc(Uint8Array.from([0, 0, 1, 1]), Float32Array.from([0.1, 0.4, 0.35, 0.8])).value).toBe(0.75);
  });

  it('is NaN with a reason for one class or an empty set', () => {
    const one = auroc([1, 1, 1], [0.2, 0.5, 0.9]);
    expect(one.value).toBeNaN();
    expect(one.code).toBe(WARNING.oneClass);
    expect(one.reason).toMatch(/all 3 stays are positive/);
    expect(auroc([0, 0], [0.2, 0.5]).reason).toMatch(/all 2 stays are negative/);
    const empty = auroc([], []);
    expect(empty.value).toBeNaN();
    expect(empty.code).toBe(WARNING.empty);
    expect(one.reason).toBe('AUROC is undefined: all 3 stays are positive, and a ranking metric needs both classes.');
    expect(empty.reason).toBe('AUROC is undefined on an empty set.');
  });

  it('equals the pairwise Mann–Whitney count', () => {
    fc.assert(
      fc.property(gridCase, ({ y, k }) => {
        const p = k.map((v) => v / 100);
        expect(Math.abs(auroc(y, p).value - pairwiseAuroc(y, p))).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('is invariant under strictly increasing transforms of the scores', () => {
    fc.assert(
      fc.property(
        gridCase,
        fc.constantFrom(
          (x: number) => x ** 3,
          Math.sqrt,
          (x: number) => 0.2 + 0.5 * x,
          (x: number) => Math.exp(x) / Math.E,
        ),
        ({ y, k }, f) => {
          const p = k.map((v) => v / 100);
          expect(Math.abs(auroc(y, p.map(f)).value - auroc(y, p).value)).toBeLessThanOrEqual(1e-12);
        },
      ),
    );
  });

  it('satisfies AUROC(1 − p) = 1 − AUROC(p)', () => {
    fc.assert(
      fc.property(gridCase, ({ y, k }) => {
        const p = k.map((v) => v / 100);
        const flipped = k.map((v) => (100 - v) / 100);
        expect(Math.abs(auroc(y, flipped).value - (1 - auroc(y, p).value))).toBeLessThanOrEqual(1e-12);
      }),
    );
  });
});
