import { clinicalDesignMatrix } from './clinical-design-matrix.js';

/** The design's rows as plain arrays, for readable expectations. */
function rowsOf(design: Float64Array, width: number): number[][] {
  return Array.from({ length: design.length / width }, (_, i) => Array.from(design.subarray(i * width, (i + 1) * width)));
}

describe('clinical design matrix', () => {
  it('centres each column on its median and scales by the population sd about it; a missing value sets the indicator', () => {
    // Column 0: measured 1, 3, 7 → median 3, sd √((4 + 0 + 16) / 3); column 1 constant → scaled by 1.
    const features = Float64Array.of(1, 2, 3, 2, NaN, 2, 7, 2);
    const { design, width } = clinicalDesignMatrix(features, 4, 2, undefined);
    expect(width).toBe(3);
    const sd = Math.sqrt(20 / 3);
    const rows = rowsOf(design, width);
    expect(rows[0][0]).toBeCloseTo(-2 / sd, 14);
    expect(rows[3][0]).toBeCloseTo(4 / sd, 14);
    expect(rows.map((r) => [r[0] === 0 ? 0 : 'x', r[1], r[2]])).toEqual([
      ['x', 0, 0],
      [0, 0, 0],
      [0, 0, 1],
      ['x', 0, 0],
    ]);
  });

  it('takes the upper median of an even count, reads each column on its own, and clips at ±10 sd', () => {
    // Column 0: 4, 2, 1, 3 → sorted 1 2 3 4, upper median 3, sd √((1 + 1 + 4 + 0) / 4);
    // column 1: 10, −10, 0, 0 → median 0, sd √(200 / 4).
    const features = Float64Array.of(4, 10, 2, -10, 1, 0, 3, 0);
    const { design, width } = clinicalDesignMatrix(features, 4, 2, undefined);
    expect(width).toBe(2);
    const [sd0, sd1] = [Math.sqrt(1.5), Math.sqrt(50)];
    expect(Array.from(design)).toEqual([1 / sd0, 10 / sd1, -1 / sd0, -10 / sd1, -2 / sd0, 0, 0, 0].map((v) => expect.closeTo(v, 12)));
    // Among 400 rows the same two outliers sit ≈ ±14 sd out: clipped.
    const far = new Float64Array(400);
    far[0] = 1000;
    far[1] = -1000;
    const clipped = clinicalDesignMatrix(far, 400, 1, undefined).design;
    expect([clipped[0], clipped[1], clipped[2]]).toEqual([10, -10, 0]);
  });

  it('gives one indicator per variable missing somewhere, in the order variables first appear', () => {
    // Variables a, b, a, c: b is missing first (row 0), then a (row 1, its second column); c never is.
    const features = Float64Array.of(5, NaN, 5, 5, 5, 6, Infinity, 6, 7, 7, 7, 7);
    const { design, width } = clinicalDesignMatrix(features, 3, 4, ['a', 'b', 'a', 'c']);
    expect(width).toBe(6);
    const rows = rowsOf(design, width);
    expect(rows.map((r) => r.slice(4))).toEqual([
      [0, 1],
      [1, 0],
      [0, 0],
    ]);
    // Without names every column is its own variable: columns 1 and 2 each get one, in column order.
    const own = clinicalDesignMatrix(features, 3, 4, undefined);
    expect(own.width).toBe(6);
    expect(rowsOf(own.design, own.width).map((r) => r.slice(4))).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
  });

  it('imputes a never-measured column as 0 beside its indicator', () => {
    const features = Float64Array.of(NaN, 1, NaN, 2, NaN, 3);
    const { design, width } = clinicalDesignMatrix(features, 3, 2, undefined);
    expect(width).toBe(3);
    expect(rowsOf(design, width).map((r) => [r[0], r[2]])).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(rowsOf(design, width).map((r) => r[1])).toEqual(
      [-1 / Math.sqrt(2 / 3), 0, 1 / Math.sqrt(2 / 3)].map((v) => expect.closeTo(v, 12)),
    );
  });
});
