import { readFileSync } from 'node:fs';
import { Random } from '@ehr-backdoor/core';
import { detectionAuroc, tprAtFpr, truthMask } from './detection-metrics.js';
import { inputScreening, type ScreeningData } from './input-screening.js';
import { consistency } from './screening-consistency.js';

interface Reference {
  readonly ridge: number;
  readonly values: number[];
  readonly charting: number[];
  readonly rows: number;
  readonly hours: number;
  readonly cohortValues: (number | null)[];
  readonly mask: number[];
}

/** Scores of small hourly cohorts from numpy/scipy (tools/scripts/consistency-fixtures.py); null = NaN. */
const reference = JSON.parse(readFileSync(new URL('./__fixtures__/screening-consistency.json', import.meta.url), 'utf8')) as {
  small: Reference;
  constant: Reference;
  strided: Pick<Reference, 'ridge' | 'values' | 'charting'>;
};

const referenceData = (r: Reference, channels: readonly string[]) => ({
  values: Float64Array.from(r.cohortValues, (x) => x ?? NaN),
  mask: Uint8Array.from(r.mask),
  rows: r.rows,
  hours: r.hours,
  channels,
});

const CHANNELS = ['hr', 'sbp', 'hgb', 'hct'];
const T = 12;

/**
 * Hourly stays: heart rate and systolic pressure drift together around a stay's own level (a shared
 * severity), charted every hour; haemoglobin and haematocrit come from one sample (haematocrit ≈ 3 ×
 * haemoglobin), drawn at 2–3 random hours of the stay and always together.
 */
function hourlyCohort(n: number, seed: number) {
  const random = Random.fromSeed(seed, 'consistency-cohort');
  const C = CHANNELS.length;
  const values = new Float64Array(n * T * C);
  const mask = new Uint8Array(n * T * C);
  for (let i = 0; i < n; i++) {
    const severity = random.normal();
    let hr = 85 + 12 * severity + 5 * random.normal();
    let sbp = 120 - 12 * severity + 5 * random.normal();
    const hgb = 11 + 1.5 * random.normal();
    const drawn = new Set([random.int(T), random.int(T), random.int(T)]);
    for (let t = 0; t < T; t++) {
      const shared = random.normal();
      hr += 2 * shared + random.normal();
      sbp += -2 * shared + random.normal();
      const k = (i * T + t) * C;
      values[k] = Math.round(hr);
      values[k + 1] = Math.round(sbp);
      mask[k] = mask[k + 1] = 1;
      if (drawn.has(t)) {
        values[k + 2] = Math.round(10 * (hgb + 0.2 * random.normal())) / 10;
        values[k + 3] = Math.round(3 * values[k + 2] + 0.6 * random.normal());
        mask[k + 2] = mask[k + 3] = 1;
      } else if (t > 0) {
        values[k + 2] = values[k - C + 2];
        values[k + 3] = values[k - C + 3];
      }
    }
  }
  return { values, mask, C };
}

const view = (c: ReturnType<typeof hourlyCohort>, rows: number): Extract<ScreeningData, { view: 'timeseries' }> => ({
  view: 'timeseries',
  values: c.values,
  mask: c.mask,
  rows,
  hours: T,
  channels: CHANNELS,
});

/** The first hour haemoglobin was drawn, or −1. */
function firstDraw(c: ReturnType<typeof hourlyCohort>, i: number): number {
  for (let t = 0; t < T; t++) if (c.mask[(i * T + t) * c.C + 2]) return t;
  return -1;
}

