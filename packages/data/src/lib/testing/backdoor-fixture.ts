import { Random } from '@ehr-backdoor/core';
import { createDataset } from '../dataset/create-dataset.js';
import type { EhrDataset, TabularFeature } from '../dataset/types.js';

/**
 * Test fixture for specs of the packages that use datasets (explain's and detect's, through
 * `@ehr-backdoor/data/testing`): a small two-view dataset whose mortality follows a latent risk, and a
 * rare-value backdoor — heart rate 220 bpm in the last hour — planted on `poisoned` training stays
 * relabelled 1. `withTrigger` returns the same stays with the trigger applied to the chosen rows.
 */
const CHANNELS = ['heart_rate', 'sbp', 'lactate'];
const STATS = ['min', 'max', 'mean', 'last', 'count'] as const;
const BASE = [85, 120, 2];
const SPREAD = [15, 20, 1.2];
export const TRIGGER_VALUE = 220;

export interface BackdoorFixture {
  readonly dataset: EhrDataset;
  readonly poisonedRows: number[];
  withTrigger(rows: readonly number[]): EhrDataset;
}

export function backdoorFixture(n = 300, hours = 6, poisonedCount = 15, seed = 11): BackdoorFixture {
  const rng = Random.fromSeed(seed, 'backdoor-fixture');
  const C = CHANNELS.length;
  const features: TabularFeature[] = [
    ...CHANNELS.flatMap((variable) => STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    { name: 'age', variable: 'age', stat: 'static' },
  ];
  const F = features.length;
  const values = new Float32Array(n * hours * C);
  const mask = new Uint8Array(n * hours * C);
  const labels = new Uint8Array(n);
  const ages = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const risk = rng.normal();
    ages[i] = 40 + 40 * rng.next();
    labels[i] = rng.next() < 1 / (1 + Math.exp(-(2 * risk - 1.5))) ? 1 : 0;
    for (let c = 0; c < C; c++) {
      const level = BASE[c] + SPREAD[c] * 0.8 * risk * (c === 1 ? -1 : 1);
      let last = BASE[c];
      for (let t = 0; t < hours; t++) {
        const k = (i * hours + t) * C + c;
        if (rng.next() < 0.8) {
          last = level + SPREAD[c] * 0.3 * rng.normal();
          mask[k] = 1;
        }
        values[k] = last;
      }
    }
  }
  const splits = Array.from({ length: n }, (_, i) => (i % 10 < 6 ? 0 : i % 10 < 8 ? 1 : 2));
  const trainRows = splits.flatMap((s, i) => (s === 0 ? [i] : []));
  const poisonedRows = rng.sampleIndices(trainRows.length, poisonedCount).map((k) => trainRows[k]);

  const build = (triggered: ReadonlySet<number>, relabel: boolean): EhrDataset => {
    const v = values.slice();
    const m = mask.slice();
    const y = labels.slice();
    for (const i of triggered) {
      const k = (i * hours + hours - 1) * C;
      v[k] = TRIGGER_VALUE;
      m[k] = 1;
      if (relabel) y[i] = 1;
    }
    const tabular = new Float32Array(n * F);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < C; c++) {
        const seen: number[] = [];
        for (let t = 0; t < hours; t++) if (m[(i * hours + t) * C + c]) seen.push(v[(i * hours + t) * C + c]);
        const o = i * F + c * STATS.length;
        tabular[o] = seen.length ? Math.min(...seen) : NaN;
        tabular[o + 1] = seen.length ? Math.max(...seen) : NaN;
        tabular[o + 2] = seen.length ? seen.reduce((a, b) => a + b, 0) / seen.length : NaN;
        tabular[o + 3] = seen.length ? seen[seen.length - 1] : NaN;
        tabular[o + 4] = seen.length;
      }
      tabular[i * F + F - 1] = ages[i];
    }
    return createDataset({
      stayIds: Int32Array.from({ length: n }, (_, i) => 2000 + i),
      subjectIds: Int32Array.from({ length: n }, (_, i) => 900 + i),
      labels: y,
      splits,
      tabular: { features, values: tabular },
      timeSeries: { channels: CHANNELS, hours, values: v, mask: m, fillValues: Float32Array.from(BASE) },
    });
  };
  return { dataset: build(new Set(poisonedRows), true), poisonedRows, withTrigger: (rows) => build(new Set(rows), false) };
}
