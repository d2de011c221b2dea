import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from '@ehr-backdoor/core';
import type { DataCode } from '../error-codes.js';

/**
 * Full integrity check of a .csv.gz: inflate it to nowhere and let zlib verify the trailer's CRC-32
 * and length. DuckDB's reader does not check the trailer, so a download cut off mid-file reads as a
 * shorter table (silently, if the cut falls on a line boundary). Runs on libuv's thread pool in
 * constant memory, alongside the DuckDB scans.
 */
export async function checkGzip(path: string, signal?: AbortSignal): Promise<void> {
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: 1 << 20 }),
      createGunzip({ chunkSize: 1 << 20 }),
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      }),
      { signal },
    );
  } catch (error) {
    if (signal?.aborted) return;
    throw new DataError<DataCode>(
      'E_CORRUPT_FILE',
      `${path} is not a complete gzip file (${(error as Error).message}). It is probably truncated or damaged: check it with ` +
        `\`gzip -t\` and download it again from PhysioNet (or unpack it to a .csv).`,
      { file: path },
      { cause: error },
    );
  }
}

/**
 * Starts checking every `.gz` path at once and returns a way to ask for a file's verdict later.
 * Rejections are held, not thrown, until someone asks.
 */
export function startGzipChecks(paths: readonly string[]): GzipChecks {
  const controller = new AbortController();
  const results = new Map<string, Promise<DataError | undefined>>();
  for (const path of paths) {
    if (!path.endsWith('.gz')) continue;
    results.set(
      path,
      checkGzip(path, controller.signal).then(
        () => undefined,
        (error: DataError) => error,
      ),
    );
  }
  return {
    async failure(path) {
      return results.get(path);
    },
    async assertAll() {
      for (const result of results.values()) {
        const error = await result;
        if (error) throw error;
      }
    },
    async stop() {
      controller.abort();
      await Promise.all(results.values());
    },
  };
}

export interface GzipChecks {
  /** The check's error for `path`, or undefined if it is fine (or not gzip). */
  failure(path: string): Promise<DataError | undefined>;
  /** Throws the first corrupt file's error. */
  assertAll(): Promise<void>;
  /** Stops checks still running and waits for them to wind down. */
  stop(): Promise<void>;
}
