import { assertMatrix, centredRows, covarianceOf, rowsByLabel } from './matrix.js';

describe('matrix helpers', () => {
  it('assertMatrix checks the row count a detector expects, naming both', () => {
    const m = { values: [1, 2, 3, 4], rows: 2, cols: 2 };
    expect(() => assertMatrix(m, 'attributions', 2)).not.toThrow();
    expect(() => assertMatrix(m, 'attributions')).not.toThrow();
    expect(() => assertMatrix(m, 'attributions', 3)).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: 'attributions has 2 rows but there are 3 training stays.' }),
    );
    expect(() => assertMatrix(null as never, 'attributions')).toThrow(expect.objectContaining({ code: 'E_DETECT_INPUT' }));
    expect(() => assertMatrix({ values: [1, 2], rows: 2, cols: 0 } as never, 'x')).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
    // Whole, positive dimensions whose product is the value count: 1.5 × 2 = 3 values or 2 × 0 = 0 do not make a matrix.
    for (const [rows, cols, count] of [
      [1.5, 2, 3],
      [2, 1.5, 3],
      [2, 0, 0],
      [0, 2, 0],
    ])
      expect(() => assertMatrix({ values: new Array<number>(count).fill(1), rows, cols }, 'x')).toThrow(
        expect.objectContaining({
          code: 'E_DETECT_INPUT',
          message: `x must hold rows × cols values with rows, cols ≥ 1; got ${count} values for ${rows} × ${cols}.`,
        }),
      );
    for (const values of [undefined, null, 3])
      expect(() => assertMatrix({ values, rows: 1, cols: 1 } as never, 'x')).toThrow(
        expect.objectContaining({
          code: 'E_DETECT_INPUT',
          message: 'x must hold rows × cols values with rows, cols ≥ 1; got no values for 1 × 1.',
        }),
      );
    for (const notAMatrix of [undefined, null, 'values', 3])
      expect(() => assertMatrix(notAMatrix as never, 'representations')).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message: 'representations is required ({ values, rows, cols }).' }),
      );
    expect(() => assertMatrix({ values: [1, NaN], rows: 1, cols: 2 }, 'x')).toThrow(
      expect.objectContaining({ code: 'E_DETECT_NOT_FINITE', message: 'x has a non-finite value (NaN) at row 0, column 1.' }),
    );
  });

  it('rowsByLabel groups row indices by label, labels ascending whatever their order of appearance', () => {
    const groups = rowsByLabel([1, 0, 1, 2, 0]);
    expect([...groups.keys()]).toEqual([0, 1, 2]);
    expect([...groups.values()].map((g) => Array.from(g))).toEqual([[1, 4], [0, 2], [3]]);
  });

  it('centredRows and covarianceOf give the mean, the centred copy and (1/n) XᵀX', () => {
    // Rows 1 and 2 of a 3 × 2 matrix: (1, 4) and (3, 0) → mean (2, 2), centred (−1, 2), (1, −2).
    const m = { values: [9, 9, 1, 4, 3, 0], rows: 3, cols: 2 };
    const { mean, centred } = centredRows(m, [1, 2]);
    expect(Array.from(mean)).toEqual([2, 2]);
    expect(Array.from(centred)).toEqual([-1, 2, 1, -2]);
    // (1/2) [[1 + 1, −2 − 2], [−2 − 2, 4 + 4]] = [[1, −2], [−2, 4]].
    expect(Array.from(covarianceOf(centred, 2, 2))).toEqual([1, -2, -2, 4]);
    expect(Array.from(covarianceOf(Float64Array.from([0, 3, 2, 0]), 2, 2))).toEqual([2, 0, 0, 4.5]);
  });
});
