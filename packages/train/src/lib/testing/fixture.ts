import { Random } from '@ehr-backdoor/core';
import { createDataset, type EhrDataset, type TabularFeature } from '@ehr-backdoor/data';

/**
 * A small signal-bearing dataset for tests: mortality depends on lactate, heart rate and age, in both
 * views, with missing values (NaN in the tabular view, unobserved hours in the series).
 */
export function fixtureDataset(n = 240, hours = 6, seed = 7): EhrDataset {
  const rng = Random.fromSeed(seed, 'fixture');
  const channels = ['heart_rate', 'sbp', 'lactate'];
  const stats = ['min', 'max', 'mean', 'last', 'count'] as const;
  const features: TabularFeature[] = [
    ...channels.flatMap((variable) => stats.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    { name: 'age', variable: 'age', stat: 'static' },
    { name: 'sex_male', variable: 'sex_male', stat: 'static' },
  ];
  const C = channels.length;
  const F = features.length;
  const tabular = new Float32Array(n * F);
  const values = new Float32Array(n * hours * C);
  const mask = new Uint8Array(n * hours * C);
  const labels = new Uint8Array(n);
  const base = [85, 120, 2];
  const spread = [15, 20, 1.2];
  for (let i = 0; i < n; i++) {
    const risk = rng.normal();
    const age = 40 + 40 * rng.next();
    labels[i] = rng.next() < 1 / (1 + Math.exp(-(2.2 * risk + 0.04 * (age - 60) - 1.6))) ? 1 : 0;
    for (let c = 0; c < C; c++) {
      const level = base[c] + spread[c] * (c === 1 ? -0.6 * risk : 0.8 * risk) + spread[c] * 0.5 * rng.normal();
      let last = NaN;
      const seen: number[] = [];
      for (let t = 0; t < hours; t++) {
        const observed = rng.next() < (c === 2 ? 0.4 : 0.85);
        const cell = (i * hours + t) * C + c;
        if (observed) {
          last = level + spread[c] * 0.3 * rng.normal();
          seen.push(last);
          mask[cell] = 1;
        }
        values[cell] = Number.isNaN(last) ? base[c] : last;
      }
      const row = i * F + c * stats.length;
      tabular[row] = seen.length ? Math.min(...seen) : NaN;
      tabular[row + 1] = seen.length ? Math.max(...seen) : NaN;
      tabular[row + 2] = seen.length ? seen.reduce((a, b) => a + b, 0) / seen.length : NaN;
      tabular[row + 3] = seen.length ? seen[seen.length - 1] : NaN;
      tabular[row + 4] = seen.length;
    }
    tabular[i * F + F - 2] = age;
    tabular[i * F + F - 1] = rng.next() < 0.5 ? 1 : 0;
  }
  return createDataset({
    stayIds: Int32Array.from({ length: n }, (_, i) => 1000 + i),
    subjectIds: Int32Array.from({ length: n }, (_, i) => 500 + i),
    labels,
    splits: Array.from({ length: n }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 8 ? 1 : 2)),
    tabular: { features, values: tabular },
    timeSeries: { channels, hours, values, mask, fillValues: Float32Array.from(base) },
  });
}
