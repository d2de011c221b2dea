import type { MetricsErrorCode } from './error-codes.js';

export type { MetricsErrorCode } from './error-codes.js';

/**
 * Metrics depend on nothing else in the workspace, so they carry their own error type. It follows the
 * project's contract (a `name`, a stable `E_...` `code`, an `exitCode`) so that the runner's single
 * error handler maps it to "bad input" (exit 2) without importing this package.
 */

/**
 * Malformed input to a metric (labels other than 0/1, probabilities outside [0, 1], arrays of different
 * length, an option out of range), with one of the {@link MetricsErrorCode} codes.
 */
export class MetricsInputError extends Error {
  override readonly name = 'MetricsInputError';
  readonly code: MetricsErrorCode;
  /** The exit code the runner uses for bad input; read by its handler for errors it does not know by name. */
  readonly exitCode = 2;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: MetricsErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** Entry-point check with a lazily built message: formatting costs nothing unless the check fails. */
export function check(condition: unknown, code: MetricsErrorCode, message: () => string): asserts condition {
  if (!condition) throw new MetricsInputError(code, message());
}
