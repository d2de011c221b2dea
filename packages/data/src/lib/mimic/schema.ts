import { basename, dirname, sep } from 'node:path';
import { DataError } from '@ehr-backdoor/core';
import { sqlString, type DuckDbSession } from './duckdb-session.js';
import type { LocatedTable, LocatedTables, MimicTableName } from './tables.js';
import type { DataCode } from '../error-codes.js';

/**
 * The one way raw MIMIC-IV files are opened. Every column is read as text and cast explicitly where
 * it is used: DuckDB's type sniffer only samples the first rows, and a late row that does not fit
 * the sniffed type (a text `value` in a numeric-looking column, say) would abort a scan of a 3 GB
 * file near its end. Columns are always selected by name, so extra or reordered columns between
 * releases do not matter.
 */
export function readCsvSql(table: LocatedTable): string {
  const compression = table.path.endsWith('.gz') ? 'gzip' : 'none';
  return `read_csv(${sqlString(table.path)}, header = true, delim = ',', quote = '"', escape = '"', all_varchar = true, compression = '${compression}')`;
}

export function relativeName(table: LocatedTable): string {
  return `${table.module}/${basename(table.path)}`;
}

/** Reads each table's header and checks that the columns the pipeline needs are there. */
export async function readHeaders(session: DuckDbSession, tables: LocatedTables): Promise<Record<MimicTableName, string[]>> {
  const headers = {} as Record<MimicTableName, string[]>;
  for (const table of Object.values(tables)) {
    const rows = await session.rows(`DESCRIBE SELECT * FROM ${readCsvSql(table)}`, {
      step: `reading the header of ${relativeName(table)}`,
      files: [table.path],
    });
    const columns = rows.map((row) => String(row.column_name));
    const missing = table.columns.filter((column) => !columns.includes(column));
    if (missing.length > 0) {
      throw new DataError<DataCode>(
        'E_MISSING_COLUMN',
        `${table.path} has no column ${missing.map((c) => `'${c}'`).join(', ')} (its header: ${columns.slice(0, 20).join(', ')}` +
          `${columns.length > 20 ? ', …' : ''}). The ${table.module}/${table.name} table of MIMIC-IV 2.2/3.x has it: replace the file ` +
          `with the unmodified release file.`,
        { file: table.path, missing, columns },
      );
    }
    headers[table.name] = columns;
  }
  return headers;
}

export interface MimicVersion {
  /** '2.2', '3.0', '3.1', or a family ('3.x', '2.0–2.1') when the exact release cannot be told. */
  readonly version: string;
  /** How it was decided, for the manifest: what a reviewer needs to trust the label. */
  readonly evidence: string;
}

/**
 * Tells MIMIC-IV releases apart from their content, not their file names:
 *   - 3.x added the admissions of 2020–2022, so `patients.anchor_year_group` has a '2020 - 2022' group;
 *   - 2.2 added provider identifiers (`admissions.admit_provider_id`, `labevents.order_provider_id`)
 *     and the caregiver table (`chartevents.caregiver_id`), which 2.0/2.1 lack.
 * The directory name (PhysioNet's `mimiciv/3.1/`, `mimic-iv-clinical-database-demo-2.2/`) refines
 * the family to an exact release when it agrees with the content.
 * Both layouts are read the same way: only the columns in MIMIC_TABLES are used.
 */
export async function detectMimicVersion(
  session: DuckDbSession,
  tables: LocatedTables,
  headers: Record<MimicTableName, string[]>,
): Promise<MimicVersion> {
  const groups = await session.rows(
    `SELECT DISTINCT trim(anchor_year_group) AS g FROM ${readCsvSql(tables.patients)} ORDER BY g`,
    { step: 'reading patients.anchor_year_group', files: [tables.patients.path] },
  );
  const yearGroups = groups.map((row) => String(row.g));
  const has2020s = yearGroups.some((g) => /^202\d/.test(g));
  const hasProviders = headers.admissions.includes('admit_provider_id') || headers.chartevents.includes('caregiver_id');
  const pathVersion = versionFromPath(dirname(dirname(tables.patients.path)));
  const groupsText = `anchor_year_group ∈ {${yearGroups.join(', ')}}`;
  if (has2020s) {
    const exact = pathVersion?.startsWith('3.') ? pathVersion : undefined;
    return {
      version: exact ?? '3.x',
      evidence: `${groupsText} includes 2020–2022 (added in 3.0)${exact ? `; directory name says ${exact}` : ''}`,
    };
  }
  if (hasProviders) {
    // A 3.x subset without 2020–2022 patients looks like 2.2 by content; trust an explicit 3.x path.
    const exact = pathVersion === '2.2' || pathVersion?.startsWith('3.') ? pathVersion : '2.2';
    return {
      version: exact,
      evidence: `provider/caregiver columns present (added in 2.2), no 2020–2022 anchor_year_group${pathVersion ? `; directory name says ${pathVersion}` : ''}`,
    };
  }
  return { version: '2.0–2.1', evidence: 'no provider/caregiver columns (added in 2.2) and no 2020–2022 anchor_year_group' };
}

function versionFromPath(path: string): string | undefined {
  for (const part of path.split(sep).reverse()) {
    const match = /^(?:.*?[-_ ]v?)?([23]\.\d)$/.exec(part);
    if (match) return match[1];
  }
  return undefined;
}
