// Apart from `seed-points.ts` so that `base.ts`, which draws the points, does not import the module that
// finds them (and that module, in turn, base's helpers).

/**
 * The per-seed values behind an aggregated row, so across-seed plots show every seed, not only the
 * mean and its band: three seeds are few, and a reader should see them. Values are found as the
 * aggregation found them: the run's summary field, `{field}@{trigger}` of a clean `none` run for a
 * trigger's rate-0 row, and for paired deltas the clean run of the same seed.
 */
export interface SeedPoint {
  readonly model: string;
  readonly trigger: string;
  readonly poison_rate: number;
  readonly detector: string;
  readonly seed: number;
  readonly value: number;
  readonly run: string;
}
