import { quantileSorted, Random } from '@ehr-backdoor/core';
import { detectionAuroc, tprAtFpr, truthMask } from './detection-metrics.js';
import {
  empiricalTailSurprisal,
  inputScreening,
  logScaled,
  poissonTailSurprisal,
  spikeSurprisal,
  zSurprisal,
  type InputScreeningOptions,
  type ScreeningData,
} from './input-screening.js';
import { missingnessPattern } from './screening-panels.js';
import { checkedTabular } from './screening-table.js';
import { univariate } from './screening-univariate.js';

/**
 * A small clinical table: heart rate (min/max/mean/count, continuous), a GCS-like score of 6 levels, a
 * right-skewed lab (lognormal), and a three-lab blood count (haemoglobin, haematocrit, platelets) measured
 * together, missing together in 5 % of stays.
 */
function cohort(n: number, seed: number) {
  const random = Random.fromSeed(seed, 'screening-cohort');
  const variables = ['hr', 'hr', 'hr', 'hr', 'gcs', 'creat', 'hgb', 'hct', 'plt'];
  const stats = ['min', 'max', 'mean', 'count', 'min', 'mean', 'mean', 'mean', 'mean'];
  const F = variables.length;
  const values = new Float64Array(n * F);
  for (let i = 0; i < n; i++) {
    const hr = 85 + 15 * random.normal();
    const row = [
      hr - 10 - 3 * Math.abs(random.normal()),
      hr + 15 + 5 * Math.abs(random.normal()),
      hr,
      24,
      1 + random.int(6),
      Math.exp(0.8 * random.normal()),
      10 + 2 * random.normal(),
      30 + 6 * random.normal(),
      250 + 60 * random.normal(),
    ];
    if (random.next() < 0.05) row[6] = row[7] = row[8] = NaN;
    values.set(
      row.map((x, j) => (stats[j] === 'count' ? x : Math.round(x * 10) / 10)),
      i * F,
    );
  }
  return { values, variables, stats, F };
}

const data = (c: ReturnType<typeof cohort>, n: number): ScreeningData => ({
  view: 'tabular',
  values: c.values,
  rows: n,
  variables: c.variables,
  stats: c.stats,
});

