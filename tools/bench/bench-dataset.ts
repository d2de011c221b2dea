import { Random } from '@ehr-backdoor/core';
import {
  CLINICAL_VARIABLES,
  STATIC_FEATURES,
  TABULAR_STATS,
  createDataset,
  type EhrDataset,
  type TabularFeature,
} from '@ehr-backdoor/data';

/** What a benchmark changes in {@link benchDataset}; the defaults are the train benchmark's. */
export interface BenchDatasetOptions {
  /** The seeded stream the stays are drawn from (default `bench`). */
  readonly stream?: string;
  /** Validation stays after the training ones (default 256). */
  readonly validation?: number;
  /** Test stays after those (default 0). */
  readonly test?: number;
  /** Whether the time series carry the latent risk as the tabular features do (default true). */
  readonly seriesCarryRisk?: boolean;
}

/**
 * The benchmarks' synthetic dataset in the real layout (182 tabular features; `hours` × 72 time-series
 * inputs): `rows` training stays, then validation and test stays, labels from a latent risk. Seeded, so
 * the train benchmark and the weights fingerprint see the same stays.
 */
export function benchDataset(rows: number, hours = 24, options: BenchDatasetOptions = {}): EhrDataset {
  const { stream = 'bench', validation = 256, test = 0, seriesCarryRisk = true } = options;
  const rng = Random.fromSeed(1, stream);
  const channels = CLINICAL_VARIABLES.map((v) => v.name);
  const features: TabularFeature[] = [
    ...channels.flatMap((variable) => TABULAR_STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    ...STATIC_FEATURES.map((f) => ({ name: f.name, variable: f.name, stat: 'static' as const })),
  ];
  const n = rows + validation + test;
  const C = channels.length;
  const risk = Float64Array.from({ length: n }, () => rng.normal());
  return createDataset({
    stayIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    subjectIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    labels: Array.from(risk, (r) => (rng.next() < 1 / (1 + Math.exp(-(2 * r - 2))) ? 1 : 0)),
    splits: Array.from({ length: n }, (_, i) => (i < rows ? 0 : i < rows + validation ? 1 : 2)),
    tabular: {
      features,
      values: Float32Array.from({ length: n * features.length }, (_, k) =>
        rng.next() < 0.1 ? NaN : risk[Math.floor(k / features.length)] + rng.normal(),
      ),
    },
    timeSeries: {
      channels,
      hours,
      values: Float32Array.from({ length: n * hours * C }, (_, k) =>
        seriesCarryRisk ? risk[Math.floor(k / (hours * C))] + rng.normal() : rng.normal(),
      ),
      mask: Uint8Array.from({ length: n * hours * C }, () => (rng.next() < 0.3 ? 1 : 0)),
    },
  });
}
