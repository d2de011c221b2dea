import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { hostTag, isProcessAlive } from './process-liveness.js';

/**
 * Temporary siblings of the project's writes: `.tmp-<label><name>-<pid>@<host>-<random>`. The owner's pid
 * and host are in the name so that a later command can tell a leftover of a killed process (same host,
 * pid dead or a zombie) from the work in progress of a live one, and remove only the former. A temporary
 * of another host cannot be judged from here and is left alone. Readers skip every `.tmp-*` entry.
 */
const OWNED = /^\.tmp-.*-(\d+)@([^@/]+)-[0-9a-f]{8}$/;
/** Names written before the owner's host was part of them: judged by the pid on this host. */
const LEGACY = /^\.tmp-.*-(\d+)-[0-9a-f]{8}$/;

/** A temporary sibling of `path` owned by this process (`label` names what it is for, e.g. `duckdb-`). */
export function temporaryPath(path: string, label = ''): string {
  return join(dirname(path), `.tmp-${label}${basename(path)}-${process.pid}@${hostTag()}-${randomBytes(4).toString('hex')}`);
}

/** The owner of a temporary name, or undefined when the name is not one of the project's temporaries. */
export function temporaryOwner(name: string): { readonly pid: number; readonly host?: string } | undefined {
  const owned = OWNED.exec(name);
  if (owned) return { pid: Number(owned[1]), host: owned[2] };
  const legacy = LEGACY.exec(name);
  return legacy ? { pid: Number(legacy[1]) } : undefined;
}

/** True when the temporary `name` was left by a process of this host that is no longer alive. */
export function isStaleTemporary(name: string): boolean {
  const owner = temporaryOwner(name);
  if (!owner) return false;
  if (owner.host !== undefined && owner.host !== hostTag()) return false;
  return owner.pid !== process.pid && !isProcessAlive(owner.pid);
}

/** Options of {@link removeStaleTemporaries}. */
export interface StaleTemporaryOptions {
  /** Only entries whose name passes (e.g. the temporaries of one output); default: every `.tmp-*`. */
  readonly match?: (name: string) => boolean;
  /** Look into subfolders too (never into a temporary folder itself: it goes whole). */
  readonly recursive?: boolean;
}

/**
 * Removes the `.tmp-*` files and folders in `dir` that a killed process of this host left behind (see
 * {@link isStaleTemporary}); those of live processes and of other hosts stay. Commands that write call it
 * on their start, so a kill costs at most one leftover until the next run. Returns the removed paths; a
 * missing `dir` removes nothing.
 */
export async function removeStaleTemporaries(dir: string, options: StaleTemporaryOptions = {}): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.name.startsWith('.tmp-')) {
        if ((options.match?.(entry.name) ?? true) && isStaleTemporary(entry.name)) {
          await rm(path, { recursive: true, force: true });
          removed.push(path);
        }
      } else if (options.recursive && entry.isDirectory()) {
        await walk(path);
      }
    }
  };
  await walk(dir);
  return removed;
}

/**
 * Removes the stale temporaries a killed command left beside its output `path` (its atomic-write sibling,
 * and those labelled e.g. `duckdb-`), before the command writes `path` again.
 */
export async function removeStaleTemporariesOf(path: string, labels: readonly string[] = ['']): Promise<string[]> {
  const name = basename(path);
  const prefixes = labels.map((label) => `.tmp-${label}${name}-`);
  return removeStaleTemporaries(dirname(path), { match: (entry) => prefixes.some((p) => entry.startsWith(p)) });
}
