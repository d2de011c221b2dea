import { checkedTabular, columnOf, missingness, summariseTimeSeries } from './screening-table.js';

describe('checkedTabular', () => {
  it('groups columns by variable in first-seen order and marks count columns', () => {
    const table = checkedTabular({
      view: 'tabular',
      values: [1, 2, NaN, 0, 5, NaN, 7, 3],
      rows: 2,
      variables: ['hr', 'sbp', 'hr', 'sbp'],
      stats: ['mean', 'mean', 'max', 'count'],
    });
    expect(table).toMatchObject({ n: 2, F: 4, variableNames: ['hr', 'sbp'] });
    expect(Array.from(table.variableOf)).toEqual([0, 1, 0, 1]);
    expect(Array.from(table.isCount)).toEqual([0, 0, 0, 1]);
    expect(table.values).toBeInstanceOf(Float64Array);
    expect(Array.from(table.values)).toEqual([1, 2, NaN, 0, 5, NaN, 7, 3]);
    expect(Array.from(checkedTabular({ view: 'tabular', values: [1, 2], rows: 1, variables: ['a', 'b'] }).isCount)).toEqual([0, 0]);
  });

  it('names the shape it needed', () => {
    expect(() => checkedTabular({ view: 'tabular', values: [1, 2, 3], rows: 2, variables: ['a', 'b'] })).toThrow(
      expect.objectContaining({
        code: 'E_DETECT_INPUT',
        message: 'input_screening: tabular data must hold rows × variables.length values; got 3 for 2 × 2.',
      }),
    );
    expect(() => checkedTabular({ view: 'tabular', values: [], rows: 0, variables: [] })).toThrow(/got 0 for 0 × 0/);
    expect(() => checkedTabular({ view: 'tabular', values: [1, 2], rows: 1, variables: ['a', 'b'], stats: ['mean'] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: 'input_screening: stats has 1 entries for 2 columns.' }),
    );
  });
});

describe('summariseTimeSeries', () => {
  it('gives per channel the mean, min, max and last measured value and the count; NaN when never measured', () => {
    // Two stays, three hours, two channels; values are hour-major within a stay.
    const values = [10, 1, 30, 2, 20, 3, 5, 7, 5, 7, 5, 7];
    const mask = [1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    const table = summariseTimeSeries({ view: 'timeseries', values, mask, rows: 2, hours: 3, channels: ['hr', 'lactate'] });
    expect(table).toMatchObject({ n: 2, F: 10, variableNames: ['hr', 'lactate'] });
    expect(Array.from(table.values.subarray(0, 5))).toEqual([20, 10, 30, 20, 3]);
    expect(Array.from(table.values.subarray(5, 10))).toEqual([2, 2, 2, 2, 1]);
    expect(Array.from(table.values.subarray(10, 20))).toEqual([NaN, NaN, NaN, NaN, 0, NaN, NaN, NaN, NaN, 0]);
    expect(Array.from(table.variableOf)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(table.isCount)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    // The last measured hour, not the last hour: 20 at hour 2 for hr, 2 at hour 1 for lactate.
    const late = summariseTimeSeries({ view: 'timeseries', values: [-4, 9], mask: [1, 1], rows: 1, hours: 2, channels: ['x'] });
    expect(Array.from(late.values)).toEqual([2.5, -4, 9, 9, 2]);
    // Each stay and channel reads its own hours: two stays × two hours × two channels charted in turn.
    const turns = summariseTimeSeries({
      view: 'timeseries',
      values: [1, 10, 2, 20, 3, 30, 4, 40],
      mask: [1, 0, 0, 1, 0, 1, 1, 1],
      rows: 2,
      hours: 2,
      channels: ['a', 'b'],
    });
    expect(Array.from(turns.values)).toEqual([1, 1, 1, 1, 1, 20, 20, 20, 20, 1, 4, 4, 4, 4, 1, 35, 30, 40, 40, 2]);
  });

  it('names the shape it needed', () => {
    const base = { view: 'timeseries' as const, values: [1, 2], mask: [1, 1], rows: 1, hours: 2, channels: ['x'] };
    expect(() => summariseTimeSeries({ ...base, mask: [1] })).toThrow(
      expect.objectContaining({
        code: 'E_DETECT_INPUT',
        message: 'input_screening: time-series data must hold rows × hours × channels values and mask entries; got 2 and 1 for 1 × 2 × 1.',
      }),
    );
    expect(() => summariseTimeSeries({ ...base, values: [1] })).toThrow(/got 1 and 2 for 1 × 2 × 1/);
    expect(() => summariseTimeSeries({ ...base, channels: [], values: [], mask: [] })).toThrow(/for 1 × 2 × 0/);
    expect(() => summariseTimeSeries({ ...base, hours: 0, values: [], mask: [] })).toThrow(/for 1 × 0 × 1/);
    expect(() => summariseTimeSeries({ ...base, hours: 1.5, rows: 2, values: [1, 2, 3], mask: [1, 1, 1] })).toThrow(/for 2 × 1.5 × 1/);
  });
});

describe('columnOf and missingness', () => {
  const table = checkedTabular({
    view: 'tabular',
    // Three stays × (hr mean, hr count, sbp mean, sbp max).
    values: [80, 4, NaN, NaN, NaN, 0, NaN, NaN, 90, 2, 120, NaN],
    rows: 3,
    variables: ['hr', 'hr', 'sbp', 'sbp'],
    stats: ['mean', 'count', 'mean', 'max'],
  });

  it('reads one column', () => {
    expect(Array.from(columnOf(table, 0))).toEqual([80, NaN, 90]);
    expect(Array.from(columnOf(table, 1))).toEqual([4, 0, 2]);
  });

  it('calls a variable missing when every non-count column is NaN, and gives each variable’s missing share', () => {
    const { missing, share } = missingness(table);
    expect(Array.from(missing)).toEqual([0, 1, 1, 1, 0, 0]);
    expect(share[0]).toBeCloseTo(1 / 3, 12);
    expect(share[1]).toBeCloseTo(2 / 3, 12);
    expect(share).toHaveLength(2);
  });
});
