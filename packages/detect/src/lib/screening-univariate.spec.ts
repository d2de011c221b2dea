import { empiricalTailSurprisal, eventSurprisal, poissonTailSurprisal, robustCentre, zSurprisal } from './robust-scores.js';
import { checkedTabular, summariseTimeSeries } from './screening-table.js';
import { univariate, univariateHourly } from './screening-univariate.js';

/** 40 stays: hr (mean and count columns), a 5-level gcs, a lab missing in stays 0–3. */
function table(overrides: { hr?: (i: number) => number; gcs?: (i: number) => number; count?: (i: number) => number } = {}) {
  const hr = overrides.hr ?? ((i: number) => (i === 39 ? 200 : 60 + i));
  const gcs = overrides.gcs ?? ((i: number) => (i % 5) + 1);
  const count = overrides.count ?? (() => 24);
  const values: number[] = [];
  for (let i = 0; i < 40; i++) values.push(hr(i), count(i), gcs(i), i < 4 ? NaN : 5 + (i % 7) * 0.1);
  return checkedTabular({
    view: 'tabular',
    values,
    rows: 40,
    variables: ['hr', 'hr', 'gcs', 'lab'],
    stats: ['mean', 'count', 'min', 'mean'],
  });
}
const V = 3;

describe('univariate (tabular)', () => {
  it('scores a continuous variable by the two-sided robust z of each value, on the side it lies', () => {
    const out = univariate(table());
    const hr = Float64Array.from({ length: 40 }, (_, i) => (i === 39 ? 200 : 60 + i));
    const { median, lower, upper } = robustCentre(hr);
    const z = (x: number) => (x >= median ? (x - median) / upper : (median - x) / lower);
    // hr is never missing: its missing surprisal −ln(1 − 1/80) is below every z surprisal but the median's.
    expect(out[39 * V]).toBeCloseTo(zSurprisal(z(200)), 12);
    expect(out[0 * V]).toBeCloseTo(Math.max(zSurprisal(z(60)), eventSurprisal(1, 40)), 12);
    expect(out[39 * V]).toBeGreaterThan(10);
    expect(out[0 * V]).toBeLessThan(3);
  });

  it('ignores count columns, and scores a variable of few levels by its empirical tail', () => {
    const base = univariate(table());
    expect(Array.from(univariate(table({ count: (i) => (i === 5 ? 500 : i) })))).toEqual(Array.from(base));
    const gcs = Float64Array.from({ length: 40 }, (_, i) => (i % 5) + 1);
    const tail = empiricalTailSurprisal(gcs, 3);
    for (let i = 0; i < 5; i++) expect(base[i * V + 1]).toBeCloseTo(Math.max(tail[i], eventSurprisal(1, 40)), 12);
    // The floor of the scale is a fifth of the stays, not a many-σ event.
    expect(base[0 * V + 1]).toBeCloseTo(Math.log(5), 12);
  });

  it('scores a missing variable by the rarity of its missingness, and a measured one by the rarity of being measured', () => {
    const out = univariate(table());
    for (let i = 0; i < 4; i++) expect(out[i * V + 2]).toBeCloseTo(-Math.log(0.1), 12);
    // Measured lab values are mild (7 levels: empirical tail) or −ln 0.9, whichever is larger.
    const lab = Float64Array.from({ length: 40 }, (_, i) => (i < 4 ? NaN : 5 + (i % 7) * 0.1));
    const tail = empiricalTailSurprisal(lab, robustCentre(lab).median);
    for (let i = 4; i < 40; i++) expect(out[i * V + 2]).toBeCloseTo(Math.max(tail[i], -Math.log(0.9)), 12);
  });

  it('looks for spikes only in variables of at least 30 levels', () => {
    // 188 levels once each and a spike of 12 stays at 400, far in the upper tail.
    const hr = Float64Array.from({ length: 200 }, (_, i) => (i >= 188 ? 400 : 60 + 0.5 * i));
    const out = univariate(checkedTabular({ view: 'tabular', values: hr, rows: 200, variables: ['hr'] }));
    const { median, upper } = robustCentre(hr);
    const zs = zSurprisal((400 - median) / upper);
    expect((400 - median) / upper).toBeGreaterThan(3);
    // Five distinct neighbours below, once each: −ln P(Poisson(1) ≥ 12), far above the z surprisal.
    expect(out[195]).toBeCloseTo(poissonTailSurprisal(12, 1), 9);
    expect(poissonTailSurprisal(12, 1)).toBeGreaterThan(zs + 5);
    // 29 levels: an empirical tail instead, and the spike is twelve of forty stays.
    const fewer = (i: number) => (i >= 28 ? 120 : 60 + i);
    const few = univariate(table({ hr: fewer }));
    expect(few[35 * V]).toBeCloseTo(-Math.log(12 / 40), 12);
    // 30 levels are enough for the continuous scores: no longer the empirical tail's −ln(11/40).
    const thirty = univariate(table({ hr: (i) => (i >= 29 ? 120 : 60 + i) }));
    expect(thirty[35 * V]).not.toBeCloseTo(-Math.log(11 / 40), 3);
  });

  it('counts only measured levels, and scores a measured value at least by the rarity of being measured', () => {
    // 29 measured levels and a missing stay: still a variable of few levels (its empirical tail over the
    // 39 measured stays), though the column holds 30 distinct entries with NaN.
    const gappy = univariate(table({ hr: (i) => (i === 0 ? NaN : i >= 29 ? 120 : 60 + i) }));
    expect(gappy[35 * V]).toBeCloseTo(-Math.log(11 / 39), 12);
    // 31 levels measured in 31 of 40 stays: the median stay (z = 0) scores −ln P(measured) = −ln(31/40),
    // a missing one −ln(9/40).
    const x = Float64Array.from({ length: 40 }, (_, i) => (i < 9 ? NaN : 100 + i));
    const out = univariate(checkedTabular({ view: 'tabular', values: x, rows: 40, variables: ['x'] }));
    expect(out[24]).toBeCloseTo(-Math.log(31 / 40), 12);
    for (let i = 0; i < 9; i++) expect(out[i]).toBeCloseTo(-Math.log(9 / 40), 12);
  });
});