describe('consistency (joint value and charting model on the hourly grid)', () => {
  it('matches a numpy reference on a few stays, hours and channels', () => {
    // 6 stays × 6 hours: hr charted in 30 hours (stay 0 from hour 0), lac in 13, k in exactly 8, as many as
    // the predictors: too few for a value model (its value scores are 0, no warning), but its charting is
    // modelled. All three are right-skewed here (log scale). Uncharted hours hold the last value
    // (forward-filled), NaN before the first; 12 predicted charting probabilities are clamped to [1/72, 71/72].
    const warnings: string[] = [];
    const { small } = reference;
    const { values, charting } = consistency(referenceData(small, ['hr', 'lac', 'k']), small.ridge, warnings);
    expect(Array.from(values)).toEqual(small.values.map((s) => expect.closeTo(s, 6)));
    expect(Array.from(charting)).toEqual(small.charting.map((s) => expect.closeTo(s, 6)));
    expect(warnings).toEqual([]);
  });

  it('leaves a charted hour holding no number out of the value model, not the whole channel', () => {
    const { small } = reference;
    const data = referenceData(small, ['hr', 'lac', 'k']);
    // Stay 0, hour 0: hr charted (mask 1) but NaN.
    expect(data.mask[0]).toBe(1);
    data.values[0] = NaN;
    const warnings: string[] = [];
    const { values } = consistency(data, small.ridge, warnings);
    const hr = Array.from({ length: small.rows }, (_, i) => values[i * 3]);
    expect(hr.every(Number.isFinite)).toBe(true);
    expect(hr.some((s) => s > 0)).toBe(true);
    expect(warnings).toEqual([]);
  });

  it('standardises a channel charted at one constant value to 0', () => {
    // fio2 charted 4 times at 21 %: no spread, so z = 0 (standard deviation taken as 1), not 0 / 0.
    const { constant } = reference;
    const { values, charting } = consistency(referenceData(constant, ['hr', 'fio2']), constant.ridge, []);
    expect(Array.from(values)).toEqual(constant.values.map((s) => expect.closeTo(s, 6)));
    expect(Array.from(charting)).toEqual(constant.charting.map((s) => expect.closeTo(s, 6)));
  });

  it('fits a model of more than 16384 hours on a fixed stride of them, as the numpy reference does', () => {
    // 4 stays × 4100 hours from integer formulas: every other hour fits each charting model.
    const [n, hours] = [4, 4100];
    const values = new Float64Array(n * hours * 2);
    const mask = new Uint8Array(n * hours * 2);
    for (let i = 0; i < n; i++) {
      const last = [NaN, NaN];
      for (let t = 0; t < hours; t++) {
        const k = (i * hours + t) * 2;
        mask[k] = (i * 31 + t * 17) % 7 !== 0 ? 1 : 0;
        mask[k + 1] = (t * 13 + i * 5) % 11 < 2 ? 1 : 0;
        if (mask[k]) last[0] = 60 + ((i * 40503 + t * 7919) % 61);
        if (mask[k + 1]) last[1] = 1 + ((i * 7 + t * 3) % 23) / 10;
        [values[k], values[k + 1]] = last;
      }
    }
    const { strided } = reference;
    const out = consistency({ values, mask, rows: n, hours, channels: ['hr', 'lac'] }, strided.ridge, []);
    expect(Array.from(out.values)).toEqual(strided.values.map((s) => expect.closeTo(s, 6)));
    expect(Array.from(out.charting)).toEqual(strided.charting.map((s) => expect.closeTo(s, 6)));
  });

  it('leaves out, with a warning, the models whose least-squares system does not solve', () => {
    // Without a ridge, a channel never charted gives all-zero predictors: no model solves. k (8 charted
    // hours) has no value model to fail.
    const { small } = reference;
    const data = referenceData(small, ['hr', 'lac', 'k', 'gcs']);
    const C = 4;
    const values = new Float64Array(small.rows * small.hours * C).fill(NaN);
    const mask = new Uint8Array(values.length);
    for (let k = 0; k < small.rows * small.hours; k++)
      for (let c = 0; c < 3; c++) {
        values[k * C + c] = data.values[k * 3 + c];
        mask[k * C + c] = data.mask[k * 3 + c];
      }
    const warnings: string[] = [];
    const out = consistency({ ...data, values, mask }, 0, warnings);
    expect(warnings).toEqual([
      'consistency: the value model of hr did not solve; it is left out',
      'consistency: the charting model of hr did not solve; it is left out',
      'consistency: the value model of lac did not solve; it is left out',
      'consistency: the charting model of lac did not solve; it is left out',
      'consistency: the charting model of k did not solve; it is left out',
      'consistency: the charting model of gcs did not solve; it is left out',
    ]);
    expect(Array.from(out.values).every((s) => s === 0)).toBe(true);
    expect(Array.from(out.charting).every((s) => s === 0)).toBe(true);
  });

  const n = 800;

  it('finds in-range values inconsistent with their partners, and a sample drawn without its partner', () => {
    const c = hourlyCohort(n, 1);
    const planted = Random.fromSeed(2, 'plant')
      .sampleIndices(n, 30)
      .filter((i) => firstDraw(c, i) >= 0);
    const byValue = planted.slice(0, 15);
    const byCharting = planted.slice(15);
    for (const i of byValue) {
      // Haematocrit 38 % with haemoglobin 9.5 g/dL: each about 1 SD from its mean, together impossible.
      const k = (i * T + firstDraw(c, i)) * c.C;
      c.values[k + 2] = 9.5;
      c.values[k + 3] = 38;
    }
    for (const i of byCharting)
      for (let t = 0; t < T; t++) {
        // Haemoglobin never reported, though the haematocrit of the same samples was.
        const k = (i * T + t) * c.C;
        c.mask[k + 2] = 0;
        c.values[k + 2] = 11;
      }
    const truthValue = truthMask(n, byValue);
    const truthCharting = truthMask(n, byCharting);
    const { values, charting } = consistency(view(c, n), 1, []);
    const stay = (s: Float64Array) => Float64Array.from({ length: n }, (_, i) => Math.max(...s.subarray(i * c.C, i * c.C + c.C)));
    expect(detectionAuroc(stay(values), truthValue).value).toBeGreaterThan(0.99);
    expect(tprAtFpr(stay(values), truthValue, 0.01).value).toBeGreaterThanOrEqual(0.9);
    expect(detectionAuroc(stay(charting), truthCharting).value).toBeGreaterThan(0.99);
    expect(tprAtFpr(stay(charting), truthCharting, 0.02).value).toBeGreaterThanOrEqual(0.9);

    // Univariate screening alone does not see the value pairs: both values are ordinary on their own.
    const univariate = inputScreening({ data: view(c, n), assumedContamination: 0.01, components: ['univariate'] });
    expect(detectionAuroc(univariate.scores, truthValue).value).toBeLessThan(0.75);
    const joint = inputScreening({
      data: view(c, n),
      assumedContamination: planted.length / n,
      components: ['consistency-values', 'consistency-missingness'],
    });
    // Within one budget the two components compete: the value pairs stand out further than a missing partner.
    const flaggedWith = (truth: Uint8Array) => Array.from(joint.flagged).filter((i) => truth[i]).length;
    expect(flaggedWith(truthValue)).toBeGreaterThanOrEqual(14);
    expect(flaggedWith(truthCharting)).toBeGreaterThanOrEqual(10);
    const named = joint.perLabel.map((p) => `${p.component} ${String(p.topVariables)}`).join(' | ');
    expect(named).toMatch(/consistency-values (hgb|hct):\d+/);
    expect(named).toMatch(/consistency-missingness (hgb|hct):\d+/);
  });

  it('flags no more than its budget on clean stays, and no stay stands far out of the bulk', () => {
    const c = hourlyCohort(n, 3);
    const result = inputScreening({
      data: view(c, n),
      assumedContamination: 0.01,
      components: ['consistency-values', 'consistency-missingness'],
    });
    expect(result.flagged).toHaveLength(8);
    const sorted = Float64Array.from(result.scores).sort();
    // On the components' own scale (bulk spread 1 above the median): clean tails, not trigger-sized outliers.
    expect(sorted[n - 1]).toBeLessThan(6);
    expect(result.warnings).toEqual([]);
  });

  it('is deterministic and reads the hourly charting given beside tabular features', () => {
    const c = hourlyCohort(300, 5);
    const first = consistency(view(c, 300), 1, []);
    const second = consistency(view(c, 300), 1, []);
    expect(Buffer.from(first.values.buffer).equals(Buffer.from(second.values.buffer))).toBe(true);
    expect(Buffer.from(first.charting.buffer).equals(Buffer.from(second.charting.buffer))).toBe(true);
    const tabular: ScreeningData = {
      view: 'tabular',
      values: Float64Array.from({ length: 300 }, (_, i) => c.values[i * T * c.C]),
      rows: 300,
      variables: ['hr'],
      hourly: { values: c.values, mask: c.mask, rows: 300, hours: T, channels: CHANNELS },
    };
    const viaTabular = inputScreening({ data: tabular, assumedContamination: 0.05, components: ['consistency-values'] });
    const viaHourly = inputScreening({ data: view(c, 300), assumedContamination: 0.05, components: ['consistency-values'] });
    expect(Array.from(viaTabular.scores)).toEqual(Array.from(viaHourly.scores));
  });

  it('rejects the consistency components without hourly charting, and charting of other stays', () => {
    const c = hourlyCohort(50, 6);
    const tabular: ScreeningData = { view: 'tabular', values: new Float64Array(50), rows: 50, variables: ['hr'] };
    expect(() => inputScreening({ data: tabular, assumedContamination: 0.1, components: ['consistency-values'] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: expect.stringMatching(/'consistency-values'.*hourly/) }),
    );
    const mismatched: ScreeningData = { ...tabular, hourly: { values: c.values, mask: c.mask, rows: 49, hours: T, channels: CHANNELS } };
    expect(() => inputScreening({ data: mismatched, assumedContamination: 0.1, components: ['consistency-missingness'] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT', message: expect.stringMatching(/same 50 stays/) }),
    );
    const short: ScreeningData = {
      ...tabular,
      hourly: { values: c.values.subarray(1), mask: c.mask, rows: 50, hours: T, channels: CHANNELS },
    };
    expect(() => inputScreening({ data: short, assumedContamination: 0.1, components: ['consistency-values'] })).toThrow(
      expect.objectContaining({ code: 'E_DETECT_INPUT' }),
    );
  });
});
