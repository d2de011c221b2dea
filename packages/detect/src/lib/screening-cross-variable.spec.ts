import { readFileSync } from 'node:fs';
import { Random } from '@ehr-backdoor/core';
import { crossVariable } from './screening-cross-variable.js';
import { checkedTabular } from './screening-table.js';

/** Scores of a 16-stay cohort from numpy/scipy (tools/scripts/screening-fixtures.py); null = NaN. */
const reference = JSON.parse(readFileSync(new URL('./__fixtures__/screening-cross-variable.json', import.meta.url), 'utf8')) as {
  stays: (number | null)[][];
  variables: string[];
  stats: string[];
  ridge1: number[][];
  ols: number[][];
};

/** The reference cohort's first `columns` columns. */
function referenceTable(columns: number) {
  return checkedTabular({
    view: 'tabular',
    values: reference.stays.flatMap((row) => row.slice(0, columns).map((x) => x ?? NaN)),
    rows: reference.stays.length,
    variables: reference.variables.slice(0, columns),
    stats: reference.stats.slice(0, columns),
  });
}

/** 100 stays: b = 2a + small noise, c independent; stay 7 is shifted off the a–b line; d missing in 10 stays. */
function cohort(options: { breakRow?: number; missingD?: boolean } = {}) {
  const random = Random.fromSeed(5, 'cross-variable-spec');
  const values: number[] = [];
  for (let i = 0; i < 100; i++) {
    const a = random.normal();
    const b = i === (options.breakRow ?? 7) ? 2 * a + 3 : 2 * a + 0.1 * random.normal();
    const c = random.normal();
    const d = options.missingD && i % 10 === 0 ? NaN : random.normal();
    values.push(a, b, c, d, 24);
  }
  return checkedTabular({
    view: 'tabular',
    values,
    rows: 100,
    variables: ['a', 'b', 'c', 'd', 'd'],
    stats: ['mean', 'mean', 'mean', 'mean', 'count'],
  });
}

describe('crossVariable', () => {
  it('matches a numpy reference on every stay and variable, with ridge 1 and by least squares', () => {
    // cr is screened on the log scale (right-skewed by stay 0 alone); hr has a mean and a max column (a
    // stay's largest counts); lac (missing in 3 stays, with a count column that predicts but is not scored)
    // and ph (missing in 2) get missing indicators; gcs is never charted (no indicator, never scored).
    const warnings: string[] = [];
    const ridge = crossVariable(referenceTable(7), 1, warnings);
    expect(Array.from(ridge)).toEqual(reference.ridge1.flat().map((s) => expect.closeTo(s, 6)));
    // Without gcs's all-zero column the least-squares systems solve.
    const ols = crossVariable(referenceTable(6), 0, warnings);
    expect(Array.from(ols)).toEqual(reference.ols.flat().map((s) => expect.closeTo(s, 6)));
    expect(warnings).toEqual([]);
    // Missing values score nothing: lac in stays 2, 7, 12 (and its count's 0 is not scored), ph in 3 and 11.
    for (const k of [2 * 5 + 2, 7 * 5 + 2, 12 * 5 + 2, 3 * 5 + 3, 11 * 5 + 3]) expect(ridge[k]).toBe(0);
  });

  it('finds a stay whose features break a relation the others follow, on the variables involved', () => {
    const warnings: string[] = [];
    const out = crossVariable(cohort(), 1, warnings);
    expect(warnings).toEqual([]);
    expect(out).toHaveLength(100 * 4);
    const a = (i: number) => out[i * 4];
    const b = (i: number) => out[i * 4 + 1];
    const c = (i: number) => out[i * 4 + 2];
    const others = Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 7);
    expect(b(7)).toBeGreaterThan(Math.max(...others.map(b)));
    expect(a(7)).toBeGreaterThan(3);
    expect(b(7)).toBeGreaterThan(8);
    // c is unrelated: stay 7 is ordinary there.
    expect(c(7)).toBeLessThan(Math.max(...others.map(c)));
    for (const s of out) expect(s).toBeGreaterThanOrEqual(0);
  });

  it('leaves missing values unscored and uses missingness indicators as predictors', () => {
    const out = crossVariable(cohort({ missingD: true }), 1, []);
    for (let i = 0; i < 100; i += 10) expect(out[i * 4 + 3]).toBe(0);
    expect(out[11 * 4 + 3]).toBeGreaterThan(0);
    // The same cohort without missing values of d scores a and b alike up to the indicator's effect.
    const full = crossVariable(cohort(), 1, []);
    expect(Array.from(out.subarray(0, 8))).not.toEqual(Array.from(full.subarray(0, 8)));
  });

  it('a stronger ridge shrinks the regressions towards the intercept', () => {
    const weak = crossVariable(cohort(), 0.01, []);
    const strong = crossVariable(cohort(), 1e6, []);
    // With the regressions shrunk to the mean, b is scored on its own spread: stay 7 no longer stands out as much.
    expect(strong[7 * 4 + 1]).toBeLessThan(weak[7 * 4 + 1] / 2);
  });

  it('warns and leaves out a regression that does not solve', () => {
    // Two identical columns and no ridge: the system for either of them is singular.
    const values: number[] = [];
    for (let i = 0; i < 20; i++) values.push(i % 7, i % 7, (i * 3) % 5);
    const table = checkedTabular({ view: 'tabular', values, rows: 20, variables: ['x', 'y', 'z'] });
    const warnings: string[] = [];
    const out = crossVariable(table, 0, warnings);
    expect(warnings).toContain('cross-variable: the regression of feature 2 (z) did not solve; it is left out');
    expect(warnings.every((w) => /^cross-variable: the regression of feature \d \([xyz]\) did not solve; it is left out$/.test(w))).toBe(
      true,
    );
    for (let i = 0; i < 20; i++) expect(out[i * 3 + 2]).toBe(0);
  });
});