describe('univariateHourly (time series)', () => {
  it('scores each measured hour against the channel’s hourly values, the stay by its largest', () => {
    // 40 stays × 2 hours × 1 channel; stay 7 has one hour at 300.
    const values: number[] = [];
    const mask: number[] = [];
    for (let i = 0; i < 40; i++) {
      values.push(60 + i, i === 7 ? 300 : 61 + i);
      mask.push(1, i === 3 ? 0 : 1);
    }
    const data = { view: 'timeseries' as const, values, mask, rows: 40, hours: 2, channels: ['hr'] };
    const out = univariateHourly(data, summariseTimeSeries(data));
    const observed = Float64Array.from(values.filter((_, k) => mask[k]));
    const { median, lower, upper } = robustCentre(observed);
    const z = (x: number) => (x >= median ? (x - median) / upper : (median - x) / lower);
    expect(out[7]).toBeCloseTo(Math.max(zSurprisal(z(300)), zSurprisal(z(67))), 9);
    expect(out[7]).toBeGreaterThan(10);
    expect(out[0]).toBeCloseTo(Math.max(zSurprisal(z(60)), zSurprisal(z(61)), eventSurprisal(1, 40)), 9);
    expect(out).toHaveLength(40);
  });

  it('scores each channel from its own measured hours; spikes only in channels of at least 30 levels', () => {
    // 100 stays × 2 hours × 2 channels, hour-major within a stay; a second hour is charted in some stays.
    // x: rare levels 95–99 (once each), 24 common levels 100–123, and 20 in stays 90–99 (a lower-tail
    // spike): 30 levels. y: never charted in stays 0–1, rare 55–59, 23 common levels 60–82 and the same
    // kind of spike at 10: 29 levels, so no spike score.
    const n = 100;
    const x = (i: number, t: number) =>
      t === 0 ? (i < 5 ? 95 + i : i < 90 ? 100 + (i % 24) : 20) : i >= 5 && i < 90 && i % 2 === 0 ? 100 + ((i + 7) % 24) : NaN;
    const y = (i: number, t: number) =>
      i < 2 || (t === 1 && !(i >= 7 && i < 90 && i % 3 === 0)) ? NaN : i < 7 ? 53 + i : i < 90 ? 60 + (i % 23) : 10;
    const values: number[] = [];
    const mask: number[] = [];
    for (let i = 0; i < n; i++)
      for (let t = 0; t < 2; t++)
        for (const v of [x(i, t), y(i, t)]) {
          values.push(Number.isNaN(v) ? 0 : v);
          mask.push(Number.isNaN(v) ? 0 : 1);
        }
    const data = { view: 'timeseries' as const, values, mask, rows: n, hours: 2, channels: ['x', 'y'] };
    const out = univariateHourly(data, summariseTimeSeries(data));
    expect(out).toHaveLength(n * 2);
    const charted = (f: typeof x) => Float64Array.from({ length: 2 * n }, (_, k) => f(k >> 1, k & 1)).filter((v) => !Number.isNaN(v));
    const [cx, cy] = [robustCentre(charted(x)), robustCentre(charted(y))];
    const z = (v: number, { median, lower, upper }: typeof cx) => (v >= median ? (v - median) / upper : (median - v) / lower);
    const stayScore = (f: typeof x, centre: typeof cx, i: number) =>
      Math.max(...[0, 1].map((t) => (Number.isNaN(f(i, t)) ? 0 : zSurprisal(z(f(i, t), centre)))));
    // Both spikes lie far in the lower tail; x's ten stays at 20 against neighbours charted once each
    // score −ln P(Poisson(1) ≥ 10), far above their z; y's stays at 10 keep their z.
    expect(z(20, cx)).toBeGreaterThan(3);
    expect(z(10, cy)).toBeGreaterThan(3);
    const spike = poissonTailSurprisal(10, 1);
    expect(spike).toBeGreaterThan(zSurprisal(z(20, cx)) + 5);
    expect(spike).toBeGreaterThan(zSurprisal(z(10, cy)) + 5);
    for (let i = 0; i < n; i++) {
      expect(out[i * 2]).toBeCloseTo(i >= 90 ? spike : Math.max(stayScore(x, cx, i), eventSurprisal(1, n)), 9);
      expect(out[i * 2 + 1]).toBeCloseTo(i < 2 ? -Math.log(2 / n) : Math.max(stayScore(y, cy, i), -Math.log(1 - 2 / n)), 9);
    }
  });

  it('adds the surprisal of a channel never measured in the stay', () => {
    const values = Array.from({ length: 40 }, (_, i) => 60 + i);
    const mask = values.map((_, i) => (i === 0 ? 0 : 1));
    const data = { view: 'timeseries' as const, values, mask, rows: 40, hours: 1, channels: ['hr'] };
    const out = univariateHourly(data, summariseTimeSeries(data));
    expect(out[0]).toBeCloseTo(-Math.log(1 / 40), 12);
  });
});
