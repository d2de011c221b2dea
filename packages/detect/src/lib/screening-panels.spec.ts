import { Random } from '@ehr-backdoor/core';
import { missingnessPattern } from './screening-panels.js';
import { checkedTabular } from './screening-table.js';

/**
 * Labs of two panels: a blood count (hgb, hct, plt; one sample, missing together in 5 % of stays) and a
 * chemistry panel (na, k) drawn independently (missing together in 3 %); `ca` is an optional add-on of the
 * chemistry panel (missing in 20 % of the stays that have it).
 */
function labs(n: number, seed: number) {
  const random = Random.fromSeed(seed, 'panels');
  const variables = ['hgb', 'hct', 'plt', 'na', 'k', 'ca'];
  const values = new Float64Array(n * variables.length);
  for (let i = 0; i < n; i++) {
    const row = [
      10 + random.normal(),
      30 + 3 * random.normal(),
      250 + 50 * random.normal(),
      140 + 3 * random.normal(),
      4 + 0.4 * random.normal(),
      9 + 0.5 * random.normal(),
    ];
    if (random.next() < 0.05) row[0] = row[1] = row[2] = NaN;
    if (random.next() < 0.03) row[3] = row[4] = row[5] = NaN;
    else if (random.next() < 0.2) row[5] = NaN;
    values.set(row, i * variables.length);
  }
  return { values, variables };
}

const scoreOf = (out: Float64Array, V: number, i: number) => out.subarray(i * V, i * V + V).reduce((a, b) => Math.max(a, b), 0);

describe('missingnessPattern', () => {
  it('finds a block blanked while its partner was measured, in a small group', () => {
    const n = 3000;
    const { values, variables } = labs(n, 1);
    const planted = Random.fromSeed(2, 'plant').sampleIndices(n, 12);
    for (const i of planted) {
      values[i * 6] = values[i * 6 + 2] = NaN; // hgb and plt blanked,
      values[i * 6 + 1] = 30; //               the haematocrit of the same sample charted
    }
    const out = missingnessPattern(checkedTabular({ view: 'tabular', values, rows: n, variables }));
    const scores = Array.from({ length: n }, (_, i) => scoreOf(out, 6, i));
    const top = Array.from(scores.keys())
      .sort((a, b) => scores[b] - scores[a])
      .slice(0, 12);
    expect(new Set(top)).toEqual(new Set(planted));
  });

  it('scores nothing on clean stays: whole panels missing, an optional add-on missing, no labs at all', () => {
    const n = 3000;
    const { values, variables } = labs(n, 3);
    for (let i = 0; i < 50; i++) values.fill(NaN, i * 6, i * 6 + 6); // no labs drawn at all
    const out = missingnessPattern(checkedTabular({ view: 'tabular', values, rows: n, variables }));
    expect(out.every((s) => s === 0)).toBe(true);
  });
});

describe('missingnessPattern, counted by hand', () => {
  // 100 stays × three variables: a, b, c missing together in stays 0–4; a alone in stay 5; a and c in stay 6.
  function table(blockSize = 5) {
    const values: number[] = [];
    for (let i = 0; i < 100; i++) {
      const block = i < blockSize;
      values.push(block || i === 5 || i === 6 ? NaN : 1, block ? NaN : 2, block || i === 6 ? NaN : 3);
    }
    return checkedTabular({ view: 'tabular', values, rows: 100, variables: ['a', 'b', 'c'] });
  }

  it('scores a variable missing while a panel partner was measured by −ln P(u missing | v measured), summed per stay', () => {
    const out = missingnessPattern(table());
    // Partners (add-½ smoothed): a|b (5.5/6 ≥ 0.9; 2.5/96), c|b (5.5/6; 1.5/96), a|c (6.5/7; 1.5/95).
    // Stay 5 misses a with b and c measured: the most surprising partner, c.
    expect(Array.from(out.subarray(15, 18))).toEqual([expect.closeTo(-Math.log(1.5 / 95), 12), 0, 0]);
    // Stay 6 misses a and c with b measured: both surprisals, booked on the larger one (c).
    expect(out[18]).toBe(0);
    expect(out[20]).toBeCloseTo(-Math.log(2.5 / 96) - Math.log(1.5 / 96), 12);
    // The block missing together has no partner measured; complete stays score nothing.
    for (let i = 0; i < 5; i++) expect(Array.from(out.subarray(i * 3, i * 3 + 3))).toEqual([0, 0, 0]);
    for (let i = 7; i < 100; i++) expect(Array.from(out.subarray(i * 3, i * 3 + 3))).toEqual([0, 0, 0]);
  });

  it('takes a partner at P(u missing | v missing) = 0.9 and a ratio of 20, not below', () => {
    /** Two variables over n stays, u missing in the stays listed first, v in the second. */
    const pair = (n: number, u: number[], v: number[]) =>
      missingnessPattern(
        checkedTabular({
          view: 'tabular',
          values: Array.from({ length: n }, (_, i) => [u.includes(i) ? NaN : 1, v.includes(i) ? NaN : 2]).flat(),
          rows: n,
          variables: ['u', 'v'],
        }),
      );
    const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
    const scored = (out: Float64Array) => Array.from(out.keys()).filter((k) => out[k] !== 0);
    // 60 stays, v missing in 0–13, u in 0–12 and 20: each partners the other at (13 + ½)/(14 + 1) = 0.9
    // exactly, a ratio of 0.9/(1.5/47) = 28.
    const share = pair(60, [...range(0, 13), 20], range(0, 14));
    expect(scored(share)).toEqual([13 * 2 + 1, 20 * 2]);
    expect(share[20 * 2]).toBeCloseTo(-Math.log(1.5 / 47), 12);
    expect(share[13 * 2 + 1]).toBeCloseTo(-Math.log(1.5 / 47), 12);
    // 38 stays, v missing in 0–6, u in 0–6 and 10: u | v at 7.5/8 = 0.9375 and 1.5/32, a ratio of exactly 20.
    const ratio = pair(38, [...range(0, 7), 10], range(0, 7));
    expect(scored(ratio)).toEqual([10 * 2]);
    expect(ratio[10 * 2]).toBeCloseTo(-Math.log(1.5 / 32), 12);
    // 100 stays, u missing in 0, 1 and every tenth to 80, v with u but for stay 0, and alone in 55 and 65:
    // v | u at 9.5/11 = 0.86 (a ratio of 31) and u | v at 9.5/12 are no partners, so nothing scores.
    const tens = range(1, 9).map((k) => 10 * k);
    expect(scored(pair(100, [0, 1, ...tens], [1, ...tens, 55, 65]))).toEqual([]);
  });

  it('needs a partner missing in at least 5 stays before trusting it', () => {
    const out = missingnessPattern(table(4));
    // b is missing in 4 stays only: no partner of a or c through b; c (5 stays missing) still partners a.
    expect(out[5 * 3]).toBeCloseTo(-Math.log(1.5 / 96), 12);
    expect(out[6 * 3 + 2]).toBe(0);
    expect(out[6 * 3]).toBe(0);
  });
});
