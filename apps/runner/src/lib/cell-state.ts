import { existsSync, readdirSync } from 'node:fs';
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';

/**
 * A cell's state is read from its directory alone (the shared file system is the only channel, so
 * local workers and Slurm tasks agree on it):
 *   done     summary.json exists (it is written last, atomically)
 *   running  a live process holds `.lock`
 *   failed   `error.json` exists and no summary (the last attempt failed)
 *   partial  checkpoints exist but no summary (a stopped run that resumes)
 *   pending  nothing yet
 */
export type CellState = 'done' | 'running' | 'failed' | 'partial' | 'pending';

export const SUMMARY_FILE = 'summary.json';
export const LOCK_FILE = '.lock';
export const ERROR_FILE = 'error.json';

export async function readCellState(dir: string): Promise<CellState> {
  if (existsSync(join(dir, SUMMARY_FILE))) return 'done';
  if (await lockIsLive(dir)) return 'running';
  if (existsSync(join(dir, ERROR_FILE))) return 'failed';
  const checkpoints = join(dir, 'checkpoints');
  if (existsSync(checkpoints) && readdirSync(checkpoints).some((f) => !f.startsWith('.tmp-'))) return 'partial';
  return 'pending';
}

interface LockBody {
  pid: number;
  host: string;
  startedAt: string;
  /** Set under Slurm, so a resubmission can tell a lock left on a lost node from a live task. */
  slurmJobId?: string;
}

async function readLock(dir: string): Promise<LockBody | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockBody;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function lockIsLive(dir: string): Promise<boolean> {
  const lock = await readLock(dir);
  if (!lock) return false;
  // A lock from another host cannot be checked from here; trust it (Slurm requeues on node loss).
  if (lock.host !== hostname()) return true;
  return processAlive(lock.pid);
}

/**
 * Takes the cell's lock so two processes never train the same cell. A lock left by a process that
 * died (SIGKILL, OOM) on this host is stale and is taken over.
 */
export async function acquireCellLock(dir: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(join(dir, LOCK_FILE), 'wx');
      const body: LockBody = {
        pid: process.pid,
        host: hostname(),
        startedAt: new Date().toISOString(),
        ...(process.env.SLURM_JOB_ID ? { slurmJobId: process.env.SLURM_JOB_ID } : {}),
      };
      await handle.writeFile(JSON.stringify(body));
      await handle.close();
      return async () => {
        await rm(join(dir, LOCK_FILE), { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsLive(dir)) {
        const lock = await readLock(dir);
        throw new InputError(
          'E_CELL_LOCKED',
          `The run directory ${dir} is in use by process ${lock?.pid ?? '?'} on ${lock?.host ?? '?'}; wait for it or stop it.`,
        );
      }
      await rm(join(dir, LOCK_FILE), { force: true });
    }
  }
  throw new InputError('E_CELL_LOCKED', `Could not take the lock of ${dir}.`);
}

/**
 * Removes `.tmp-*` leftovers of writes that a killed process never finished (atomic writes only ever
 * leave such siblings, never a half-written real file). Only the holder of the cell's lock may call it.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.name.startsWith('.tmp-')) {
        await rm(path, { recursive: true, force: true });
        removed.push(path);
      } else if (entry.isDirectory()) {
        await walk(path);
      }
    }
  };
  await walk(dir);
  return removed;
}
