import { Random } from '@ehr-backdoor/core';

/**
 * Test fixture (used by specs only): n × d Gaussian representations, labels 0/1 half and half, and
 * `poisoned` rows of label 1 shifted by `shift` along one fixed direction (a backdoor's signature),
 * or not shifted at all when `shift` is 0.
 */
export function syntheticRepresentations(n: number, d: number, poisoned: number, shift: number, seed = 1) {
  const random = Random.fromSeed(seed, 'synthetic-representations');
  const values = Float64Array.from({ length: n * d }, () => random.normal());
  const labels = Uint8Array.from({ length: n }, (_, i) => (i < n / 2 ? 0 : 1));
  const direction = Float64Array.from({ length: d }, () => random.normal());
  const norm = Math.hypot(...direction);
  const poisonedIndices = random.sampleIndices(n - Math.ceil(n / 2), poisoned).map((k) => Math.ceil(n / 2) + k);
  for (const i of poisonedIndices) for (let j = 0; j < d; j++) values[i * d + j] += (shift * direction[j]) / norm;
  return { matrix: { values, rows: n, cols: d }, labels, poisonedIndices };
}
