import { readFileSync } from 'node:fs';
import { Random } from '@ehr-backdoor/core';
import { fastIca, jacobiEigen, symmetricDecorrelation } from './fast-ica.js';

interface IcaCase {
  name: string;
  n: number;
  d: number;
  k: number;
  x: number[];
  sources: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/fast-ica.json', import.meta.url), 'utf8')) as {
  sklearn: string;
  cases: IcaCase[];
};

function centred(x: number[], n: number, d: number): Float64Array {
  const out = Float64Array.from(x);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let r = 0; r < n; r++) mean += out[r * d + j] / n;
    for (let r = 0; r < n; r++) out[r * d + j] -= mean;
  }
  return out;
}

function correlation(a: ArrayLike<number>, ac: number, b: ArrayLike<number>, bc: number, n: number, ka: number, kb: number): number {
  let ma = 0;
  let mb = 0;
  for (let r = 0; r < n; r++) {
    ma += a[r * ka + ac] / n;
    mb += b[r * kb + bc] / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let r = 0; r < n; r++) {
    const u = a[r * ka + ac] - ma;
    const v = b[r * kb + bc] - mb;
    sab += u * v;
    saa += u * u;
    sbb += v * v;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe(`fastIca against scikit-learn ${fixture.sklearn} FastICA`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: the same sources up to sign and order, unit variance', (_, c) => {
    const result = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(0, 'ica-test'));
    expect(result.converged).toBe(true);
    const used = new Set<number>();
    for (let s = 0; s < c.k; s++) {
      let best = -1;
      let bestCorrelation = 0;
      for (let o = 0; o < c.k; o++) {
        const r = Math.abs(correlation(c.sources, s, result.sources, o, c.n, c.k, c.k));
        if (r > bestCorrelation) [best, bestCorrelation] = [o, r];
      }
      expect(bestCorrelation).toBeGreaterThan(0.9999);
      expect(used.has(best)).toBe(false);
      used.add(best);
      // Same scale as scikit-learn's unit-variance sources, element by element after the sign.
      const sign = Math.sign(correlation(c.sources, s, result.sources, best, c.n, c.k, c.k));
      let worst = 0;
      for (let r = 0; r < c.n; r++) worst = Math.max(worst, Math.abs(c.sources[r * c.k + s] - sign * result.sources[r * c.k + best]));
      expect(worst).toBeLessThan(0.02);
    }
  });

  it('is deterministic for a seed', () => {
    const c = fixture.cases[0];
    const a = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(4, 'x'));
    const b = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(4, 'x'));
    expect(Buffer.from(a.sources.buffer)).toEqual(Buffer.from(b.sources.buffer));
  });

  it('rejects a component count outside [1, d]', () => {
    expect(() => fastIca(new Float64Array(6), 3, 2, 3, Random.fromSeed(0, 'x'))).toThrow(/components must be an integer in \[1, 2\]/);
  });
});

describe('symmetric decorrelation', () => {
  it('returns an orthogonal matrix and diagonalises a symmetric one', () => {
    const W = symmetricDecorrelation(Float64Array.from([2, 1, 0, 0.5, 3, 1, 1, 0, 1]), 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let m = 0; m < 3; m++) s += W[i * 3 + m] * W[j * 3 + m];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    const { values } = jacobiEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect(Array.from(values).sort()).toEqual([expect.closeTo(1, 10), expect.closeTo(3, 10)]);
  });
});
