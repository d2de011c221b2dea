/**
 * Every error that a user can cause carries a stable `code` (tests and the apps' exit-code mapping
 * rely on it) and a message that names the offending file, column or option and how to fix it.
 */
export class EhrBackdoorError<Code extends string = string> extends Error {
  /** The class name (`InputError`, `DataError`, …); the apps map it to an exit code. */
  override readonly name: string = 'EhrBackdoorError';
  /** Stable `E_*` code naming the failure; tests and callers match on it, never on the message. */
  readonly code: Code;
  /** Structured context (the offending path, column, option or value) for programs that report the error. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** Bad input from the user: a wrong option, a missing file, an unknown name. Exit code 2. */
export class InputError<Code extends string = string> extends EhrBackdoorError<Code> {
  override readonly name = 'InputError';
}

/** Input data that is present but unusable: a corrupt gzip, a missing column, an empty cohort. Exit code 3. */
export class DataError<Code extends string = string> extends EhrBackdoorError<Code> {
  override readonly name = 'DataError';
}

/** A saved artifact that does not fit the request: another config's checkpoint, another format version. Exit code 4. */
export class CompatibilityError<Code extends string = string> extends EhrBackdoorError<Code> {
  override readonly name = 'CompatibilityError';
}

/**
 * The machine, not the input or the code: no space left, permission denied, a read-only file system, too
 * many open files, a missing command. The message names the path or resource and the remedy; the work
 * done so far is kept, so the same command resumes once the cause is fixed. Exit code 6.
 */
export class EnvironmentError<Code extends string = string> extends EhrBackdoorError<Code> {
  override readonly name = 'EnvironmentError';
}

/**
 * A broken invariant of our own code, never the user's input (after VS Code's `BugIndicatingError`): the
 * one error handler prints "this is a bug" with its stack and exits 1. It has no `E_*` code on purpose, so
 * it is never mistaken for an error the user can fix.
 */
export class BugError extends Error {
  override readonly name = 'BugError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
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
