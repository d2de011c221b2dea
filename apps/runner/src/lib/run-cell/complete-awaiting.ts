import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireCellLock, AWAITING_FILE, SUMMARY_FILE } from '../cell-state.js';
import { cellDir, type CellKey } from '../grid.js';
import { cleanReferenceOf } from './clean-reference.js';
import { finishCell, readAwaiting } from './finish-cell.js';

/**
 * The sweep's side of a deferred baseline: writes the summary of a poisoned cell left awaiting its clean
 * baseline, once that baseline is done, or with `final` whatever the baseline's state (it failed: the
 * drop and lift are then undefined, with the reason, as for a poisoned cell run after a failed baseline).
 * Under the cell's lock, so it never races a worker or another process on the same cell; a cell held by
 * a live process is left to it. Returns whether the cell is now done.
 */
export async function completeAwaitingCell(runsRoot: string, cell: CellKey, final: boolean): Promise<boolean> {
  const dir = cellDir(runsRoot, cell);
  if (existsSync(join(dir, SUMMARY_FILE))) return true;
  if (!existsSync(join(dir, AWAITING_FILE))) return false;
  let unlock: () => Promise<void>;
  try {
    unlock = await acquireCellLock(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'E_CELL_LOCKED') return false;
    throw error;
  }
  try {
    if (existsSync(join(dir, SUMMARY_FILE))) return true;
    const finished = await readAwaiting(dir);
    if (!finished) return false;
    const reference = await cleanReferenceOf(runsRoot, cell);
    if (reference === null && !final) return false;
    await finishCell(dir, finished, reference);
    return true;
  } finally {
    await unlock();
  }
}
