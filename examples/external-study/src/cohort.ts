import { Random } from '@ehr-backdoor/core';
import { assignPatientSplits, DEFAULT_SPLIT_FRACTIONS, SPLIT_CODE, type DatasetArrays, type TabularFeature } from '@ehr-backdoor/data';

/**
 * The study's own cohort, built as plain arrays the way a group with its own ICU data would export it:
 * per stay an hourly grid of seven variables (NaN where not charted), age and sex, and in-hospital death.
 *
 *   patients ─▶ stays (some patients return) ─▶ latent severity ─▶ hourly charting (vitals often, labs rarely)
 *     ─▶ per-variable summaries (min, max, mean, last, count) ─▶ outcome from severity, age and lactate
 *
 * Variable names and units are the project's (`CLINICAL_VARIABLES`), so its triggers know their ranges.
 */
export const CHANNELS = ['heart_rate', 'sbp', 'resp_rate', 'spo2', 'temperature', 'lactate', 'creatinine'] as const;
type Channel = (typeof CHANNELS)[number];

/** Healthy mean, shift per unit of severity, hourly noise sd, and probability of being charted in an hour. */
const PHYSIOLOGY: Record<Channel, { mean: number; perSeverity: number; sd: number; charted: number; low: number; high: number }> = {
  heart_rate: { mean: 82, perSeverity: 12, sd: 6, charted: 0.95, low: 30, high: 200 },
  sbp: { mean: 125, perSeverity: -14, sd: 8, charted: 0.9, low: 50, high: 220 },
  resp_rate: { mean: 17, perSeverity: 3.5, sd: 2, charted: 0.85, low: 5, high: 50 },
  spo2: { mean: 97, perSeverity: -2.5, sd: 1.2, charted: 0.9, low: 60, high: 100 },
  // Unrelated to severity in this cohort: a trigger on it is pure signal for the backdoor.
  temperature: { mean: 37, perSeverity: 0, sd: 0.4, charted: 0.6, low: 34, high: 40 },
  lactate: { mean: 1.4, perSeverity: 1.1, sd: 0.3, charted: 0.15, low: 0.3, high: 15 },
  creatinine: { mean: 1.0, perSeverity: 0.45, sd: 0.1, charted: 0.12, low: 0.2, high: 10 },
};

const STATS = ['min', 'max', 'mean', 'last', 'count'] as const;

export interface CohortOptions {
  readonly patients: number;
  readonly hours: number;
  readonly seed: number;
}

/** The simulated stays: ids, outcome, age and sex, and the raw hourly grid (NaN and mask 0 where not charted). */
interface SimulatedStays {
  readonly stayIds: number[];
  readonly subjectIds: number[];
  readonly labels: number[];
  readonly statics: [age: number, sexMale: number][];
  /** n × T × C, row-major (stay, hour, channel). */
  readonly grid: number[];
  readonly mask: number[];
}

