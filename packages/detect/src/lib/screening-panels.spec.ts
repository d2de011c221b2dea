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
