import type { TriggerContext } from './context.js';
import { cell, channelStd, median, observedCount } from './lookalike-helpers.js';

describe('look-alike helpers', () => {
  const ctx = {
    T: 3,
    C: 2,
    dataset: { manifest: { normalisation: { timeSeries: { std: [4, 0.5] } } } },
  } as unknown as TriggerContext;

  it('cell: the flat index of (stay, hour, channel)', () => {
    expect(cell(ctx, 0, 0, 0)).toBe(0);
    expect(cell(ctx, 0, 0, 1)).toBe(1);
    expect(cell(ctx, 0, 2, 1)).toBe(5);
    expect(cell(ctx, 2, 1, 0)).toBe(14);
  });

  it('channelStd: the training SD of the channel', () => {
    expect(channelStd(ctx, 1)).toBe(0.5);
  });

  it("observedCount: observed hours of one channel of one stay, every hour to the window's end", () => {
    const mask = Uint8Array.from([1, 0, 0, 1, 1, 1, /* stay 1 */ 0, 1, 0, 0, 1, 0]);
    expect(observedCount(ctx, mask, 0, 0)).toBe(2);
    expect(observedCount(ctx, mask, 0, 1)).toBe(2);
    expect(observedCount(ctx, mask, 1, 0)).toBe(1);
    expect(observedCount(ctx, mask, 1, 1)).toBe(1);
  });

  it('median: the middle value, or the mean of the two middle ones, in numeric order; NaN for none', () => {
    expect(median([])).toBeNaN();
    expect(median([3])).toBe(3);
    expect(median([10, 9, 1])).toBe(9);
    expect(median([10, 2, 9, 1])).toBe(5.5);
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('median sorts before it picks the middle', () => {
    expect(median([1, 3, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([2, -3, 1, 7, -8])).toBe(1);
  });
});
