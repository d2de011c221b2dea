import { flagCount, topScoring } from './types.js';

describe('flagCount', () => {
  it('is round(factor · ε), at least 0 and at most the stays available', () => {
    expect(flagCount(10, 1.5, 100)).toBe(15);
    expect(flagCount(3, 1.5, 100)).toBe(5); // 4.5 rounds up
    expect(flagCount(10, 1.5, 8)).toBe(8);
    expect(flagCount(0, 1.5, 8)).toBe(0);
    expect(flagCount(-2, 1, 8)).toBe(0);
  });
});

describe('topScoring', () => {
  it('takes the highest scores among the rows, NaN last, ties to the lower index', () => {
    const scores = Float64Array.from([0.5, NaN, 0.9, 0.5, 0.1, 0.9]);
    expect(topScoring(scores, [0, 1, 2, 3, 4, 5], 3)).toEqual([2, 5, 0]);
    expect(topScoring(scores, [1, 4, 3], 2)).toEqual([3, 4]);
    expect(topScoring(scores, [1, 4], 2)).toEqual([4, 1]);
    expect(topScoring(scores, [5, 4, 3, 2, 1, 0], 0)).toEqual([]);
    // Ties to the lower index whatever order the rows come in.
    expect(topScoring(scores, [5, 4, 3, 2, 1, 0], 4)).toEqual([2, 5, 0, 3]);
    expect(topScoring(new Float64Array(4), [3, 2, 1, 0], 2)).toEqual([0, 1]);
  });
});
