import { Random } from '@ehr-backdoor/core';
import {
  CLINICAL_VARIABLES,
  STATIC_FEATURES,
  TABULAR_STATS,
  createDataset,
  type EhrDataset,
  type TabularFeature,
} from '@ehr-backdoor/data';

/**
 * The benchmarks' synthetic dataset in the real layout (182 tabular features; `hours` × 72 time-series
 * inputs): `rows` training stays and 256 validation stays, labels from a latent risk. Seeded, so the
 * train benchmark and the weights fingerprint see the same stays.
 */
export function benchDataset(rows: number, hours = 24): EhrDataset {
  const rng = Random.fromSeed(1, 'bench');
  const channels = CLINICAL_VARIABLES.map((v) => v.name);
  const features: TabularFeature[] = [
    ...channels.flatMap((variable) => TABULAR_STATS.map((stat) => ({ name: `${variable}_${stat}`, variable, stat }))),
    ...STATIC_FEATURES.map((f) => ({ name: f.name, variable: f.name, stat: 'static' as const })),
  ];
  const n = rows + 256;
  const C = channels.length;
  const risk = Float64Array.from({ length: n }, () => rng.normal());
  return createDataset({
    stayIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    subjectIds: Int32Array.from({ length: n }, (_, i) => i + 1),
    labels: Array.from(risk, (r) => (rng.next() < 1 / (1 + Math.exp(-(2 * r - 2))) ? 1 : 0)),
    splits: Array.from({ length: n }, (_, i) => (i < rows ? 0 : 1)),
    tabular: {
      features,
      values: Float32Array.from({ length: n * features.length }, (_, k) =>
        rng.next() < 0.1 ? NaN : risk[Math.floor(k / features.length)] + rng.normal(),
      ),
    },
    timeSeries: {
      channels,
      hours,
      values: Float32Array.from({ length: n * hours * C }, (_, k) => risk[Math.floor(k / (hours * C))] + rng.normal()),
      mask: Uint8Array.from({ length: n * hours * C }, () => (rng.next() < 0.3 ? 1 : 0)),
    },
  });
}
