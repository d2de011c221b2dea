import { mkdirSync } from 'node:fs';
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';
import { DataError } from '@ehr-backdoor/core';
import type { DataCode } from '../error-codes.js';

/**
 * One in-memory DuckDB database per `prepare` run, with hard resource bounds: `memory_limit` caps
 * DuckDB's buffer pool and anything larger spills to `temp_directory`, so the full chartevents
 * (hundreds of millions of rows) streams through filters and aggregates without ever being held in
 * memory, in DuckDB or in JS.
 */
export interface DuckDbLimits {
  /** DuckDB `memory_limit`, e.g. '2GB'. */
  readonly memoryLimit: string;
  /** DuckDB `threads`. */
  readonly threads: number;
  /** Where DuckDB spills intermediate results larger than `memoryLimit`. */
  readonly tempDirectory: string;
}

export interface QueryProgressReport {
  /** 0–100, or -1 when DuckDB cannot estimate it. */
  readonly percentage: number;
}

export class DuckDbSession {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(limits: DuckDbLimits): Promise<DuckDbSession> {
    mkdirSync(limits.tempDirectory, { recursive: true });
    // Loaded here, not at import: the native module takes seconds to load, and every command that
    // only reads prepared datasets (run, sweep workers, evaluate) would pay for it without using it.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: limits.memoryLimit,
      threads: String(limits.threads),
      temp_directory: limits.tempDirectory,
      // Insertion order is irrelevant to us (every result is ORDER BY'd), and dropping it lets large
      // scans and joins stream instead of buffering.
      preserve_insertion_order: 'false',
    });
    const connection = await instance.connect();
    // Progress tracking only (never printed by DuckDB itself): lets long scans report how far they are.
    await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false;');
    return new DuckDbSession(instance, connection);
  }

  /**
   * Runs `sql`; a failure becomes a DataError naming `what` (the file or step involved), so the user
   * learns which input is broken rather than reading a bare DuckDB message.
   */
  async run(sql: string, what: ReadFailure, onProgress?: (p: QueryProgressReport) => void): Promise<void> {
    await this.guard(what, onProgress, () => this.connection.run(sql));
  }

  /** Runs `sql` and returns its rows as JSON-able objects: for small results only (counts, headers). */
  async rows(sql: string, what: ReadFailure): Promise<Record<string, unknown>[]> {
    return this.guard(what, undefined, async () => (await this.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  }

  /** Streams `sql` chunk by chunk (about 2048 rows each): for results as large as n_stays × T × C. */
  async forEachChunk(sql: string, what: ReadFailure, visit: (chunk: DuckDBDataChunk) => void): Promise<void> {
    await this.guard(what, undefined, async () => {
      const result = await this.connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        visit(chunk);
      }
    });
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  private async guard<T>(what: ReadFailure, onProgress: ((p: QueryProgressReport) => void) | undefined, run: () => Promise<T>): Promise<T> {
    const timer = onProgress
      ? setInterval(() => {
          try {
            onProgress({ percentage: this.connection.progress.percentage });
          } catch {
            // Progress is best-effort; a query that just finished has no progress to report.
          }
        }, 500)
      : undefined;
    try {
      return await run();
    } catch (error) {
      throw readFailure(what, error);
    } finally {
      if (timer) clearInterval(timer);
    }
  }
}

/** Which input a query reads, so its failure can name the file and how to fix it. */
export interface ReadFailure {
  /** What was being done, e.g. 'reading icu/chartevents'. */
  readonly step: string;
  /** The input files involved. */
  readonly files: readonly string[];
}

function readFailure(what: ReadFailure, error: unknown): DataError {
  const message = error instanceof Error ? error.message : String(error);
  const files = what.files.join(', ');
  const isCompression = /gzip|zlib|compress|inflate|deflate|truncated|unexpected end/i.test(message);
  const isCsv = /csv|sniff|conversion|could not convert|column|dialect/i.test(message);
  if (isCompression) {
    return new DataError<DataCode>(
      'E_CORRUPT_FILE',
      `${what.step}: ${files} is not a readable gzip file (${firstLine(message)}). The file is probably truncated or ` +
        `corrupt: check it with \`gzip -t\` and download it again from PhysioNet (or unpack it to a .csv).`,
      { step: what.step, files: what.files },
      { cause: error },
    );
  }
  return new DataError<DataCode>(
    isCsv ? 'E_BAD_CSV' : 'E_READ_FAILED',
    `${what.step}: could not read ${files} (${firstLine(message)}). Check that it is an unmodified MIMIC-IV CSV ` +
      `(comma-separated, with a header row) from release 2.2 or 3.x.`,
    { step: what.step, files: what.files },
    { cause: error },
  );
}

function firstLine(message: string): string {
  const line = message.split('\n').find((l) => l.trim().length > 0) ?? message;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** A SQL string literal, for file paths and names interpolated into queries. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
