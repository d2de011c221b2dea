import type { DuckDbSession, QueryProgressReport } from '../mimic/duckdb-session.js';
import { relativeName } from '../mimic/schema.js';
import type { LocatedTable } from '../mimic/tables.js';
import type { ClinicalVariable, VariableSource } from '../variables.js';
import { CREATE_WINDOW_EVENTS_SQL, insertWindowEventsSql, variableItemsSql } from './events-sql.js';

/**
 * `window_events`: the cohort's measurements inside their observation windows, one streaming DuckDB scan
 * per event table (chartevents, then labevents), filtered to the variables' item ids. Raw events never
 * leave DuckDB.
 */

/** The variable table and an empty window_events, ready for the scans. */
export async function createWindowEvents(session: DuckDbSession, variables: readonly ClinicalVariable[]): Promise<void> {
  await session.run(variableItemsSql(variables), { step: 'creating the variable table', files: [] });
  await session.run(CREATE_WINDOW_EVENTS_SQL, { step: 'creating window_events', files: [] });
}

/** Appends `table`'s events (from `source`) in the cohort's windows; `onProgress` ticks during the scan. */
export async function scanWindowEvents(
  session: DuckDbSession,
  table: LocatedTable,
  source: VariableSource,
  variables: readonly ClinicalVariable[],
  onProgress: (report: QueryProgressReport) => void,
): Promise<void> {
  await session.run(insertWindowEventsSql(table, source, variables), { step: `reading ${relativeName(table)}`, files: [table.path] }, onProgress);
}
