import type { TabularFeature } from '../dataset/types.js';
import { STATIC_FEATURES, TABULAR_STATS, type ClinicalVariable, type TabularStat } from '../variables.js';

/**
 * The tabular view's columns: for each variable, its summary statistics over the window in
 * TABULAR_STATS order (`heart_rate_min`, …, `heart_rate_count`), then the static features.
 */
export function tabularFeatures(variables: readonly ClinicalVariable[]): TabularFeature[] {
  return [
    ...variables.flatMap((variable) =>
      TABULAR_STATS.map((stat): TabularFeature => ({ name: `${variable.name}_${stat}`, variable: variable.name, stat })),
    ),
    ...STATIC_FEATURES.map((s): TabularFeature => ({ name: s.name, variable: s.name, stat: 'static' })),
  ];
}

/**
 * An n × F row-major matrix in tabular-feature order. Summary statistics start as NaN ("never
 * measured in the window") with count 0; `setSummary` fills a measured (stay, variable).
 */
export class TabularMatrix {
  readonly values: Float32Array;
  readonly width: number;
  private readonly statOffset: Record<TabularStat, number>;

  constructor(
    readonly n: number,
    private readonly variableCount: number,
  ) {
    this.width = variableCount * TABULAR_STATS.length + STATIC_FEATURES.length;
    this.values = new Float32Array(n * this.width).fill(Number.NaN);
    this.statOffset = Object.fromEntries(TABULAR_STATS.map((stat, k) => [stat, k])) as Record<TabularStat, number>;
    const countAt = this.statOffset.count;
    for (let i = 0; i < n; i++) {
      for (let v = 0; v < variableCount; v++) this.values[i * this.width + v * TABULAR_STATS.length + countAt] = 0;
    }
  }

  setSummary(stay: number, variable: number, summary: Readonly<Record<TabularStat, number>>): void {
    const base = stay * this.width + variable * TABULAR_STATS.length;
    for (const stat of TABULAR_STATS) this.values[base + this.statOffset[stat]] = summary[stat];
  }

  /** Static features by STATIC_FEATURES position (age, sex_male); NaN stays NaN. */
  setStatic(stay: number, index: number, value: number): void {
    this.values[stay * this.width + this.variableCount * TABULAR_STATS.length + index] = value;
  }
}
