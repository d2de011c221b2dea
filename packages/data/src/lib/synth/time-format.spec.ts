import { DAY, HOUR, TimeFormatter, minute, second } from './time-format.js';

describe('TimeFormatter', () => {
  it("writes MIMIC's timestamp format, truncated to the minute unless seconds are asked for", () => {
    const time = Date.UTC(2153, 1, 28, 23, 5, 59, 999);
    const format = new TimeFormatter();
    expect(format.format(time)).toBe('2153-02-28 23:05:00');
    expect(format.format(time, true)).toBe('2153-02-28 23:05:59');
    expect(format.date(time)).toBe('2153-02-28');
  });

  it('gives the same text whatever day it formatted before (the per-day memo is invisible)', () => {
    const times = [Date.UTC(2110, 0, 1), Date.UTC(2110, 0, 1, 13, 7), Date.UTC(2210, 11, 31, 23, 59), Date.UTC(2112, 1, 29, 0, 1), Date.UTC(2110, 0, 1, 1)];
    const shared = new TimeFormatter();
    for (const time of [...times, ...times.reverse()]) expect(shared.format(time, true)).toBe(new TimeFormatter().format(time, true));
    expect(new Date(`${shared.format(Date.UTC(2112, 1, 29, 0, 1)).replace(' ', 'T')}Z`).getTime()).toBe(Date.UTC(2112, 1, 29, 0, 1));
  });
});

describe('second and minute', () => {
  it('truncate to their resolution', () => {
    const time = Date.UTC(2150, 5, 1, 10, 30, 45, 500);
    expect(second(time)).toBe(Date.UTC(2150, 5, 1, 10, 30, 45));
    expect(minute(time)).toBe(Date.UTC(2150, 5, 1, 10, 30));
    expect(DAY).toBe(24 * HOUR);
  });
});
