import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';

const BUFFER_BYTES = 1 << 20;

/**
 * A CSV table written through a gzip stream with backpressure: rows are encoded into 1 MiB buffers
 * handed to gzip when full, and `flushIfFull` waits for the gzip stream to drain, so memory stays
 * bounded whatever the row count (at most gzip's high-water mark plus one buffer per table per stay).
 * zlib compresses on libuv's thread pool, so several tables compress in parallel with row generation.
 */
export class CsvGzipWriter {
  private readonly gzip: Gzip;
  private readonly file: WriteStream;
  private readonly closed: Promise<unknown>;
  // Rows are encoded straight into a byte buffer: far less garbage than collecting strings and joining.
  private buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private offset = 0;
  private failure: unknown;
  rows = 0;

  constructor(path: string, header: readonly string[], level = 6) {
    this.gzip = createGzip({ level });
    this.file = createWriteStream(path);
    this.gzip.pipe(this.file);
    const fail = (error: unknown) => {
      this.failure ??= error;
    };
    this.gzip.on('error', fail);
    this.file.on('error', fail);
    this.closed = new Promise<void>((resolve) => this.file.on('close', () => resolve()));
    this.push(header.join(','));
    this.rows = 0;
  }

  /** Appends one already-formatted CSV line (without the newline). */
  push(line: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit; a line too long for an empty buffer gets its own.
    if (this.offset + 3 * line.length + 1 > this.buffer.length) this.handOver(3 * line.length + 1);
    this.offset += this.buffer.write(line, this.offset, 'utf8');
    this.buffer[this.offset++] = 10;
    this.rows++;
  }

  /** Waits while gzip is behind, so memory stays bounded however fast rows are produced. */
  async flushIfFull(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.gzip.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.gzip.off('drain', done);
          this.gzip.off('error', done);
          resolve();
        };
        this.gzip.on('drain', done);
        this.gzip.on('error', done);
      });
    }
    if (this.failure) throw this.failure;
  }

  private handOver(minimum: number): void {
    if (this.offset > 0) this.gzip.write(this.buffer.subarray(0, this.offset));
    this.buffer = Buffer.allocUnsafe(Math.max(BUFFER_BYTES, minimum));
    this.offset = 0;
  }

  async close(): Promise<void> {
    this.handOver(0);
    await this.flushIfFull();
    this.gzip.end();
    await this.closed;
    if (this.failure) throw this.failure;
  }

  /** Stops writing after a failure elsewhere; the temporary directory is removed by the caller. */
  destroy(): void {
    this.gzip.destroy();
    this.file.destroy();
  }
}

/** Quotes a CSV field only when needed (RFC 4180), as MIMIC's own files do. */
export function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
