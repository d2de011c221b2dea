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
  iterations: number;
}
const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/fast-ica.json', import.meta.url), 'utf8')) as {
  sklearn: string;
  cases: IcaCase[];
  /** scikit-learn from `w_init`, fastIca from `initial`: the same start (see the generator). */
  fromInitial: (IcaCase & { initial: number[] })[];
  /** Data of rank `rank` < k; `sources` are scikit-learn's with n_components = rank. */
  rankDeficient: (Omit<IcaCase, 'iterations'> & { rank: number })[];
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

/**
 * Each of scikit-learn's `columns` sources (n × columns) is one of fastIca's (n × k) up to sign, none
 * taken twice, and equal to it element by element within `tolerance` after the sign.
 */
function expectSameSources(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  n: number,
  columns: number,
  k: number,
  tolerance: number,
): void {
  const used = new Set<number>();
  for (let s = 0; s < columns; s++) {
    let best = -1;
    let bestCorrelation = 0;
    for (let o = 0; o < k; o++) {
      const r = Math.abs(correlation(expected, s, actual, o, n, columns, k));
      if (r > bestCorrelation) [best, bestCorrelation] = [o, r];
    }
    expect(bestCorrelation).toBeGreaterThan(0.9999);
    expect(used.has(best)).toBe(false);
    used.add(best);
    // Same scale as scikit-learn's unit-variance sources, element by element after the sign.
    const sign = Math.sign(correlation(expected, s, actual, best, n, columns, k));
    let worst = 0;
    for (let r = 0; r < n; r++) worst = Math.max(worst, Math.abs(expected[r * columns + s] - sign * actual[r * k + best]));
    expect(worst).toBeLessThan(tolerance);
  }
}

