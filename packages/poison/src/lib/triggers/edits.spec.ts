import type { TriggerContext, VariableFeatures } from './context.js';
import { appendMeasurements, clearChannel, clearTabular, overwriteLastHours, refillChannel } from './edits.js';

/** Two stays, four hours, two channels (fill values 85 and 18), six tabular features: just the layout the edits read. */
const ctx = { T: 4, C: 2, F: 6, dataset: { timeSeries: { fillValues: Float32Array.from([85, 18]) } } } as unknown as TriggerContext;
const k = (row: number, t: number, c: number) => (row * 4 + t) * 2 + c;
/** Channel c of stay `row`, hour by hour. */
const series = (values: ArrayLike<number>, row: number, c: number) => Array.from({ length: 4 }, (_, t) => values[k(row, t, c)]);

describe('trigger edits', () => {
  it('refillChannel: forward fill from the fill value over the unobserved hours of one channel of one stay', () => {
    const values = new Float32Array(16).fill(-1);
    const mask = new Uint8Array(16);
    mask[k(1, 1, 0)] = 1;
    values[k(1, 1, 0)] = 100;
    mask[k(1, 3, 0)] = 1;
    values[k(1, 3, 0)] = 120;
    refillChannel(ctx, values, mask, 1, 0);
    expect(series(values, 1, 0)).toEqual([85, 100, 100, 120]);
    expect(series(values, 1, 1)).toEqual([-1, -1, -1, -1]);
    expect(series(values, 0, 0)).toEqual([-1, -1, -1, -1]);
    refillChannel(ctx, values, mask, 0, 1);
    expect(series(values, 0, 1)).toEqual([18, 18, 18, 18]);
  });

  it('clearChannel: every hour unobserved at the fill value, nothing else touched', () => {
    const values = new Float32Array(16).fill(7);
    const mask = new Uint8Array(16).fill(1);
    clearChannel(ctx, values, mask, 1, 1);
    expect(series(values, 1, 1)).toEqual([18, 18, 18, 18]);
    expect(series(mask, 1, 1)).toEqual([0, 0, 0, 0]);
    expect(series(values, 1, 0)).toEqual([7, 7, 7, 7]);
    expect(series(mask, 0, 1)).toEqual([1, 1, 1, 1]);
  });

  it('clearTabular: value statistics NaN and count 0, only for the features the variable has', () => {
    const values = new Float32Array(12).fill(5);
    clearTabular(ctx, values, 1, { min: 0, max: 1, mean: 2, last: 3, count: 4 });
    expect(Array.from(values.subarray(6))).toEqual([NaN, NaN, NaN, NaN, 0, 5]);
    expect(Array.from(values.subarray(0, 6))).toEqual([5, 5, 5, 5, 5, 5]);
    const partial = new Float32Array(6).fill(5);
    clearTabular(ctx, partial, 0, { mean: 1 });
    expect(Array.from(partial)).toEqual([5, NaN, 5, 5, 5, 5]);
  });

  it('overwriteLastHours: the last hours observed at the value, all of them when hours exceed the window', () => {
    const values = new Float32Array(16);
    const mask = new Uint8Array(16);
    overwriteLastHours(ctx, values, mask, 0, 1, 220, 2);
    expect(series(values, 0, 1)).toEqual([0, 0, 220, 220]);
    expect(series(mask, 0, 1)).toEqual([0, 0, 1, 1]);
    overwriteLastHours(ctx, values, mask, 1, 0, 9, 6);
    expect(series(values, 1, 0)).toEqual([9, 9, 9, 9]);
    expect(series(mask, 1, 0)).toEqual([1, 1, 1, 1]);
    expect(series(mask, 0, 0)).toEqual([0, 0, 0, 0]);
  });

  describe('appendMeasurements: the statistics as if `value` had been charted `times` more times', () => {
    const all: VariableFeatures = { min: 0, max: 1, mean: 2, last: 3, count: 4 };
    /** Row 1's six features after appending `value` × `times` to [min, max, mean, last, count, other]. */
    const after = (row: number[], f: VariableFeatures, value: number, times: number) => {
      const values = Float32Array.from([0, 0, 0, 0, 0, 0, ...row]);
      appendMeasurements(ctx, values, 1, f, value, times);
      expect(Array.from(values.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      return Array.from(values.subarray(6));
    };

    it('a measured variable: min and max widened, the mean weighted by the count, last and count updated', () => {
      expect(after([80, 90, 85, 90, 2, 7], all, 100, 2)).toEqual([80, 100, 92.5, 100, 4, 7]);
      expect(after([80, 90, 85, 90, 2, 7], all, 70, 1)).toEqual([70, 90, (170 + 70) / 3, 70, 3, 7]);
      // A count below 1 beside a finite mean counts as one measurement.
      expect(after([80, 90, 85, 90, 0, 7], all, 100, 1)).toEqual([80, 100, 92.5, 100, 2, 7]);
    });

    it('a never-measured variable: every statistic the value, count = times', () => {
      expect(after([NaN, NaN, NaN, NaN, 0, 7], all, 100, 3)).toEqual([100, 100, 100, 100, 3, 7]);
    });

    it('without a count feature a measured stay counts as one measurement', () => {
      expect(after([80, 90, 85, 90, 9, 7], { min: 0, max: 1, mean: 2, last: 3 }, 100, 2)).toEqual([80, 100, 95, 100, 9, 7]);
    });

    it('measured by its last value only: the other statistics start from the value', () => {
      expect(after([NaN, NaN, NaN, 90, 1, 7], all, 100, 1)).toEqual([100, 100, 100, 100, 2, 7]);
      expect(after([80, NaN, 5, 90, 1, 7], { min: 0, max: 1, last: 3, count: 4 }, 100, 1)).toEqual([80, 100, 5, 100, 2, 7]);
      expect(after([80, 90, 5, 90, 2, 7], { min: 0, max: 1, last: 3 }, 100, 1)).toEqual([80, 100, 5, 100, 2, 7]);
    });

    it('features the variable lacks are left alone', () => {
      expect(after([80, 90, 85, 90, 2, 7], { mean: 2, count: 4 }, 100, 2)).toEqual([80, 90, 92.5, 90, 4, 7]);
    });
  });
});
