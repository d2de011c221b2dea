import { isEhrBackdoorError } from './errors.js';

/**
 * The one place where errors become exit codes, shared by every app (after Nx's handle-errors). Known errors print their
 * message and code; anything else is a bug and prints its stack. `--verbose` always prints stacks.
 *
 *   0 success · 1 unexpected failure (a bug) · 2 bad input (InputError) · 3 unusable data (DataError)
 *   4 incompatible artifact (CompatibilityError) · 5 some cells of a sweep failed · 130 interrupted
 */
export const EXIT = { ok: 0, bug: 1, input: 2, data: 3, compatibility: 4, partialFailure: 5, interrupted: 130 } as const;

/**
 * The process exit code for `error` (see {@link EXIT}): 2, 3 and 4 for InputError, DataError and
 * CompatibilityError; a coded error of another name may carry its own numeric `exitCode`; anything else is
 * a bug (1).
 */
export function exitCodeFor(error: unknown): number {
  if (!isEhrBackdoorError(error)) return EXIT.bug;
  switch (error.name) {
    case 'InputError':
      return EXIT.input;
    case 'DataError':
      return EXIT.data;
    case 'CompatibilityError':
      return EXIT.compatibility;
    default:
      return typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as unknown as { exitCode: number }).exitCode : EXIT.bug;
  }
}

/**
 * Runs an app's `run` and turns its outcome into an exit code instead of throwing: known errors print
 * `error [E_CODE]: message` to stderr (and their stack with `verbose`), anything else prints its stack as a
 * bug. Returns 0 when `run` resolves. The caller sets `process.exitCode`.
 */
export async function handleErrors(verbose: boolean, run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return EXIT.ok;
  } catch (error) {
    const code = exitCodeFor(error);
    if (isEhrBackdoorError(error)) {
      process.stderr.write(`error [${error.code}]: ${error.message}\n`);
      if (verbose && error.stack) process.stderr.write(`${error.stack}\n`);
    } else {
      process.stderr.write(`unexpected error (this is a bug; please report it with the command you ran):\n`);
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return code;
  }
}
