/**
 * Every error that a user can cause carries a stable `code` (tests and the apps' exit-code mapping
 * rely on it) and a message that names the offending file, column or option and how to fix it.
 */
export class EhrBackdoorError extends Error {
  /** The class name (`InputError`, `DataError`, …); the apps map it to an exit code. */
  override readonly name: string = 'EhrBackdoorError';
  /** Stable `E_*` code naming the failure; tests and callers match on it, never on the message. */
  readonly code: string;
  /** Structured context (the offending path, column, option or value) for programs that report the error. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** Bad input from the user: a wrong option, a missing file, an unknown name. Exit code 2. */
export class InputError extends EhrBackdoorError {
  override readonly name = 'InputError';
}

/** Input data that is present but unusable: a corrupt gzip, a missing column, an empty cohort. Exit code 3. */
export class DataError extends EhrBackdoorError {
  override readonly name = 'DataError';
}

/** A saved artifact that does not fit the request: another config's checkpoint, another format version. Exit code 4. */
export class CompatibilityError extends EhrBackdoorError {
  override readonly name = 'CompatibilityError';
}

/**
 * The machine, not the input or the code: no space left, permission denied, a read-only file system, too
 * many open files, a missing command. The message names the path or resource and the remedy; the work
 * done so far is kept, so the same command resumes once the cause is fixed. Exit code 6.
 */
export class EnvironmentError extends EhrBackdoorError {
  override readonly name = 'EnvironmentError';
}

/**
 * True for an error the user can act on: an `Error` whose `code` is a string starting with `E_`. Checked
 * structurally rather than with `instanceof`, so errors from another copy of this package (two installed
 * versions) and other packages' coded errors (such as metrics' `MetricsInputError`) are recognised too.
 */
export function isEhrBackdoorError(error: unknown): error is EhrBackdoorError {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('E_');
}
