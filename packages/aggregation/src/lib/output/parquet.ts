import type { DuckDBAppender } from '@duckdb/node-api';

/**
 * Parquet files for the rest of the field (pandas, polars, DuckDB, Spark, R's arrow), written by DuckDB:
 * each table is appended into an in-memory DuckDB table with explicit column types, then copied out
 * with `COPY … (FORMAT parquet)`. One DuckDB instance serves every file of a report.
 */
export type ParquetType = 'VARCHAR' | 'DOUBLE' | 'FLOAT' | 'INTEGER' | 'UTINYINT' | 'BOOLEAN';

export interface ParquetColumn {
  readonly name: string;
  readonly type: ParquetType;
}

/** A table to write: its typed columns and its rows (a value per column; null, NaN and ±Infinity are written as null). */
export interface ParquetTable {
  readonly path: string;
  readonly columns: readonly ParquetColumn[];
  readonly rows: Iterable<readonly (string | number | boolean | null)[]>;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

function append(appender: DuckDBAppender, type: ParquetType, value: string | number | boolean | null): void {
  if (value === null || (typeof value === 'number' && !Number.isFinite(value))) {
    appender.appendNull();
    return;
  }
  switch (type) {
    case 'VARCHAR':
      appender.appendVarchar(String(value));
      break;
    case 'DOUBLE':
      appender.appendDouble(Number(value));
      break;
    case 'FLOAT':
      appender.appendFloat(Number(value));
      break;
    case 'INTEGER':
      appender.appendInteger(Number(value));
      break;
    case 'UTINYINT':
      appender.appendUTinyInt(Number(value));
      break;
    case 'BOOLEAN':
      appender.appendBoolean(Boolean(value));
      break;
  }
}

/** Writes each table to its path as zstd-compressed Parquet. Paths should be inside a temporary directory (callers publish atomically). */
export async function writeParquetTables(tables: readonly ParquetTable[]): Promise<void> {
  if (tables.length === 0) return;
  // Loaded here, not at import: the native module takes a moment to load and --no-parquet never needs it.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const connection = await instance.connect();
  try {
    for (const [i, table] of tables.entries()) {
      const name = `t${i}`;
      await connection.run(`CREATE TABLE ${name} (${table.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
      const appender = await connection.createAppender(name);
      for (const row of table.rows) {
        table.columns.forEach((c, k) => append(appender, c.type, row[k] ?? null));
        appender.endRow();
      }
      appender.closeSync();
      await connection.run(`COPY ${name} TO ${quoteString(table.path)} (FORMAT parquet, COMPRESSION zstd)`);
      await connection.run(`DROP TABLE ${name}`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
