import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { temporaryPath } from './temporaries.js';

// Everything the project writes appears whole or not at all: content goes to a temporary sibling
// (same file system, so rename is atomic) and is renamed into place only when complete and flushed.
// A crash leaves at most a `.tmp-*` sibling, which readers ignore; its name says which process owns it,
// so the next command removes it once that process is gone (temporaries.ts).
const temporarySibling = (path: string): string => temporaryPath(path);

/**
 * Writes `data` to `path` whole or not at all: into a temporary sibling (same directory, so the rename is
 * atomic), flushed to disk, then renamed over `path`. Parent directories are created. On failure the
 * temporary file is removed and any earlier `path` is untouched; a crash leaves at most a `.tmp-*` sibling,
 * which readers ignore. File-system errors are rethrown as they are.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  try {
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw withPath(error, tmp);
  }
}

/**
 * Writes `value` as two-space-indented JSON with a final newline, atomically (see {@link writeFileAtomic}).
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Options of {@link writeDirectoryAtomic}. */
export interface AtomicDirectoryOptions {
  /** Replace an existing directory at `path` (the old one is removed only after the new one is complete). */
  readonly overwrite?: boolean;
}

/**
 * Builds a directory in a temporary sibling through `fill`, then renames it to `path`. If `fill`
 * throws, the temporary directory is removed and `path` is untouched.
 */
export async function writeDirectoryAtomic<T>(
  path: string,
  fill: (tmpDir: string) => Promise<T>,
  options: AtomicDirectoryOptions = {},
): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = temporarySibling(path);
  await mkdir(tmp);
  try {
    const result = await fill(tmp);
    if (existsSync(path)) {
      if (!options.overwrite) throw new Error(`refusing to replace existing ${path}`);
      const old = temporarySibling(path);
      await rename(path, old);
      await rename(tmp, path);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, path);
    }
    return result;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw withPath(error, tmp);
  }
}

// A write through a file handle fails without a path (ENOSPC from `write` names only the fd): the path
// being written is added, so the message of a full disk names the folder to free.
function withPath(error: unknown, path: string): unknown {
  const system = error as NodeJS.ErrnoException;
  if (error instanceof Error && typeof system.code === 'string' && system.syscall !== undefined && system.path === undefined)
    system.path = path;
  return error;
}