export function buildCohort(options: CohortOptions): DatasetArrays {
  const { patients, hours: T, seed } = options;
  const stays = simulateStays(patients, T, Random.fromSeed(seed, 'external-study cohort'));
  const n = stays.stayIds.length;
  const features: TabularFeature[] = [
    ...CHANNELS.flatMap((variable) => STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    { name: 'age', variable: 'age', stat: 'static' },
    { name: 'sex_male', variable: 'sex_male', stat: 'static' },
  ];
  const tabular = tabularSummaries(stays, T, features.length);
  // The time-series view's rule: forward fill after the first observation, the channel's training median before it.
  const splits = assignPatientSplits(stays.subjectIds, stays.labels, DEFAULT_SPLIT_FRACTIONS, seed);
  const fillValues = trainingMedians(stays, splits, T);
  const values = forwardFill(stays, fillValues, T);
  return {
    stayIds: stays.stayIds,
    subjectIds: stays.subjectIds,
    labels: stays.labels,
    splits,
    tabular: { features, values: tabular },
    timeSeries: { channels: [...CHANNELS], hours: T, values, mask: stays.mask, fillValues },
    windowHours: T,
    seed,
    source: 'examples/external-study synthetic cohort',
    cohortSteps: [
      { name: 'synthetic patients', remaining: patients },
      { name: 'ICU stays', remaining: n },
    ],
  };
}

/** Patients with their stays (15 % return once), each charted hour by hour and given an outcome. */
function simulateStays(patients: number, T: number, random: Random): SimulatedStays {
  const stays: SimulatedStays = { stayIds: [], subjectIds: [], labels: [], statics: [], grid: [], mask: [] };
  let nextStay = 30_000_000;
  for (let p = 0; p < patients; p++) {
    const subjectId = 10_000_000 + p;
    const age = Math.min(95, Math.max(18, random.normal(64, 15)));
    const sexMale = random.next() < 0.55 ? 1 : 0;
    const count = random.next() < 0.15 ? 2 : 1;
    for (let s = 0; s < count; s++) {
      const severity = Math.max(-1, random.normal(0, 1));
      const lactate = chartStay(stays, T, severity, random);
      const logit = -2.6 + 1.3 * severity + 0.03 * (age - 64) + 0.35 * (lactate - 1.4);
      stays.labels.push(random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
      stays.stayIds.push(nextStay++);
      stays.subjectIds.push(subjectId);
      stays.statics.push([age, sexMale]);
    }
  }
  return stays;
}

/** Appends one stay's hourly grid and mask; returns its mean charted lactate (the healthy mean if none). */
function chartStay(stays: SimulatedStays, T: number, severity: number, random: Random): number {
  let lactateSum = 0;
  let lactateCount = 0;
  for (let t = 0; t < T; t++) {
    // Severe stays drift further from normal over the window.
    const drift = severity * (0.6 + (0.4 * t) / T);
    for (const name of CHANNELS) {
      const phys = PHYSIOLOGY[name];
      const observed = random.next() < phys.charted;
      const value = Math.min(phys.high, Math.max(phys.low, phys.mean + phys.perSeverity * drift + random.normal(0, phys.sd)));
      stays.grid.push(observed ? value : NaN);
      stays.mask.push(observed ? 1 : 0);
      if (observed && name === 'lactate') {
        lactateSum += value;
        lactateCount++;
      }
    }
  }
  return lactateCount > 0 ? lactateSum / lactateCount : PHYSIOLOGY.lactate.mean;
}

/** Per stay: each channel's min, max, mean, last and count over the window, then age and sex. */
function tabularSummaries(stays: SimulatedStays, T: number, width: number): Float32Array {
  const { grid, mask, statics } = stays;
  const n = stays.stayIds.length;
  const C = CHANNELS.length;
  const tabular = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    const row = i * width;
    CHANNELS.forEach((_, c) => {
      const seen: number[] = [];
      for (let t = 0; t < T; t++) if (mask[(i * T + t) * C + c]) seen.push(grid[(i * T + t) * C + c]);
      const summary =
        seen.length === 0
          ? [NaN, NaN, NaN, NaN, 0]
          : [Math.min(...seen), Math.max(...seen), seen.reduce((a, x) => a + x, 0) / seen.length, seen[seen.length - 1], seen.length];
      tabular.set(summary, row + c * STATS.length);
    });
    tabular.set(statics[i], row + C * STATS.length);
  }
  return tabular;
}

/** Per channel, the (upper) median of its charted values in the training split; the healthy mean if never charted there. */
function trainingMedians(stays: SimulatedStays, splits: ArrayLike<number>, T: number): number[] {
  const { grid, mask } = stays;
  const n = stays.stayIds.length;
  const C = CHANNELS.length;
  return CHANNELS.map((_, c) => {
    const observed: number[] = [];
    for (let i = 0; i < n; i++) {
      if (splits[i] !== SPLIT_CODE.train) continue;
      for (let t = 0; t < T; t++) if (mask[(i * T + t) * C + c]) observed.push(grid[(i * T + t) * C + c]);
    }
    observed.sort((a, b) => a - b);
    return observed.length > 0 ? observed[Math.floor(observed.length / 2)] : PHYSIOLOGY[CHANNELS[c]].mean;
  });
}

/** The grid with each gap filled by the channel's last charted value, or its fill value before the first. */
function forwardFill(stays: SimulatedStays, fillValues: readonly number[], T: number): Float32Array {
  const { grid, mask } = stays;
  const n = stays.stayIds.length;
  const C = CHANNELS.length;
  const values = new Float32Array(n * T * C);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      let last = fillValues[c];
      for (let t = 0; t < T; t++) {
        const k = (i * T + t) * C + c;
        if (mask[k]) last = grid[k];
        values[k] = last;
      }
    }
  }
  return values;
}
