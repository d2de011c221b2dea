import type { CohortArrays } from '../cohort/build-cohort.js';
import type { DuckDbSession } from '../mimic/duckdb-session.js';
import { STATIC_FEATURES, type ClinicalVariable, type TabularStat } from '../variables.js';
import { HOURLY_GRID_SQL, RANGE_COUNTS_SQL, TABULAR_SUMMARY_SQL } from './events-sql.js';
import { createHourlyGrid, setObserved, type HourlyGrid } from './hourly-grid.js';
import { TabularMatrix } from './tabular-features.js';

/**
 * window_events aggregated into what JS holds: per variable the values dropped as implausible and the
 * ones kept, the hourly grid (hour means, unobserved cells NaN), and the tabular summaries with the
 * static features.
 */
export interface AggregatedFeatures {
  readonly outOfRange: Record<string, number>;
  readonly measurements: Record<string, number>;
  readonly grid: HourlyGrid;
  readonly tabular: TabularMatrix;
}

export async function aggregateFeatures(
  session: DuckDbSession,
  cohort: CohortArrays,
  hours: number,
  variables: readonly ClinicalVariable[],
): Promise<AggregatedFeatures> {
  const { outOfRange, measurements } = await rangeCounts(session, variables);
  const grid = await hourlyGrid(session, cohort.stayIds.length, hours, variables.length);
  const tabular = await tabularSummaries(session, cohort, variables.length);
  return { outOfRange, measurements, grid, tabular };
}

async function rangeCounts(session: DuckDbSession, variables: readonly ClinicalVariable[]): Promise<Pick<AggregatedFeatures, 'outOfRange' | 'measurements'>> {
  const outOfRange: Record<string, number> = Object.fromEntries(variables.map((v) => [v.name, 0]));
  const measurements: Record<string, number> = Object.fromEntries(variables.map((v) => [v.name, 0]));
  for (const row of await session.rows(RANGE_COUNTS_SQL, { step: 'counting out-of-range values', files: [] })) {
    const name = variables[Number(row.var_idx)].name;
    outOfRange[name] = Number(row.dropped);
    measurements[name] = Number(row.kept);
  }
  return { outOfRange, measurements };
}

async function hourlyGrid(session: DuckDbSession, n: number, hours: number, channels: number): Promise<HourlyGrid> {
  const grid = createHourlyGrid(n, hours, channels);
  await session.forEachChunk(HOURLY_GRID_SQL, { step: 'aggregating the hourly grid', files: [] }, (chunk) => {
    const [stay, hour, channel, mean] = [0, 1, 2, 3].map((k) => chunk.getColumnVector(k));
    for (let r = 0; r < chunk.rowCount; r++) {
      setObserved(grid, stay.getItem(r) as number, hour.getItem(r) as number, channel.getItem(r) as number, mean.getItem(r) as number);
    }
  });
  return grid;
}

async function tabularSummaries(session: DuckDbSession, cohort: CohortArrays, variableCount: number): Promise<TabularMatrix> {
  const n = cohort.stayIds.length;
  const tabular = new TabularMatrix(n, variableCount);
  await session.forEachChunk(TABULAR_SUMMARY_SQL, { step: 'aggregating tabular summaries', files: [] }, (chunk) => {
    const vectors = [0, 1, 2, 3, 4, 5, 6].map((k) => chunk.getColumnVector(k));
    for (let r = 0; r < chunk.rowCount; r++) {
      const [stay, variable, min, max, mean, last, count] = vectors.map((v) => v.getItem(r) as number);
      tabular.setSummary(stay, variable, { min, max, mean, last, count } satisfies Record<TabularStat, number>);
    }
  });
  for (let i = 0; i < n; i++) {
    tabular.setStatic(i, STATIC_FEATURES.findIndex((s) => s.name === 'age'), cohort.age[i]);
    tabular.setStatic(i, STATIC_FEATURES.findIndex((s) => s.name === 'sex_male'), cohort.sexMale[i]);
  }
  return tabular;
}
