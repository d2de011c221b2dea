/** What every detector returns: one score per training stay (higher = more suspicious) and the stays it flags. */
export interface DetectorResult {
  readonly detector: DetectorName;
  /** Length n; NaN where the detector could not score a stay (see `reasons`). */
  readonly scores: Float64Array;
  /** Flagged row indices, ascending. */
  readonly flagged: Int32Array;
  /** Per label: what the detector saw (sizes, eigenvalues, cluster sizes, thresholds). */
  readonly perLabel: readonly Readonly<Record<string, number | boolean | string>>[];
  /** Degenerate cases met on the way (a label with one stay, a power iteration that did not converge). */
  readonly warnings: readonly string[];
}

/** The detectors, by the names the runner, the summary columns and `runDetectors` use. */
export const DETECTOR_NAMES = [
  'spectral',
  'activation_clustering',
  'attribution',
  'strip',
  'input_screening',
  'confident_learning',
  'abl_isolation',
] as const;
/** One of {@link DETECTOR_NAMES}. */
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** How many stays a count-based detector flags: `factor` × the expected number of poisoned stays (Tran et al.: 1.5). */
export function flagCount(expectedPoisonCount: number, factor: number, available: number): number {
  return Math.min(available, Math.max(0, Math.round(factor * expectedPoisonCount)));
}

/** Indices of the `count` highest scores among `rows` (NaN last; ties broken by lower index). */
export function topScoring(scores: Float64Array, rows: ArrayLike<number>, count: number): number[] {
  const order = Array.from(rows).sort((a, b) => {
    const sa = Number.isNaN(scores[a]) ? -Infinity : scores[a];
    const sb = Number.isNaN(scores[b]) ? -Infinity : scores[b];
    return sb - sa || a - b;
  });
  return order.slice(0, count);
}
