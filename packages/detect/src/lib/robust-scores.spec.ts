import {
  empiricalTailSurprisal,
  eventSurprisal,
  logScaled,
  poissonTailSurprisal,
  robustCentre,
  screeningScale,
  spikeSurprisal,
  zSurprisal,
} from './robust-scores.js';

describe('robustCentre', () => {
  it('gives the median and, per side, the larger of 1.4826 × MAD and 1.2533 × mean deviation', () => {
    const centre = robustCentre(Float64Array.from([100, 3, NaN, 1, 4, 2, Infinity]));
    expect(centre.median).toBe(3);
    expect(centre.lower).toBeCloseTo(1.4826, 12); // deviations 0, 1, 2: MAD 1 beats mean 1 × 1.2533
    expect(centre.upper).toBeCloseTo((1.2533 * 98) / 3, 12); // deviations 0, 1, 97: the mean wins
    const discrete = robustCentre(Float64Array.from([5, 5, 5, 5, 6]));
    expect(discrete.upper).toBeCloseTo(1.2533 * 0.2, 12);
    expect(discrete.lower).toBeCloseTo(6e-9, 20); // a floor relative to the median, never 0
    expect(robustCentre(Float64Array.from([0, 0, 0])).lower).toBeCloseTo(1e-9, 20);
    expect(robustCentre(Float64Array.from([-4, -4])).upper).toBeCloseTo(5e-9, 20);
    expect(robustCentre(Float64Array.from([NaN]))).toEqual({ median: NaN, lower: NaN, upper: NaN });
    expect(robustCentre(new Float64Array(0)).median).toBeNaN();
  });
});

describe('logScaled and screeningScale', () => {
  it('log-scales a positive, right-skewed column only', () => {
    const skewed = Float64Array.from({ length: 20 }, (_, i) => Math.exp(0.2 * i) + (i === 19 ? 200 : 0));
    expect(logScaled(skewed)).toBe(true);
    expect(Array.from(screeningScale(skewed))).toEqual(Array.from(skewed, Math.log));
    const even = Float64Array.from({ length: 20 }, (_, i) => i + 1);
    expect(logScaled(even)).toBe(false);
    expect(screeningScale(even)).toBe(even);
    expect(logScaled(Float64Array.from([0, ...skewed]))).toBe(false);
    expect(logScaled(Float64Array.from([-1, ...skewed]))).toBe(false);
    expect(logScaled(Float64Array.from([1, 2, 100]))).toBe(false); // fewer than 4 values
    expect(logScaled(Float64Array.from([1, 2, 100, 1000]))).toBe(true);
    expect(logScaled(Float64Array.from([NaN, 1, 2, 100]))).toBe(false);
    expect(logScaled(Float64Array.from([2, 2, 2, 2, 9]))).toBe(false); // q05 = q50
    // Order does not matter: the quantiles and the smallest value are those of the sorted values.
    expect(logScaled(Float64Array.from(skewed).reverse())).toBe(true);
    expect(logScaled(Float64Array.from([1000, 1, 100, 2]))).toBe(true);
    expect(logScaled(Float64Array.from([5, 300, -1, 4, 8, 2]))).toBe(false);
  });

  it('needs the upper span to exceed 1.5 times the lower one', () => {
    const at = (top: number) => Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, top]);
    // With 11 values q05 = 1.5, q50 = 6, q95 = 10 + 0.5 (top − 10): ratio (4 + 0.5 (top − 10)) / 4.5.
    expect(logScaled(at(15.5))).toBe(false); // ratio exactly 1.5
    expect(logScaled(at(15.6))).toBe(true);
    expect(logScaled(at(13))).toBe(false);
    expect(logScaled(at(14))).toBe(false); // ratio (4 + 2) / 4.5 = 1.33
    expect(logScaled(at(16))).toBe(true); // ratio (4 + 3) / 4.5 = 1.56
  });
});

describe('poissonTailSurprisal and zSurprisal', () => {
  // References: −scipy.stats.poisson.logsf(k − 1, λ) and −ln(2 · norm.sf(|z|)).
  it('agree with scipy', () => {
    const cases: [number, number, number][] = [
      [1, 1, 0.45867514538708193],
      [3, 1, 2.5219682600314],
      [10, 2.5, 8.19022275922605],
      [50, 3, 96.4866026515842],
      [5, 5, 0.5806997496314208],
    ];
    for (const [k, lambda, want] of cases) expect(poissonTailSurprisal(k, lambda)).toBeCloseTo(want, 9);
    // Counts at or below the expected one, with λ far above k: the terms rise to the mode before they
    // fall, over hundreds of terms (scipy: 0, 0, 0.6847718632903101, 6.945841014365211).
    expect(poissonTailSurprisal(1, 500)).toBeCloseTo(0, 12);
    expect(poissonTailSurprisal(50, 300)).toBeCloseTo(0, 12);
    expect(poissonTailSurprisal(1000, 1000)).toBeCloseTo(0.6847718632903101, 9);
    expect(poissonTailSurprisal(1100, 1000)).toBeCloseTo(6.945841014365211, 9);
    expect(poissonTailSurprisal(3, 0)).toBeNaN();
    expect(poissonTailSurprisal(3, NaN)).toBeNaN();
    expect(poissonTailSurprisal(3, Infinity)).toBeNaN();
    expect(poissonTailSurprisal(NaN, 3)).toBeNaN();
    expect(poissonTailSurprisal(Infinity, 3)).toBeNaN();
    for (const lambda of [0.3, 1, 2.5, 3, 7, 40, 250]) expect(poissonTailSurprisal(0, lambda)).toBe(0);
    expect(poissonTailSurprisal(-1, 3)).toBe(0);
    expect(zSurprisal(0.5)).toBeCloseTo(0.4827645810336735, 6);
    expect(zSurprisal(1.96)).toBeCloseTo(2.995816471169693, 6);
    expect(zSurprisal(-3)).toBeCloseTo(5.914579040950405, 6);
    expect(zSurprisal(7)).toBeCloseTo(26.691160318251132, 3);
    expect(zSurprisal(0)).toBe(0);
  });
});

