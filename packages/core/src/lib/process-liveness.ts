import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Whether process `pid` on this host is alive. `kill(pid, 0)` answers "exists" for a zombie too (a child
 * that died and was not yet reaped by its parent holds its pid until then), so on Linux the state letter of
 * `/proc/<pid>/stat` is read as well: `Z` (zombie) and `X` (dead) count as dead. A process of another user
 * (EPERM) is alive.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !['Z', 'X', 'x'].includes(processStateLetter(pid) ?? '');
}

/** The state letter of `/proc/<pid>/stat` (R, S, D, Z, …), or undefined where there is no /proc. */
export function processStateLetter(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/**
 * This host's name as it is written into lock files and temporary names (at most 63 characters, no `/`
 * or `@`), so that another process can tell whether it may probe the owner's pid from where it runs.
 */
export function hostTag(): string {
  return (
    hostname()
      .replace(/[/@\s]/g, '_')
      .slice(0, 63) || 'localhost'
  );
}
