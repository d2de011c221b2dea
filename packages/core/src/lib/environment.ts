import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { EnvironmentError, isEhrBackdoorError } from './errors.js';

import type { EnvironmentCode } from './error-codes.js';

export type { EnvironmentCode } from './error-codes.js';

const RESUMES = 're-run the same command: it resumes where it stopped';

interface SystemErrorLike {
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly path?: unknown;
  readonly dest?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
}

/**
 * Turns an operating-system error that the user's machine caused (a full disk, a folder they may not
 * write, a read-only mount, the open-file limit) into an {@link EnvironmentError} whose message names the
 * path and the remedy. Every write of the project is atomic, so what was written before the failure is
 * whole and the same command resumes; the messages say so.
 *
 * Node's system errors carry `code` (`ENOSPC`), `syscall` and `path`; DuckDB reports a full disk only in
 * its message, so that is matched too. An EnvironmentError is returned as it is; for another error with
 * an `E_*` code (already explained) and for anything else (a bug stays a bug) the result is undefined.
 * Causes are followed, so a wrapped ENOSPC is found.
 */
export function environmentErrorFrom(error: unknown): EnvironmentError | undefined {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    if (current instanceof EnvironmentError || (isEhrBackdoorError(current) && current.name === 'EnvironmentError'))
      return current as EnvironmentError;
    if (isEhrBackdoorError(current)) return undefined;
    const found = fromSystemError(current as SystemErrorLike);
    if (found) return found;
    current = (current as SystemErrorLike).cause;
  }
  return undefined;
}

function fromSystemError(error: SystemErrorLike): EnvironmentError | undefined {
  const errno =
    typeof error.code === 'string' && error.code === 'ENOENT' && error.syscall === 'mkdir'
      ? unwritableAncestor(error.path)
      : typeof error.code === 'string'
        ? error.code
        : undefined;
  const message = typeof error.message === 'string' ? error.message : '';
  const path = typeof error.path === 'string' ? error.path : undefined;
  const where = path
    ? ` (${typeof error.syscall === 'string' ? `${error.syscall} ` : ''}${path}${typeof error.dest === 'string' ? ` → ${error.dest}` : ''})`
    : '';
  const details = { errno: errno ?? null, syscall: error.syscall ?? null, path: path ?? null };
  const folder = path ? nearestExisting(dirname(path)) : errno ? undefined : pathInMessage(message);
  if (errno === 'ENOSPC' || errno === 'EDQUOT' || /no space left on device|disk quota exceeded/i.test(message)) {
    const what = errno === 'EDQUOT' || /quota/i.test(message) ? 'disk quota exceeded' : 'no space left on device';
    const at = folder;
    return new EnvironmentError<EnvironmentCode>(
      'E_NO_SPACE',
      `${capitalise(what)}${where || (at ? ` (${at})` : '')}. Nothing half-written was kept. Free space ${at ? `on the file system holding ${at}` : 'on the output file system'} ` +
        `(or raise your quota, or point --out/--temp-dir elsewhere) and ${RESUMES}.`,
      details,
      { cause: error },
    );
  }
  if (errno === 'EROFS' || (!errno && /read-only file system/i.test(message))) {
    return new EnvironmentError<EnvironmentCode>(
      'E_READ_ONLY',
      `Read-only file system${where}. Choose an output folder on a writable file system (--out), or remount ${folder ?? 'it'} read-write, and ${RESUMES}.`,
      details,
      { cause: error },
    );
  }
  if (errno === 'EACCES' || errno === 'EPERM' || (!errno && /permission denied/i.test(message))) {
    return new EnvironmentError<EnvironmentCode>(
      'E_PERMISSION',
      `Permission denied${where}. Make ${folder ?? 'the output folder'} writable by you (\`ls -ld ${folder ?? '<folder>'}\`), or choose another --out, and ${RESUMES}.`,
      details,
      { cause: error },
    );
  }
  if (errno === 'EMFILE' || errno === 'ENFILE') {
    const limit = errno === 'EMFILE' ? 'this process' : 'the whole system';
    return new EnvironmentError<EnvironmentCode>(
      'E_TOO_MANY_FILES',
      `Too many open files for ${limit}${where}. Raise the limit (\`ulimit -n 4096\` before the command, or ask your admin), or run fewer --workers, and ${RESUMES}.`,
      details,
      { cause: error },
    );
  }
  return undefined;
}

/**
 * Node's recursive mkdir reports ENOENT, not EROFS or EACCES, when it cannot create a folder under a
 * read-only or unwritable one: the nearest existing ancestor says which it was.
 */
function unwritableAncestor(path: unknown): string | undefined {
  if (typeof path !== 'string') return 'ENOENT';
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      try {
        accessSync(dir, constants.W_OK);
        return 'ENOENT';
      } catch (error) {
        return (error as NodeJS.ErrnoException).code ?? 'ENOENT';
      }
    }
    if (dirname(dir) === dir) return 'ENOENT';
  }
}

/** The folder itself, or its nearest ancestor that exists (a mkdir that failed names a folder not yet there). */
function nearestExisting(dir: string): string {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(current) || dirname(current) === current) return current;
  }
}

function pathInMessage(message: string): string | undefined {
  const quoted = /["'](\/[^"']+)["']/.exec(message);
  return quoted ? dirname(quoted[1]) : undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