describe('inputScreening', () => {
  const n = 2000;

  it('finds a planted rare value and a broken panel, and names their variables', () => {
    const c = cohort(n, 1);
    const random = Random.fromSeed(2, 'plant');
    const planted = random.sampleIndices(n, 30);
    planted.slice(0, 15).forEach((i) => {
      c.values[i * c.F + 1] = 220; // hr max: the same extreme value in 15 stays
    });
    planted.slice(15).forEach((i) => {
      // haemoglobin and platelets missing while the haematocrit of the same blood count was measured
      c.values[i * c.F + 6] = c.values[i * c.F + 8] = NaN;
      c.values[i * c.F + 7] = 30;
    });
    const result = inputScreening({ data: data(c, n), assumedContamination: 0.015 });
    const truth = truthMask(n, planted);
    expect(detectionAuroc(result.scores, truth).value).toBeGreaterThan(0.99);
    expect(tprAtFpr(result.scores, truth, 0.05).value).toBeGreaterThanOrEqual(0.9);
    expect(result.flagged).toHaveLength(30);
    const hits = Array.from(result.flagged).filter((i) => truth[i]).length;
    expect(hits).toBeGreaterThanOrEqual(27);
    const named = result.perLabel.map((p) => String(p.topVariables)).join(' ');
    expect(named).toMatch(/hr:\d+/);
    expect(named).toMatch(/hgb:\d+/);
  });

  it('flags no more than its budget on clean data, and the floor of a discrete scale is not an outlier', () => {
    const c = cohort(n, 3);
    const result = inputScreening({ data: data(c, n), assumedContamination: 0.01 });
    expect(result.flagged.length).toBeLessThanOrEqual(20);
    // GCS 1 is one stay in six: never worth more than −ln(1/6) ≈ 1.8 nats before rescaling.
    expect(String(result.perLabel[0].topVariables)).not.toMatch(/gcs:\d{2}/);
  });

  it('screens time series with the temporal component', () => {
    const random = Random.fromSeed(4, 'ts');
    const rows = 400;
    const T = 12;
    const C = 2;
    const values = new Float64Array(rows * T * C);
    const mask = new Uint8Array(rows * T * C).fill(1);
    for (let i = 0; i < rows; i++) {
      let hr = 85 + 10 * random.normal();
      for (let t = 0; t < T; t++) {
        hr += 2 * random.normal();
        values[(i * T + t) * C] = Math.round(hr);
        values[(i * T + t) * C + 1] = Math.round(100 * (7.4 + 0.05 * random.normal())) / 100;
      }
    }
    const planted = [5, 50, 150, 250, 350];
    for (const i of planted) values[(i * T + T - 1) * C] = values[(i * T + T - 2) * C] + 45; // a one-hour jump
    const result = inputScreening({
      data: { view: 'timeseries', values, mask, rows, hours: T, channels: ['hr', 'ph'] },
      assumedContamination: 5 / rows,
    });
    expect(Array.from(result.flagged)).toEqual(planted);
    expect(result.perLabel.map((p) => p.component)).toEqual(['univariate', 'missingness', 'temporal']);
  });

  it('rejects a budget outside (0, 0.5), an unknown component and temporal on tabular data', () => {
    const c = cohort(50, 5);
    for (const bad of [0, 0.5, -1, NaN]) {
      expect(() => inputScreening({ data: data(c, 50), assumedContamination: bad })).toThrow(
        expect.objectContaining({ code: 'E_DETECT_CONTAMINATION', message: expect.stringMatching(/^input_screening/) }),
      );
    }
    expect(() => inputScreening({ data: data(c, 50), assumedContamination: 0.1, components: ['temporal'] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: expect.stringMatching(/time-series/) }),
    );
    expect(() => inputScreening({ data: data(c, 50), assumedContamination: 0.1, components: ['nope' as never] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
    expect(() => inputScreening({ data: { ...data(c, 50), rows: 49 } as ScreeningData, assumedContamination: 0.1 })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
  });
});

describe('screening helpers', () => {
  it('zSurprisal is −ln P(|Z| ≥ z): 0 at 0, ln(1/0.0455) at 2, continuous across the asymptotic switch at 5', () => {
    expect(zSurprisal(0)).toBeCloseTo(0, 6);
    expect(zSurprisal(2)).toBeCloseTo(-Math.log(0.0455003), 4);
    expect(zSurprisal(4.9999)).toBeCloseTo(zSurprisal(5.0001), 2);
    expect(zSurprisal(5)).toBeCloseTo(-Math.log(5.733e-7), 2);
  });

  it('poissonTailSurprisal matches hand-computed tails', () => {
    // P(X ≥ 1 | λ = 1) = 1 − e^−1; P(X ≥ 3 | λ = 1) = 1 − e^−1 (1 + 1 + 1/2).
    expect(poissonTailSurprisal(1, 1)).toBeCloseTo(-Math.log(1 - Math.exp(-1)), 8);
    expect(poissonTailSurprisal(3, 1)).toBeCloseTo(-Math.log(1 - Math.exp(-1) * 2.5), 8);
    expect(poissonTailSurprisal(0, 3)).toBe(0);
  });

  it('empiricalTailSurprisal counts values at least as extreme on their side', () => {
    const column = Float64Array.from([1, 2, 3, 3, 3, 4, 5, NaN]);
    const s = empiricalTailSurprisal(column, 3);
    expect(s[0]).toBeCloseTo(-Math.log(1 / 7));
    expect(s[6]).toBeCloseTo(-Math.log(1 / 7));
    expect(s[2]).toBeCloseTo(-Math.log(5 / 7));
    expect(s[7]).toBe(0);
  });

  it('spikeSurprisal marks a repeated tail value, not a lone one', () => {
    const column = Float64Array.from({ length: 60 }, (_, i) => i);
    const spiked = Float64Array.from([...column, ...Array(10).fill(59)]);
    const z = spiked.map((x) => (x >= 55 ? 4 : 0));
    const s = spikeSurprisal(spiked, z);
    expect(s[59]).toBeGreaterThan(10);
    expect(s[58]).toBeLessThan(1);
  });

  it('logScaled picks right-skewed positive variables only', () => {
    const random = Random.fromSeed(7, 'skew');
    expect(logScaled(Float64Array.from({ length: 500 }, () => Math.exp(random.normal())))).toBe(true);
    expect(logScaled(Float64Array.from({ length: 500 }, () => 80 + 10 * random.normal()))).toBe(false);
    expect(logScaled(Float64Array.from({ length: 500 }, () => random.normal()))).toBe(false);
  });
});

describe('inputScreening: combining the components', () => {
  const c = cohort(200, 7);
  const screening = data(c, 200);

  it('puts each component on its own scale, (s − median) / max(q95 − median, ln 50), and keeps the largest', () => {
    const table = checkedTabular(screening as Extract<ScreeningData, { view: 'tabular' }>);
    const V = table.variableNames.length;
    const perComponent = [univariate(table), missingnessPattern(table)].map((surprisal) => {
      const stay = Array.from({ length: 200 }, (_, i) => Math.max(0, ...surprisal.subarray(i * V, (i + 1) * V)));
      const sorted = Float64Array.from(stay).sort();
      const median = quantileSorted(sorted, 0.5);
      const spread = Math.max(quantileSorted(sorted, 0.95) - median, Math.log(50));
      return stay.map((s) => (s - median) / spread);
    });
    const result = inputScreening({ data: screening, assumedContamination: 0.05 });
    result.scores.forEach((s, i) => expect(s).toBeCloseTo(Math.max(perComponent[0][i], perComponent[1][i]), 12));
    const only = inputScreening({ data: screening, assumedContamination: 0.05, components: ['univariate'] });
    only.scores.forEach((s, i) => expect(s).toBeCloseTo(perComponent[0][i], 12));
    expect(only.perLabel.map((p) => p.component)).toEqual(['univariate']);
    expect(result.perLabel.map((p) => p.component)).toEqual(['univariate', 'missingness']);
    expect(result.flagged.length).toBe(10);
    expect(result).toMatchObject({ detector: 'input_screening', warnings: [] });
  });

  it('names, per component, the top variables of the flagged stays it scored highest', () => {
    const result = inputScreening({ data: screening, assumedContamination: 0.05, components: ['univariate'] });
    const entry = result.perLabel[0];
    expect(entry.flaggedStays).toBe(10);
    const parts = (entry.topVariables as string).split(' ');
    expect(parts.length).toBeGreaterThanOrEqual(1);
    expect(parts.length).toBeLessThanOrEqual(5);
    const counts = parts.map((p) => Number(p.split(':')[1]));
    expect(counts.reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(10);
    expect([...counts].sort((a, b) => b - a)).toEqual(counts);
    for (const p of parts) expect(p).toMatch(/^(hr|gcs|creat|hgb|hct|plt):\d+$/);
    // With cross-variable, its stays are attributed to it only where it scores highest.
    const all = inputScreening({
      data: screening,
      assumedContamination: 0.05,
      components: ['univariate', 'missingness', 'cross-variable'],
      ridge: 2,
    });
    expect(all.perLabel.map((p) => p.component)).toEqual(['univariate', 'missingness', 'cross-variable']);
    expect(all.perLabel.reduce((s, p) => s + (p.flaggedStays as number), 0)).toBe(10);
    const ridged = inputScreening({ data: screening, assumedContamination: 0.05, components: ['cross-variable'], ridge: 1000 });
    const plain = inputScreening({ data: screening, assumedContamination: 0.05, components: ['cross-variable'] });
    expect(Array.from(ridged.scores)).not.toEqual(Array.from(plain.scores));
  });

  it('names at most five top variables per component', () => {
    // Seven variables, each with one far outlier in its own stay: all seven stays are flagged.
    const random = Random.fromSeed(2, 'five');
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const values = Float64Array.from({ length: 200 * 7 }, () => Math.round(100 * random.normal()) / 10);
    names.forEach((_, v) => (values[v * 7 + v] = 500));
    const result = inputScreening({
      data: { view: 'tabular', values, rows: 200, variables: names, stats: names.map(() => 'mean') },
      assumedContamination: 0.05,
      components: ['univariate'],
    });
    for (let v = 0; v < 7; v++) expect(Array.from(result.flagged)).toContain(v);
    expect((result.perLabel[0].topVariables as string).split(' ')).toHaveLength(5);
  });

  it('breaks ties by the earlier component and the earlier variable', () => {
    // Nothing to find: every stay scores 0 in both components, so the flags (lowest stays first) go to
    // the first component and, within it, to the first variable.
    const flat = {
      view: 'tabular',
      values: new Float64Array(40 * 2).fill(7),
      rows: 40,
      variables: ['x', 'y'],
      stats: ['mean', 'mean'],
    } as const;
    const result = inputScreening({ data: flat, assumedContamination: 0.1 });
    expect(Array.from(result.scores)).toEqual(new Array(40).fill(0));
    expect(Array.from(result.flagged)).toEqual([0, 1, 2, 3]);
    expect(result.perLabel).toEqual([
      { component: 'univariate', flaggedStays: 4, topVariables: 'x:4' },
      { component: 'missingness', flaggedStays: 0, topVariables: '' },
    ]);
  });

  it('runs the consistency components asked for, from a tabular view’s hourly charting', () => {
    const random = Random.fromSeed(5, 'hourly');
    const hourly = (rows: number, hours: number, channels: string[]) => ({
      values: Float64Array.from({ length: rows * hours * channels.length }, () => random.normal()),
      mask: Uint8Array.from({ length: rows * hours * channels.length }, () => (random.next() < 0.8 ? 1 : 0)),
      rows,
      hours,
      channels,
    });
    const withHourly = (h: object) => ({ ...screening, hourly: h }) as ScreeningData;
    const components = (asked: InputScreeningOptions['components'], h = hourly(200, 3, ['hr', 'sbp'])) =>
      inputScreening({ data: withHourly(h), assumedContamination: 0.05, components: asked }).perLabel.map((p) => p.component);
    expect(components(['univariate', 'consistency-values'])).toEqual(['univariate', 'consistency-values']);
    expect(components(['consistency-missingness'])).toEqual(['consistency-missingness']);
    // One hour and one channel are enough.
    expect(components(['consistency-values'], hourly(200, 1, ['hr']))).toEqual(['consistency-values']);
    const bad: [object, string][] = [
      [hourly(199, 3, ['hr']), 'got 199 stays, 597 values and 597 mask entries for 3 hours × 1 channels.'],
      [hourly(200, 3, []), 'got 200 stays, 0 values and 0 mask entries for 3 hours × 0 channels.'],
      [
        { ...hourly(200, 2, ['hr']), hours: 0, values: [], mask: [] },
        'got 200 stays, 0 values and 0 mask entries for 0 hours × 1 channels.',
      ],
      [{ ...hourly(200, 3, ['hr']), hours: 1.5, values: new Float64Array(300), mask: new Uint8Array(300) }, 'for 1.5 hours × 1 channels.'],
      [{ ...hourly(200, 3, ['hr']), values: new Float64Array(599) }, 'got 200 stays, 599 values and 600 mask entries'],
      [{ ...hourly(200, 3, ['hr']), mask: new Uint8Array(601) }, 'got 200 stays, 600 values and 601 mask entries'],
    ];
    for (const [h, message] of bad)
      expect(() => inputScreening({ data: withHourly(h), assumedContamination: 0.05 })).toThrow(
        expect.objectContaining({
          code: 'E_DETECT_INPUT',
          message: expect.stringContaining(message),
        }),
      );
  });

  it('names what it refuses', () => {
    // Two stays are enough.
    expect(
      inputScreening({ data: { ...screening, rows: 2, values: c.values.subarray(0, 2 * c.F) }, assumedContamination: 0.25 }).scores,
    ).toHaveLength(2);
    const cases: [Partial<InputScreeningOptions>, string][] = [
      [{ data: undefined }, "input_screening needs the training stays' raw data ({ view: 'tabular' | 'timeseries', … })."],
      [{ data: { ...screening, view: 'wide' } as never }, "input_screening needs the training stays' raw data"],
      [{ data: { ...screening, rows: 1, values: c.values.subarray(0, c.F) } }, 'input_screening needs at least 2 training stays, got 1.'],
      [{ data: { ...screening, rows: 2.5 } }, 'input_screening needs at least 2 training stays, got 2.5.'],
      [{ ridge: 0 }, 'input_screening: ridge must be > 0, got 0.'],
      [{ ridge: Infinity }, 'input_screening: ridge must be > 0, got Infinity.'],
      [
        { components: ['univariate', 'spectral' as never] },
        "input_screening: unknown component 'spectral'; choose from univariate, missingness, cross-variable, temporal, consistency-values, consistency-missingness.",
      ],
      [
        { components: ['temporal'] },
        "input_screening: the 'temporal' component needs time-series data; screen the time-series view or drop 'temporal'.",
      ],
    ];
    for (const [change, message] of cases)
      expect(() => inputScreening({ data: screening, assumedContamination: 0.05, ...change } as InputScreeningOptions)).toThrow(
        expect.objectContaining({ code: 'E_DETECT_INPUT', message: expect.stringContaining(message) }),
      );
    expect(() => inputScreening({ data: screening, assumedContamination: 0.5 })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_CONTAMINATION', message: expect.stringContaining('input_screening: ') }),
    );
  });
});
