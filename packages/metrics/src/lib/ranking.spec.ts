import fc from 'fast-check';
import { aurocOfRanking, averagePrecisionOfRanking, classTotals, rankByScore } from './ranking.js';
import { auroc } from './auroc.js';
import { averagePrecision } from './average-precision.js';

describe('weighted ranking walks (the bootstrap path)', () => {
  it('equal the unweighted metrics on the data set with each stay repeated weight times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (rows) => {
          const y = rows.map(([v]) => v);
          const p = rows.map(([, k]) => k / 12);
          const w = rows.map(([, , m]) => m);
          const expandedY = rows.flatMap(([v, , m]) => Array<number>(m).fill(v));
          const expandedP = rows.flatMap(([, k, m]) => Array<number>(m).fill(k / 12));
          const { positives, negatives } = classTotals(y, w);
          if (positives === 0 || negatives === 0) return;
          const ranking = rankByScore(p);
          expect(Math.abs(aurocOfRanking(ranking, y, w, positives, negatives) - auroc(expandedY, expandedP).value)).toBeLessThanOrEqual(
            1e-12,
          );
          expect(
            Math.abs(averagePrecisionOfRanking(ranking, y, w, positives) - averagePrecision(expandedY, expandedP).value),
          ).toBeLessThanOrEqual(1e-12);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('groups tied scores', () => {
    const ranking = rankByScore([0.2, 0.9, 0.2, 0.5]);
    expect(ranking.groups).toBe(3);
    expect(Array.from(ranking.groupStart)).toEqual([0, 1, 2, 4]);
    expect(ranking.order[0]).toBe(1);
    expect(ranking.order[1]).toBe(3);
  });
});