describe('eventSurprisal', () => {
  it('is −ln p with p kept in [1/(2m), 1 − 1/(2m)]', () => {
    expect(eventSurprisal(0.5, 10)).toBeCloseTo(Math.LN2, 12);
    expect(eventSurprisal(0, 10)).toBeCloseTo(-Math.log(0.05), 12);
    expect(eventSurprisal(1, 10)).toBeCloseTo(-Math.log(0.95), 12);
    expect(eventSurprisal(0.2, 4)).toBeCloseTo(-Math.log(0.2), 12);
  });
});

describe('empiricalTailSurprisal', () => {
  it('is −ln of the share at least as far out on the same side, 0 for NaN', () => {
    const out = empiricalTailSurprisal(Float64Array.from([1, 5, 2, NaN, 4, 3]), 3);
    const ln = (p: number) => -Math.log(p);
    [ln(1 / 5), ln(1 / 5), ln(2 / 5), 0, ln(2 / 5), ln(3 / 5)].forEach((want, i) => expect(out[i]).toBeCloseTo(want, 12));
    const ties = empiricalTailSurprisal(Float64Array.from([1, 1, 2, 5, 5, 2, 2]), 2);
    [ln(2 / 7), ln(2 / 7), ln(5 / 7), ln(2 / 7), ln(2 / 7), ln(5 / 7), ln(5 / 7)].forEach((want, i) =>
      expect(ties[i]).toBeCloseTo(want, 12),
    );
    // A value at the median counts on the upper side (values ≥ it), here 5 of 6, not 4 of 6 below.
    const atMedian = empiricalTailSurprisal(Float64Array.from([1, 3, 3, 3, 9, 10]), 3);
    expect(atMedian[1]).toBeCloseTo(ln(5 / 6), 12);
    expect(atMedian[0]).toBeCloseTo(ln(1 / 6), 12);
    const below = empiricalTailSurprisal(Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 6.5);
    expect(below[3]).toBeCloseTo(ln(4 / 8), 12);
    expect(below[0]).toBeCloseTo(ln(1 / 8), 12);
    expect(below[7]).toBeCloseTo(ln(1 / 8), 12);
  });
});

describe('spikeSurprisal', () => {
  // Values 0–20 once each, except 15–19 charted 1–5 times and a spike of 30 stays at 20.
  const column: number[] = [];
  for (let v = 0; v <= 20; v++) {
    const count = v === 20 ? 30 : v >= 15 ? v - 14 : 1;
    for (let c = 0; c < count; c++) column.push(v);
  }
  column.push(NaN);
  const values = Float64Array.from(column);
  const z = Float64Array.from(column, (v) => (v === 20 ? 5 : v === 0 ? -3 : v === 10 ? 2.9 : 0));

  it('scores a tail value by the Poisson surprise of its count given its neighbours’ mean count', () => {
    const out = spikeSurprisal(values, z);
    const spike = column.indexOf(20);
    // Five neighbours below (19 … 15: 5, 4, 3, 2, 1 stays), none above: expected 3.
    expect(out[spike]).toBeCloseTo(poissonTailSurprisal(30, 3), 12);
    expect(out[column.length - 2]).toBe(out[spike]);
    // 0 (z = −3, in the tail): neighbours 1 … 5, once each.
    expect(out[0]).toBeCloseTo(poissonTailSurprisal(1, 1), 12);
    // |z| < 3 and NaN are not scored.
    expect(out[column.indexOf(10)]).toBe(0);
    expect(out[column.indexOf(17)]).toBe(0);
    expect(out[column.length - 1]).toBe(0);
  });

  it('finds the neighbours by value, whatever the order of the stays', () => {
    // Odd positions first, then even ones: the values come in an order other than their own.
    const order = [...Array.from(column.keys()).filter((i) => i % 2 === 1), ...Array.from(column.keys()).filter((i) => i % 2 === 0)];
    const shuffled = spikeSurprisal(
      Float64Array.from(order, (i) => values[i]),
      Float64Array.from(order, (i) => z[i]),
    );
    const out = spikeSurprisal(values, z);
    order.forEach((i, k) => expect(shuffled[k]).toBe(out[i]));
  });

  it('takes the window nearest distinct values on each side', () => {
    const spike = column.indexOf(20);
    expect(spikeSurprisal(values, z, 1)[spike]).toBeCloseTo(poissonTailSurprisal(30, 5), 12);
    expect(spikeSurprisal(values, z, 2)[spike]).toBeCloseTo(poissonTailSurprisal(30, 4.5), 12);
    // A value in the middle has neighbours on both sides.
    const mid = Float64Array.from([1, 2, 2, 2, 3, 3, 3, 3, 4, 5, 5]);
    const midZ = Float64Array.from(mid, (v) => (v === 3 ? 4 : 0));
    expect(spikeSurprisal(mid, midZ, 1)[4]).toBeCloseTo(poissonTailSurprisal(4, 2), 12);
    expect(spikeSurprisal(mid, midZ, 2)[4]).toBeCloseTo(poissonTailSurprisal(4, 7 / 4), 12);
    // One distinct value: no neighbours, expected count 1.
    expect(spikeSurprisal(Float64Array.from([7, 7, 7]), Float64Array.from([3, 3, 3]))[1]).toBeCloseTo(poissonTailSurprisal(3, 1), 12);
  });
});
