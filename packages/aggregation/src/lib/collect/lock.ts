import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isProcessAlive } from '@ehr-backdoor/core';

/**
 * The holder named by a run directory's `.lock` when it is stale: a process of this host that is gone (or a
 * zombie), as the runner judges it when it takes a lock over. Undefined when the holder may still run: alive
 * here, on another host (which cannot be probed from here), or a lock that names no pid.
 */
export async function staleLockHolder(lockPath: string): Promise<string | undefined> {
  let holder: { pid?: unknown; host?: unknown; startedAt?: unknown };
  try {
    holder = JSON.parse(await readFile(lockPath, 'utf8')) as typeof holder;
  } catch {
    return undefined;
  }
  if (typeof holder?.pid !== 'number') return undefined;
  const host = typeof holder.host === 'string' ? holder.host : '';
  if ((host && host !== hostname()) || isProcessAlive(holder.pid)) return undefined;
  return `pid ${holder.pid} on ${host || '?'}${typeof holder.startedAt === 'string' && holder.startedAt ? ` since ${holder.startedAt}` : ''}`;
}
