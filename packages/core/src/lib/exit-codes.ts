import { environmentErrorFrom } from './environment.js';
import { BugError, isEhrBackdoorError, type EhrBackdoorError } from './errors.js';

/**
 * The one place where errors become exit codes, shared by every app (after Nx's handle-errors). Known errors print their
 * message and code; anything else is a bug and prints its stack. `--verbose` always prints stacks.
 *
 *   0 success · 1 unexpected failure (a bug) · 2 bad input (InputError) · 3 unusable data (DataError)
 *   4 incompatible artifact (CompatibilityError) · 5 some cells of a sweep failed
 *   6 the machine (EnvironmentError: disk full, permission denied, read-only, too many open files, no Slurm) · 130 interrupted
 */
export const EXIT = { ok: 0, bug: 1, input: 2, data: 3, compatibility: 4, partialFailure: 5, environment: 6, interrupted: 130 } as const;

/** `error` as the user should read it: an operating-system error of the machine becomes an EnvironmentError. */
function explained(error: unknown): unknown {
  return isEhrBackdoorError(error) ? error : (environmentErrorFrom(error) ?? error);
}

/**
 * The process exit code for `error` (see {@link EXIT}): 2, 3, 4 and 6 for InputError, DataError,
 * CompatibilityError and EnvironmentError (a raw ENOSPC, EACCES, EPERM, EROFS, EMFILE or ENFILE counts as
 * one); a coded error of another name may carry its own numeric `exitCode`; a {@link BugError} and anything
 * else is a bug (1).
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof BugError) return EXIT.bug;
  const known = explained(error);
  if (!isEhrBackdoorError(known)) return EXIT.bug;
  switch (known.name) {
    case 'InputError':
      return EXIT.input;
    case 'DataError':
      return EXIT.data;
    case 'CompatibilityError':
      return EXIT.compatibility;
    case 'EnvironmentError':
      return EXIT.environment;
    default:
      // An app's own error class may carry its exit code (e.g. a sweep's partial failure).
      return 'exitCode' in known && typeof known.exitCode === 'number' ? known.exitCode : EXIT.bug;
  }
}

/**
 * Runs an app's `run` and turns its outcome into an exit code instead of throwing: known errors (and the
 * machine's errors, explained) print `error [E_CODE]: message` to stderr (and their stack with `verbose`),
 * anything else prints its stack as a bug. Returns 0 when `run` resolves. The caller sets `process.exitCode`.
 */
export async function handleErrors(verbose: boolean, run: () => Promise<void>): Promise<number> {
  try {
    await run();
    return EXIT.ok;
  } catch (error) {
    const known = explained(error);
    const code = exitCodeFor(known);
    if (isEhrBackdoorError(known)) {
      process.stderr.write(`error [${(known as EhrBackdoorError).code}]: ${known.message}\n`);
      if (verbose) {
        const original = known !== error && error instanceof Error ? error : known;
        if (original.stack) process.stderr.write(`${original.stack}\n`);
      }
    } else {
      process.stderr.write(`unexpected error (this is a bug; please report it with the command you ran):\n`);
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    return code;
  }
}
