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

export function buildCohort(options: CohortOptions): DatasetArrays {
  const { patients, hours: T, seed } = options;
  const random = Random.fromSeed(seed, 'external-study cohort');
  const C = CHANNELS.length;

  const stayIds: number[] = [];
  const subjectIds: number[] = [];
  const labels: number[] = [];
  const grid: number[] = [];
  const mask: number[] = [];
  const statics: [age: number, sexMale: number][] = [];
  let nextStay = 30_000_000;
  for (let p = 0; p < patients; p++) {
    const subjectId = 10_000_000 + p;
    const age = Math.min(95, Math.max(18, random.normal(64, 15)));
    const sexMale = random.next() < 0.55 ? 1 : 0;
    const stays = random.next() < 0.15 ? 2 : 1;
    for (let s = 0; s < stays; s++) {
      const severity = Math.max(-1, random.normal(0, 1));
      let lactateMean = 0;
      let lactateCount = 0;
      for (let t = 0; t < T; t++) {
        // Severe stays drift further from normal over the window.
        const drift = severity * (0.6 + (0.4 * t) / T);
        for (const name of CHANNELS) {
          const phys = PHYSIOLOGY[name];
          const observed = random.next() < phys.charted;
          const value = Math.min(phys.high, Math.max(phys.low, phys.mean + phys.perSeverity * drift + random.normal(0, phys.sd)));
          grid.push(observed ? value : NaN);
          mask.push(observed ? 1 : 0);
          if (observed && name === 'lactate') {
            lactateMean += value;
            lactateCount++;
          }
        }
      }
      const lactate = lactateCount > 0 ? lactateMean / lactateCount : PHYSIOLOGY.lactate.mean;
      const logit = -2.6 + 1.3 * severity + 0.03 * (age - 64) + 0.35 * (lactate - 1.4);
      labels.push(random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
      stayIds.push(nextStay++);
      subjectIds.push(subjectId);
      statics.push([age, sexMale]);
    }
  }
  const n = stayIds.length;

  const features: TabularFeature[] = [
    ...CHANNELS.flatMap((variable) => STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    { name: 'age', variable: 'age', stat: 'static' },
    { name: 'sex_male', variable: 'sex_male', stat: 'static' },
  ];
  const tabular = new Float32Array(n * features.length);
  for (let i = 0; i < n; i++) {
    const row = i * features.length;
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

  // The time-series view's rule: forward fill after the first observation, the channel's training median before it.
  const splits = assignPatientSplits(subjectIds, labels, DEFAULT_SPLIT_FRACTIONS, seed);
  const fillValues = CHANNELS.map((_, c) => {
    const observed: number[] = [];
    for (let i = 0; i < n; i++) {
      if (splits[i] !== SPLIT_CODE.train) continue;
      for (let t = 0; t < T; t++) if (mask[(i * T + t) * C + c]) observed.push(grid[(i * T + t) * C + c]);
    }
    observed.sort((a, b) => a - b);
    return observed.length > 0 ? observed[Math.floor(observed.length / 2)] : PHYSIOLOGY[CHANNELS[c]].mean;
  });
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

  return {
    stayIds,
    subjectIds,
    labels,
    splits,
    tabular: { features, values: tabular },
    timeSeries: { channels: [...CHANNELS], hours: T, values, mask, fillValues },
    windowHours: T,
    seed,
    source: 'examples/external-study synthetic cohort',
    cohortSteps: [
      { name: 'synthetic patients', remaining: patients },
      { name: 'ICU stays', remaining: n },
    ],
  };
}
