import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from '../cell-state.js';
import { isActive, parseSqueue } from './job-query.js';
import type { CommandRunner } from './slurm-cli.js';

/**
 * A cell's `.lock` names the process that trains it. On this host a dead process is detected from its
 * pid; a lock written on another node cannot be checked that way, and a node that was lost (or a task
 * killed with SIGKILL) leaves one behind, which would stop the resubmitted task with E_CELL_LOCKED.
 * When the lock records the Slurm job that wrote it (`slurmJobId`, from `$SLURM_JOB_ID`), Slurm says
 * whether that job still runs; if it does not, the lock is stale and is removed before resubmission.
 */
export interface LockVerdict {
  readonly state: 'none' | 'local' | 'live' | 'stale' | 'unknown';
  readonly host?: string;
  readonly slurmJobId?: string;
}

interface LockBody {
  readonly pid?: number;
  readonly host?: string;
  readonly slurmJobId?: string;
}

export async function judgeLock(dir: string, run: CommandRunner): Promise<LockVerdict> {
  let lock: LockBody;
  try {
    lock = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockBody;
  } catch {
    return { state: 'none' };
  }
  // On this host, run-cell itself tells a dead holder from a live one.
  if (!lock.host || lock.host === hostname()) return { state: 'local' };
  const slurmJobId = lock.slurmJobId === undefined ? undefined : String(lock.slurmJobId);
  if (!slurmJobId || !/^\d+(_\d+)?$/.test(slurmJobId)) return { state: 'unknown', host: lock.host };
  const result = await run('squeue', ['-h', '-j', slurmJobId, '-o', '%i|%F|%K|%T|%r']);
  if (result.code !== 0 && !/invalid job id/i.test(result.stderr)) return { state: 'unknown', host: lock.host, slurmJobId };
  // squeue lists a job that is not an array task without array fields; any listed line in an active state counts.
  const live = result.stdout
    .split('\n')
    .filter((l) => l.trim())
    .some((l) => isActive((l.split('|')[3] ?? '').trim().toUpperCase()) || parseSqueue(l).some((t) => isActive(t.state)));
  return { state: live ? 'live' : 'stale', host: lock.host, slurmJobId };
}

export async function removeLock(dir: string): Promise<void> {
  await rm(join(dir, LOCK_FILE), { force: true });
}
