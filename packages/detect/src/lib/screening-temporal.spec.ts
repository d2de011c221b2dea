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

  it('regresses each measured hour on the hour before it and scores the robust z of the residual', () => {
    const pairs: [number, number, number][] = [];
    for (let i = 0; i < 4; i++) {
      let seen = false;
      for (let t = 0; t < hours; t++) {
        if (seen && mask0[i][t]) pairs.push([ch0[i][t - 1], ch0[i][t], i]);
        if (mask0[i][t]) seen = true;
      }
    }
    expect(pairs).toHaveLength(3 + 2 + 3 + 2);
    const m = pairs.length;
    const mx = pairs.reduce((s, p) => s + p[0], 0) / m;
    const my = pairs.reduce((s, p) => s + p[1], 0) / m;
    const slope = pairs.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / pairs.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
    const residual = Float64Array.from(pairs, (p) => p[1] - (my + slope * (p[0] - mx)));
    const { median, lower, upper } = robustCentre(residual);
    const want = new Float64Array(8);
    pairs.forEach((p, k) => {
      const r = residual[k];
      const s = zSurprisal(r >= median ? (r - median) / upper : (median - r) / lower);
      want[p[2] * 2] = Math.max(want[p[2] * 2], s);
    });
    const out = temporal(data);
    Array.from(want).forEach((w, k) => expect(out[k]).toBeCloseTo(w, 9));
    // The jump makes stay 2 the most surprising; channel 1 has no pair and scores 0 everywhere.
    expect(out[4]).toBeGreaterThan(Math.max(out[0], out[2], out[6]));
    expect(out[4]).toBeGreaterThan(5);
    for (let i = 0; i < 4; i++) expect(out[i * 2 + 1]).toBe(0);
  });

  it('needs at least three pairs per channel, and a constant previous value gives slope 0', () => {
    const two = { ...data, rows: 1, values: values.slice(0, 8), mask: mask.slice(0, 8) };
    expect(Array.from(temporal({ ...two, mask: [1, 0, 1, 0, 1, 0, 0, 0] }))).toEqual([0, 0]);
    // Three pairs from one stay whose previous values are all equal: residuals are next − mean(next).
    const flatOut = temporal({ view: 'timeseries', values: [3, 3, 3, 9], mask: [1, 1, 1, 1], rows: 1, hours: 4, channels: ['x'] });
    const residual = Float64Array.from([3, 3, 9], (x) => x - 5);
    const { median, upper } = robustCentre(residual);
    expect(flatOut[0]).toBeCloseTo(zSurprisal((residual[2] - median) / upper), 9);
  });
});
