import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvGzipWriter } from './csv-gzip-writer.js';
import { D_ITEMS_ROWS, D_LABITEMS_ROWS, SYNTHETIC_TABLE_COLUMNS, type SyntheticTableName } from './schema.js';

/** One gzip CSV writer per MIMIC-IV table the generator writes. */
export type SyntheticTables = Readonly<Record<SyntheticTableName, CsvGzipWriter>>;

const TABLE_NAMES = Object.keys(SYNTHETIC_TABLE_COLUMNS) as SyntheticTableName[];

/** Creates `dir`'s hosp/ and icu/ folders and opens every table there, headers written. */
export async function openSyntheticTables(dir: string, gzipLevel: number): Promise<SyntheticTables> {
  await mkdir(join(dir, 'hosp'));
  await mkdir(join(dir, 'icu'));
  const tables: Partial<Record<SyntheticTableName, CsvGzipWriter>> = {};
  for (const name of TABLE_NAMES) tables[name] = new CsvGzipWriter(join(dir, `${name}.csv.gz`), SYNTHETIC_TABLE_COLUMNS[name], gzipLevel);
  return tables as SyntheticTables;
}

/** The dictionary rows (d_items, d_labitems) of exactly the items the generator charts. */
export function writeDictionaries(tables: SyntheticTables): void {
  for (const row of D_ITEMS_ROWS) tables['icu/d_items'].push(row);
  for (const row of D_LABITEMS_ROWS) tables['hosp/d_labitems'].push(row);
}

/** Waits for every table whose gzip stream is behind (bounded memory). */
export async function flushFullTables(tables: SyntheticTables): Promise<void> {
  for (const writer of Object.values(tables)) await writer.flushIfFull();
}

export async function closeTables(tables: SyntheticTables): Promise<void> {
  for (const writer of Object.values(tables)) await writer.close();
}

/** Stops every writer after a failure; the temporary directory goes with the failed write. */
export function destroyTables(tables: SyntheticTables): void {
  for (const writer of Object.values(tables)) writer.destroy();
}

export function rowCounts(tables: SyntheticTables): Record<SyntheticTableName, number> {
  return Object.fromEntries(Object.entries(tables).map(([name, w]) => [name, w.rows])) as Record<SyntheticTableName, number>;
}
