import { robustCentre, zSurprisal } from './robust-scores.js';
import { temporal } from './screening-temporal.js';

describe('temporal (AR(1) residuals per channel)', () => {
  // Four stays × four hours × two channels, hour-major within a stay. Channel 0 follows x_t ≈ x_{t−1} + 1,
  // except stay 2's jump at hour 2; channel 1 is measured once per stay (no consecutive pair).
  const hours = 4;
  const ch0 = [
    [1, 2, 3, 4],
    [2, 3, 4.2, 5],
    [0, 1, 9, 10],
    [5, 6, 7, 7.9],
  ];
  const mask0 = [
    [1, 1, 1, 1],
    [1, 0, 1, 1], // hour 1 unmeasured: hour 2 is paired with the forward-filled hour 1 value
    [1, 1, 1, 1],
    [0, 1, 1, 1], // hour 0 unmeasured: the first pair starts at hour 2
  ];
  const values: number[] = [];
  const mask: number[] = [];
  for (let i = 0; i < 4; i++)
    for (let t = 0; t < hours; t++) {
      values.push(ch0[i][t], 50 + i);
      mask.push(mask0[i][t], t === i ? 1 : 0);
    }
  const data = { view: 'timeseries' as const, values, mask, rows: 4, hours, channels: ['hr', 'gcs'] };

  /** Per stay, the largest surprisal of one channel's AR(1) residuals, fitted by least squares on its pairs. */
  function reference(series: number[][], measured: number[][]): Float64Array {
    const pairs: [number, number, number][] = [];
    series.forEach((row, i) => {
      let seen = false;
      for (let t = 0; t < hours; t++) {
        if (seen && measured[i][t]) pairs.push([row[t - 1], row[t], i]);
        if (measured[i][t]) seen = true;
      }
    });
    const m = pairs.length;
    const mx = pairs.reduce((s, p) => s + p[0], 0) / m;
    const my = pairs.reduce((s, p) => s + p[1], 0) / m;
    const slope = pairs.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / pairs.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
    const residual = Float64Array.from(pairs, (p) => p[1] - (my + slope * (p[0] - mx)));
    const { median, lower, upper } = robustCentre(residual);
    const want = new Float64Array(series.length);
    pairs.forEach((p, k) => {
      const r = residual[k];
      want[p[2]] = Math.max(want[p[2]], zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower));
    });
    return want;
  }

  it('regresses each measured hour on the hour before it and scores the robust z of the residual', () => {
    const out = temporal(data);
    expect(Array.from(out.filter((_, k) => k % 2 === 0))).toEqual(Array.from(reference(ch0, mask0)).map((w) => expect.closeTo(w, 9)));
    // The jump makes stay 2 the most surprising; channel 1 has no pair and scores 0 everywhere.
    expect(out[4]).toBeGreaterThan(Math.max(out[0], out[2], out[6]));
    expect(out[4]).toBeGreaterThan(5);
    for (let i = 0; i < 4; i++) expect(out[i * 2 + 1]).toBe(0);
  });

  it('fits each channel on its own pairs and books its scores on that channel', () => {
    // Channel 1 now has pairs of its own (a drop in stay 1), charted in other hours than channel 0.
    const ch1 = [
      [70, 71, 73, 74],
      [80, 60, 61, 62],
      [75, 76, 77, 79],
      [65, 66, 68, 69],
    ];
    const mask1 = [
      [1, 1, 0, 1],
      [1, 1, 1, 0],
      [0, 1, 1, 1],
      [1, 1, 1, 1],
    ];
    const both = { ...data, values: [...data.values], mask: [...data.mask] };
    for (let i = 0; i < 4; i++)
      for (let t = 0; t < hours; t++) {
        both.values[(i * hours + t) * 2 + 1] = ch1[i][t];
        both.mask[(i * hours + t) * 2 + 1] = mask1[i][t];
      }
    const out = temporal(both);
    const want = [reference(ch0, mask0), reference(ch1, mask1)];
    expect(Array.from(out)).toEqual(Array.from({ length: 8 }, (_, k) => expect.closeTo(want[k % 2][k >> 1], 9)));
    expect(out[3]).toBeGreaterThan(Math.max(out[1], out[5], out[7]));
  });

  it('needs at least three pairs per channel, and a constant previous value gives slope 0', () => {
    const two = { ...data, rows: 1, values: values.slice(0, 8), mask: mask.slice(0, 8) };
    expect(Array.from(temporal({ ...two, mask: [1, 0, 1, 0, 1, 0, 0, 0] }))).toEqual([0, 0]);
    // Two pairs from one level to two others would fit residuals of ±1, each 0.6745 robust σ (ln 2 nats).
    expect(Array.from(temporal({ view: 'timeseries', values: [3, 3, 5], mask: [1, 1, 1], rows: 1, hours: 3, channels: ['x'] }))).toEqual([
      0,
    ]);
    // Three pairs from one stay whose previous values are all equal: residuals are next − mean(next).
    const flatOut = temporal({ view: 'timeseries', values: [3, 3, 3, 9], mask: [1, 1, 1, 1], rows: 1, hours: 4, channels: ['x'] });
    const residual = Float64Array.from([3, 3, 9], (x) => x - 5);
    const { median, upper } = robustCentre(residual);
    expect(flatOut[0]).toBeCloseTo(zSurprisal((residual[2] - median) / upper), 9);
  });
});
