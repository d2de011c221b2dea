import { join } from 'node:path';
import { describeHolder, holderState, LOCK_FILE, readCellLock } from '../cell-lock.js';
import { cellDir, cellId } from '../grid.js';
import { waitUntilReleased, type HeldCellOptions } from '../held-cells.js';
import type { SweepPlan } from '../plan.js';
import type { CellProgress } from '../progress.js';
import type { CellScheduler } from './cell-scheduler.js';

export interface HeldWatchContext {
  readonly plan: SweepPlan;
  readonly scheduler: CellScheduler;
  readonly progress: CellProgress;
  readonly heldOptions: HeldCellOptions;
  readonly signal?: AbortSignal;
}

/**
 * A cell a live process holds elsewhere (held-cells.ts): with --leave-held it is left to its holder, and so
 * are the queued poisoned cells that need it as their clean baseline; otherwise it is watched until
 * released: done there (counted as done elsewhere), or freed unfinished (queued to run here).
 */
export async function watchHeldCell({ plan, scheduler, progress, heldOptions, signal }: HeldWatchContext, index: number): Promise<void> {
  const { queue, outcomes } = scheduler;
  // Counted at once, so that no lane ends for want of cells while this one may still come back.
  scheduler.watching++;
  scheduler.heldElsewhere.add(index);
  const cell = plan.cells[index];
  const dir = cellDir(plan.runsRoot, cell);
  const holder = await readCellLock(dir);
  const by = holder ? describeHolder(holder) : 'another process';
  if (heldOptions.leave) {
    const left = [index, ...queue.filter((i) => plan.cells[i].rate > 0 && scheduler.cleanIndexOf(i) === index)];
    for (const i of left) {
      if (i !== index) queue.splice(queue.indexOf(i), 1);
      const error = i === index ? `running elsewhere (${by}): left to it` : `its clean baseline ${cellId(cell)} is running elsewhere: left`;
      outcomes.push({ index: i, cell: plan.cells[i], status: 'held', seconds: 0, error });
      progress.cellFinished(i, plan.cells[i], 'held', error);
    }
    scheduler.watching--;
    scheduler.wakeAll();
    return;
  }
  // Another host's holder cannot be probed from here: if it is gone (a lost node), only its lock says otherwise.
  const remote =
    holder && holderState(holder) === 'remote'
      ? `; another host's process cannot be checked from here: if it is gone, delete ${join(dir, LOCK_FILE)}`
      : '';
  heldOptions.log?.(`[sweep] ${cellId(cell)} is running elsewhere (${by}): waiting for it (--leave-held leaves it${remote})`);
  const release = await waitUntilReleased(dir, heldOptions.pollMs, signal);
  scheduler.watching--;
  scheduler.heldElsewhere.delete(index);
  if (release === 'done') {
    outcomes.push({ index, cell, status: 'elsewhere', seconds: 0 });
    scheduler.finished.add(index);
    progress.cellFinished(index, cell, 'elsewhere');
  } else if (release === 'free') {
    heldOptions.log?.(`[sweep] ${cellId(cell)} was released unfinished by ${by}: running it here`);
    queue.push(index);
  }
  scheduler.wakeAll();
}
