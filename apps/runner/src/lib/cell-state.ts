import { existsSync, readdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hostTag, isProcessAlive, temporaryOwner } from '@ehr-backdoor/core';
import { liveHolder } from './cell-lock.js';

export { acquireCellLock, LOCK_FILE } from './cell-lock.js';

/**
 * A cell's state is read from its directory alone (the shared file system is the only channel, so
 * local workers and Slurm tasks agree on it):
 *   done     summary.json exists (it is written last, atomically)
 *   running  a live process holds `.lock` (or one of another host: cell-lock.ts)
 *   failed   `error.json` exists and no summary (the last attempt failed)
 *   awaiting trained and evaluated, its summary waits for the clean baseline's (`awaiting-baseline.json`:
 *            run-cell/finish-cell.ts); the next sweep or `run-cell` only writes the summary
 *   partial  checkpoints exist but no summary (a stopped run that resumes)
 *   pending  nothing yet
 */
export type CellState = 'done' | 'running' | 'failed' | 'awaiting' | 'partial' | 'pending';

export const SUMMARY_FILE = 'summary.json';
export const ERROR_FILE = 'error.json';
/** A poisoned cell's summary inputs, kept until its clean baseline is done (run-cell/finish-cell.ts). */
export const AWAITING_FILE = 'awaiting-baseline.json';

export async function readCellState(dir: string): Promise<CellState> {
  if (existsSync(join(dir, SUMMARY_FILE))) return 'done';
  if (await liveHolder(dir)) return 'running';
  if (existsSync(join(dir, ERROR_FILE))) return 'failed';
  if (existsSync(join(dir, AWAITING_FILE))) return 'awaiting';
  const checkpoints = join(dir, 'checkpoints');
  if (existsSync(checkpoints) && readdirSync(checkpoints).some((f) => !f.startsWith('.tmp-'))) return 'partial';
  return 'pending';
}

/**
 * Removes `.tmp-*` leftovers of writes that a killed process never finished (atomic writes only ever
 * leave such siblings, never a half-written real file). Only the holder of the cell's lock may call it,
 * so every leftover is a dead writer's, also one of another host (a lost node); only the drafts of live
 * processes of this host that are trying to take the lock right now are left alone.
 */
export async function removeStaleTemporaries(dir: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.name.startsWith('.tmp-')) {
        const owner = temporaryOwner(entry.name);
        if (owner && owner.host === hostTag() && isProcessAlive(owner.pid)) continue;
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
