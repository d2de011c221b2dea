import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError, isProcessAlive, temporaryPath } from '@ehr-backdoor/core';
import type { RunnerCode } from './error-codes.js';

/**
 * A cell's `.lock`: which process trains the cell, so two processes (two sweeps on one runs folder, a
 * sweep beside Slurm tasks, a `run` beside a sweep) never train it twice.
 *
 *   take:  write the holder to a temporary ─▶ link it to `.lock` (fails if one exists: atomic, and the
 *          lock is never seen half-written) ─▶ ours
 *          `.lock` exists ─▶ its holder alive (or on another host) ─▶ E_CELL_LOCKED, naming the holder
 *                        ─▶ its holder dead (a zombie is dead) ─▶ rename it aside (one taker wins) ─▶
 *                           still that holder? remove it and take again : put it back
 *
 * A lock of another host cannot be probed with kill(pid, 0); it is trusted until Slurm says its job has
 * ended (slurm/stale-locks.ts), or its owner's host takes it over.
 */
export const LOCK_FILE = '.lock';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** When the holder took the lock (ISO 8601). */
  readonly startedAt: string;
  /** Set under Slurm, so a resubmission can tell a lock left on a lost node from a live task. */
  readonly slurmJobId?: string;
}

/** alive: a live process of this host · dead: gone or a zombie · remote: another host's, cannot be probed from here */
export type HolderState = 'alive' | 'dead' | 'remote';

/** The holder named by `dir`'s lock; undefined when there is no lock (or an unreadable one). */
export async function readCellLock(dir: string): Promise<LockHolder | undefined> {
  try {
    const body = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as Partial<LockHolder>;
    if (typeof body.pid !== 'number') return undefined;
    return {
      pid: body.pid,
      host: String(body.host ?? ''),
      startedAt: String(body.startedAt ?? ''),
      ...(body.slurmJobId ? { slurmJobId: String(body.slurmJobId) } : {}),
    };
  } catch {
    return undefined;
  }
}

export function holderState(holder: LockHolder): HolderState {
  if (holder.host && holder.host !== hostname()) return 'remote';
  return isProcessAlive(holder.pid) ? 'alive' : 'dead';
}

/** The holder of `dir`'s lock when it is held (alive here, or on another host); undefined when free or stale. */
export async function liveHolder(dir: string): Promise<LockHolder | undefined> {
  const holder = await readCellLock(dir);
  return holder && holderState(holder) !== 'dead' ? holder : undefined;
}

/** "pid 1234 on node7 since 2026-12-05T10:31:02Z (Slurm job 88_3)" */
export function describeHolder(holder: LockHolder): string {
  return `pid ${holder.pid} on ${holder.host || '?'}${holder.startedAt ? ` since ${holder.startedAt}` : ''}${holder.slurmJobId ? ` (Slurm job ${holder.slurmJobId})` : ''}`;
}

/** Thrown when another live process holds the cell; `details.holder` names it. */
export function cellLockedError(dir: string, holder: LockHolder | undefined): InputError {
  return new InputError<RunnerCode>(
    'E_CELL_LOCKED',
    `The run directory ${dir} is in use by ${holder ? describeHolder(holder) : 'another process'}; wait for it or stop it.`,
    { dir, holder: holder ?? null },
  );
}

const same = (a: LockHolder, b: LockHolder) => a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;

/**
 * Takes the cell's lock, or throws E_CELL_LOCKED naming the live holder. A lock left by a dead process of
 * this host (SIGKILL, OOM, a zombie) is taken over. Returns the release function, which removes the lock
 * only while it is still this process's.
 */
export async function acquireCellLock(dir: string): Promise<() => Promise<void>> {
  const lockPath = join(dir, LOCK_FILE);
  const body: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(process.env.SLURM_JOB_ID ? { slurmJobId: process.env.SLURM_JOB_ID } : {}),
  };
  const draft = temporaryPath(lockPath);
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        // Written again on every attempt: a holder cleaning the folder may have removed it.
        await writeFile(draft, JSON.stringify(body));
        await link(draft, lockPath);
        return async () => {
          const current = await readCellLock(dir);
          if (current && same(current, body)) await rm(lockPath, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readCellLock(dir);
      if (holder && holderState(holder) !== 'dead') throw cellLockedError(dir, holder);
      await takeOver(dir, holder);
    }
    throw cellLockedError(dir, await readCellLock(dir));
  } finally {
    await rm(draft, { force: true });
  }
}

/** Removes the stale lock of `judged` (undefined: an unreadable lock), unless another taker was faster. */
async function takeOver(dir: string, judged: LockHolder | undefined): Promise<void> {
  const lockPath = join(dir, LOCK_FILE);
  const aside = temporaryPath(lockPath, 'stale-');
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another taker moved it first
    throw error;
  }
  let moved: LockHolder | undefined;
  try {
    const parsed = JSON.parse(await readFile(aside, 'utf8')) as LockHolder;
    moved = typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    moved = undefined;
  }
  // Between judging and renaming, another taker may have replaced the stale lock with its own live one.
  const stillStale = judged ? moved !== undefined && same(moved, judged) : moved === undefined;
  if (!stillStale) await link(aside, lockPath).catch(() => undefined);
  await rm(aside, { force: true });
}
