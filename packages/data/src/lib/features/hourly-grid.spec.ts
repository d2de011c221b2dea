import { createHourlyGrid, forwardFill, median, observedMedians, setObserved } from './hourly-grid.js';

describe('hourly grid', () => {
  it('forward-fills within a stay and uses the fill value before the first observation', () => {
    // 2 stays × 4 hours × 2 channels.
    const grid = createHourlyGrid(2, 4, 2);
    setObserved(grid, 0, 1, 0, 80);
    setObserved(grid, 0, 3, 0, 90);
    setObserved(grid, 1, 0, 1, 37);
    forwardFill(grid, [70, 36.5]);
    const at = (i: number, t: number, c: number) => grid.values[(i * 4 + t) * 2 + c];
    expect([0, 1, 2, 3].map((t) => at(0, t, 0))).toEqual([70, 80, 80, 90]);
    expect([0, 1, 2, 3].map((t) => at(0, t, 1))).toEqual([36.5, 36.5, 36.5, 36.5]);
    // Stay 1 never saw channel 0: stay 0's values do not leak into it.
    expect([0, 1, 2, 3].map((t) => at(1, t, 0))).toEqual([70, 70, 70, 70]);
    expect([0, 1, 2, 3].map((t) => at(1, t, 1))).toEqual([37, 37, 37, 37]);
    expect(Array.from(grid.mask)).toEqual([0, 0, 1, 0, 0, 0, 1, 0, /* stay 1 */ 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('takes fill values from the included (training) stays only', () => {
    const grid = createHourlyGrid(3, 2, 1);
    setObserved(grid, 0, 0, 0, 1);
    setObserved(grid, 0, 1, 0, 5);
    setObserved(grid, 1, 0, 0, 3);
    setObserved(grid, 2, 0, 0, 1000); // a validation stay: must not move the median
    expect(Array.from(observedMedians(grid, (i) => i < 2))).toEqual([3]);
    expect(Number.isNaN(observedMedians(grid, () => false)[0])).toBe(true);
  });

  it('median averages the two middle values of an even count', () => {
    expect(median(Float32Array.from([4, 1, 3, 2]))).toBe(2.5);
    expect(median(Float32Array.from([7]))).toBe(7);
    expect(Number.isNaN(median(new Float32Array(0)))).toBe(true);
  });
});