describe(`fastIca against scikit-learn ${fixture.sklearn} FastICA`, () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: the same sources up to sign and order, unit variance', (_, c) => {
    const result = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(0, 'ica-test'));
    expect(result.converged).toBe(true);
    expectSameSources(c.sources, result.sources, c.n, c.k, c.k, 0.02);
    for (let s = 0; s < c.k; s++) {
      let mean = 0;
      let square = 0;
      for (let r = 0; r < c.n; r++) {
        mean += result.sources[r * c.k + s] / c.n;
        square += result.sources[r * c.k + s] ** 2 / c.n;
      }
      expect(mean).toBeCloseTo(0, 12);
      expect(square).toBeCloseTo(1, 12);
    }
  });

  it.each(fixture.fromInitial.map((c) => [c.name, c] as const))(
    '%s: from scikit-learn’s start, its steps: the same sources and iteration count',
    (_, c) => {
      const result = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(0, 'ica-test'), { initial: c.initial });
      expect(result).toMatchObject({ converged: true, iterations: c.iterations, components: c.k });
      let worst = 0;
      for (let i = 0; i < c.n * c.k; i++) worst = Math.max(worst, Math.abs(result.sources[i] - c.sources[i]));
      expect(worst).toBeLessThan(1e-7);
    },
  );

  it.each(fixture.rankDeficient.map((c) => [c.name, c] as const))(
    '%s: k above the rank gives scikit-learn’s sources of the rank, then columns of zeros',
    (_, c) => {
      const result = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(0, 'ica-test'));
      expect(result.converged).toBe(true);
      expectSameSources(c.sources, result.sources, c.n, c.rank, c.k, 0.02);
      for (let r = 0; r < c.n; r++) for (let s = c.rank; s < c.k; s++) expect(result.sources[r * c.k + s]).toBe(0);
      // A given start: its leading rank × rank block, as if k were the rank.
      const initial = Float64Array.from({ length: c.k * c.k }, (_, i) => Math.cos(i + 1));
      const wide = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(0, 'ica-test'), { initial });
      const block = initial.filter((_, i) => i % c.k < c.rank && i < c.rank * c.k);
      const narrow = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.rank, Random.fromSeed(0, 'ica-test'), { initial: block });
      expect(wide.iterations).toBe(narrow.iterations);
      for (let r = 0; r < c.n; r++)
        for (let s = 0; s < c.k; s++) expect(wide.sources[r * c.k + s]).toBe(s < c.rank ? narrow.sources[r * c.rank + s] : 0);
    },
  );

  it('gives zero sources for data without variance', () => {
    const result = fastIca(new Float64Array(12), 4, 3, 2, Random.fromSeed(0, 'ica-test'));
    expect(result).toMatchObject({ converged: true, components: 2 });
    expect(Array.from(result.sources)).toEqual(new Array(8).fill(0));
  });

  it('gives unit-variance sources where whitening stops short (eigenvalues 0.1 % apart)', () => {
    // Columns made orthogonal over the sample with variances 1, 0.999, 0.998: 1000 power-iteration
    // steps leave the principal axes unconverged, so the whitened rows' variances are not quite 1.
    const n = 400;
    const d = 3;
    const random = Random.fromSeed(5, 'near-tie');
    const columns = [() => 2 * random.next() - 1, () => Math.log(random.next()) * (random.next() < 0.5 ? -1 : 1), () => random.normal()];
    const cols = columns.map((draw) => Float64Array.from({ length: n }, draw));
    cols.forEach((col, j) => {
      const mean = col.reduce((a, v) => a + v, 0) / n;
      col.forEach((v, r) => (col[r] = v - mean));
      for (let i = 0; i < j; i++) {
        const f = cols[i].reduce((a, v, r) => a + v * col[r], 0) / cols[i].reduce((a, v) => a + v * v, 0);
        col.forEach((v, r) => (col[r] = v - f * cols[i][r]));
      }
      const scale = Math.sqrt((1 - 0.001 * j) / (col.reduce((a, v) => a + v * v, 0) / n));
      col.forEach((v, r) => (col[r] = v * scale));
    });
    const x = Float64Array.from({ length: n * d }, (_, i) => cols[i % d][Math.floor(i / d)]);
    const k = 2;
    const { sources } = fastIca(x, n, d, k, Random.fromSeed(0, 'ica-test'));
    for (let s = 0; s < k; s++) {
      let square = 0;
      for (let r = 0; r < n; r++) square += sources[r * k + s] ** 2 / n;
      expect(square).toBeCloseTo(1, 12);
    }
  });

  it('stops after maxIterations steps, not converged', () => {
    const c = fixture.fromInitial[1];
    expect(c.iterations).toBeGreaterThan(3);
    const result = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(0, 'ica-test'), { initial: c.initial, maxIterations: 3 });
    expect(result).toMatchObject({ converged: false, iterations: 3 });
  });

  it('is deterministic for a seed', () => {
    const c = fixture.cases[0];
    const a = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(4, 'x'));
    const b = fastIca(centred(c.x, c.n, c.d), c.n, c.d, c.k, Random.fromSeed(4, 'x'));
    expect(Buffer.from(a.sources.buffer)).toEqual(Buffer.from(b.sources.buffer));
  });

  it('without `initial`, draws its k × k start from `random`, after whitening and nothing after it', () => {
    // The caller's stream goes on from there (activation clustering seeds its k-means with it).
    const c = fixture.fromInitial[1];
    const x = centred(c.x, c.n, c.d);
    const drawn = Random.fromSeed(3, 'stream');
    fastIca(x, c.n, c.d, c.k, drawn);
    const given = Random.fromSeed(3, 'stream');
    fastIca(x, c.n, c.d, c.k, given, { initial: c.initial });
    for (let i = 0; i < c.k * c.k; i++) given.normal();
    expect(drawn.next()).toBe(given.next());
  });

  it('refuses a component count outside [1, d] and a start of the wrong size', () => {
    const x = new Float64Array(6);
    const cases: [number, number[] | undefined, string][] = [
      [3, undefined, 'FastICA: components must be an integer in [1, 2], got 3.'],
      [0, undefined, 'FastICA: components must be an integer in [1, 2], got 0.'],
      [-1, undefined, 'FastICA: components must be an integer in [1, 2], got -1.'],
      [1.5, undefined, 'FastICA: components must be an integer in [1, 2], got 1.5.'],
      [NaN, undefined, 'FastICA: components must be an integer in [1, 2], got NaN.'],
      [2, [1, 0, 0], 'FastICA: initial must hold 2 × 2 values, got 3.'],
      [2, [1, 0, 0, 1, 0], 'FastICA: initial must hold 2 × 2 values, got 5.'],
      [1, [1, 0, 0, 1], 'FastICA: initial must hold 1 × 1 values, got 4.'],
    ];
    for (const [k, initial, message] of cases)
      expect(() => fastIca(x, 3, 2, k, Random.fromSeed(0, 'x'), { initial })).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message }),
      );
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
