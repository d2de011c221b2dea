import { readCsvSql } from '../mimic/schema.js';
import type { LocatedTable } from '../mimic/tables.js';
import type { ClinicalVariable, VariableSource } from '../variables.js';

/**
 * Measurements of the cohort's observation windows, as SQL a clinician-researcher can review.
 *
 *   variable_items (itemid → variable, unit conversion, plausible range)
 *   chartevents, labevents ──filter itemid, join cohort, keep intime ≤ charttime < intime + window──▶ window_events
 *     (admission weight and height: from `lookbackHours` before intime, counted in hour 0)
 *   window_events ──▶ out-of-range counts per variable
 *                 ──▶ hourly grid: mean per (stay, hour, variable) of in-range values
 *                 ──▶ tabular summary: min / max / mean / last / count per (stay, variable)
 *
 * The raw event tables are scanned once each and never leave DuckDB; only window_events (a few
 * dozen rows per stay-hour) is materialised, and only per-stay aggregates reach JavaScript.
 *
 * Means are taken over DECIMAL(18, 6) values: a DECIMAL sum is exact, so the mean does not depend on
 * the order DuckDB's threads happen to add rows in, and the dataset is bit-identical whatever the
 * order of rows in the input files. (Six decimals are far below float32 resolution of these values.)
 */

/** The item table: one row per (itemid, variable), with the variable's plausible range. */
export function variableItemsSql(variables: readonly ClinicalVariable[]): string {
  const rows = variables.flatMap((variable, varIdx) =>
    variable.itemids.map(
      (itemid) => `(${itemid}, ${varIdx}, '${variable.source}', ${variable.plausible[0]}, ${variable.plausible[1]}, ${variable.lookbackHours ?? 0})`,
    ),
  );
  return `
    CREATE TABLE variable_items AS
    SELECT * FROM (VALUES ${rows.join(',\n           ')})
      AS t(itemid, var_idx, source, plausible_low, plausible_high, lookback_hours)`;
}

export const CREATE_WINDOW_EVENTS_SQL = `
  CREATE TABLE window_events (
    stay_idx  INTEGER,    -- row of the cohort (ascending stay_id)
    var_idx   SMALLINT,   -- position in the variable table
    itemid    INTEGER,
    charttime TIMESTAMP,
    hour      SMALLINT,   -- whole hours since ICU intime: 0 .. window-1
    value     DOUBLE,     -- in the variable's unit (after conversion)
    in_range  BOOLEAN     -- inside the variable's plausible range
  )`;

/** SQL expression giving `valuenum` in the variable's unit, from each item's conversion. */
function conversionSql(variables: readonly ClinicalVariable[]): string {
  const cases = variables.flatMap((variable) => (variable.conversions ?? []).map((c) => `WHEN ${c.itemid} THEN ${c.sql}`));
  return cases.length === 0 ? 'valuenum' : `CASE itemid ${cases.join(' ')} ELSE valuenum END`;
}

/**
 * Appends one event table's measurements inside the cohort windows to window_events.
 * chartevents rows belong to a stay (joined by stay_id); labevents rows belong to a patient and are
 * joined by subject_id and time, so labs drawn in the ICU are found whether or not hadm_id is filled.
 */
export function insertWindowEventsSql(table: LocatedTable, source: VariableSource, variables: readonly ClinicalVariable[]): string {
  const itemids = variables.filter((v) => v.source === source).flatMap((v) => v.itemids);
  const key = source === 'chartevents' ? 'stay_id' : 'subject_id';
  return `
    INSERT INTO window_events
    WITH raw AS (
      SELECT TRY_CAST(${key} AS INTEGER)       AS ${key},
             TRY_CAST(itemid AS INTEGER)       AS itemid,
             TRY_CAST(charttime AS TIMESTAMP)  AS charttime,
             TRY_CAST(valuenum AS DOUBLE)      AS valuenum
      FROM ${readCsvSql(table)}
      WHERE TRY_CAST(itemid AS INTEGER) IN (${itemids.join(', ')})
    ),
    converted AS (
      SELECT ${key}, itemid, charttime, ${conversionSql(variables)} AS value FROM raw WHERE valuenum IS NOT NULL
    )
    SELECT c.stay_idx,
           vi.var_idx,
           e.itemid,
           e.charttime,
           -- Admission measurements read before intime (lookback_hours > 0) count in hour 0.
           greatest(floor(epoch(e.charttime - c.intime) / 3600), 0)::SMALLINT AS hour,
           e.value,
           e.value BETWEEN vi.plausible_low AND vi.plausible_high AS in_range
    FROM converted e
    JOIN cohort c          ON c.${key} = e.${key}
    JOIN variable_items vi ON vi.itemid = e.itemid AND vi.source = '${source}'
    WHERE e.charttime >= c.intime - to_hours(vi.lookback_hours) AND e.charttime < c.window_end`;
}

/** Per variable: values kept and values dropped as outside the plausible range. */
export const RANGE_COUNTS_SQL = `
  SELECT var_idx,
         count(*) FILTER (WHERE in_range)::BIGINT     AS kept,
         count(*) FILTER (WHERE NOT in_range)::BIGINT AS dropped
  FROM window_events
  GROUP BY var_idx
  ORDER BY var_idx`;

/** One row per observed (stay, hour, variable): the mean of that hour's in-range values. */
export const HOURLY_GRID_SQL = `
  SELECT stay_idx, hour, var_idx, avg(TRY_CAST(value AS DECIMAL(18, 6)))::DOUBLE AS mean
  FROM window_events
  WHERE in_range
  GROUP BY stay_idx, hour, var_idx`;

/**
 * One row per measured (stay, variable). "last" is the value at the latest charttime in the window;
 * simultaneous measurements at that time (e.g. arterial and non-invasive pressure charted together)
 * are averaged rather than picked in file order.
 */
export const TABULAR_SUMMARY_SQL = `
  WITH kept AS (
    SELECT stay_idx, var_idx, charttime, value, TRY_CAST(value AS DECIMAL(18, 6)) AS exact
    FROM window_events
    WHERE in_range
  ),
  last_time AS (
    SELECT stay_idx, var_idx, max(charttime) AS charttime FROM kept GROUP BY stay_idx, var_idx
  )
  SELECT k.stay_idx,
         k.var_idx,
         min(k.value)                                                 AS min,
         max(k.value)                                                 AS max,
         avg(k.exact)::DOUBLE                                         AS mean,
         avg(k.exact) FILTER (WHERE k.charttime = l.charttime)::DOUBLE AS last,
         count(*)::INTEGER                                            AS count
  FROM kept k
  JOIN last_time l ON l.stay_idx = k.stay_idx AND l.var_idx = k.var_idx
  GROUP BY k.stay_idx, k.var_idx`;
