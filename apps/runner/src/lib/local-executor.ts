import { readCellState } from './cell-state.js';
import type { HeldCellOptions } from './held-cells.js';
import { cellDir, cellId } from './grid.js';
import type { SweepPlan } from './plan.js';
import type { CellProgress } from './progress.js';
import { AwaitingCells } from './local/awaiting-cells.js';
import { CellScheduler } from './local/cell-scheduler.js';
import type { CellOutcome } from './local/outcome.js';
import { watchHeldCell, type HeldWatchContext } from './local/held-watch.js';
import { runOnWorker } from './local/run-on-worker.js';
import { laneWorkers, startWorkers, type Worker, type WorkerPool } from './local/worker-pool.js';

/**
 * The local executor: `--workers` long-lived worker processes, each running one cell at a time from the
 * queue. Processes, not threads: tfjs-WASM runs single-threaded in Node, so one process per core is what
 * scales. A worker runs many cells, so module loading and backend start-up are paid once per worker, not
 * once per cell; a cell that fails or crashes its worker (OOM, native fault) takes only itself down, and
 * its lane starts a fresh worker for the next cell.
 *
 *   sweep: startWorkers ×N (before the plan exists) ─▶ dataset, plan ─▶ runLocal:
 *   skip done cells ─▶ lanes take the started workers (fork more only to replace one) ─▶ { run, index }
 *   ─▶ progress via IPC ─▶ outcome per cell ─▶ summaries of poisoned cells that finished before their
 *   baseline;   workers no lane took are stopped
 *
 * In local/: worker-pool (forking and adopting workers), cell-scheduler (which cell next), run-on-worker
 * (one cell over IPC), held-watch (cells another live process holds), awaiting-cells (poisoned cells
 * whose summary waits for their clean baseline).
 */
export type { CellOutcome } from './local/outcome.js';
export { startWorker, startWorkers, type Worker, type WorkerMessage, type WorkerPool } from './local/worker-pool.js';

export async function runLocal(
  plan: SweepPlan,
  planPath: string,
  workers: number,
  progress: CellProgress,
  signal?: AbortSignal,
  started: WorkerPool = startWorkers(planPath, 0),
  heldOptions: HeldCellOptions = {},
): Promise<CellOutcome[]> {
  const scheduler = new CellScheduler(plan.cells, signal);
  const heldAtStart = await sortCells(plan, scheduler, progress);
  const toRun = scheduler.queue.length + heldAtStart.length;
  const laneCount = toRun === 0 ? 0 : Math.max(1, Math.min(workers, toRun));
  const firstWorkers = Array.from({ length: laneCount }, () => started.take());
  // Started workers beyond the lanes (fewer cells to run than workers) would only take CPU from the rest.
  const closing = started.close();
  const pool = laneWorkers(planPath, signal, () => scheduler.wakeAll());

  const context: LaneContext = {
    plan,
    scheduler,
    progress,
    heldOptions,
    awaiting: new AwaitingCells(plan, scheduler, heldOptions.log),
    ...(signal ? { signal } : {}),
  };
  const watches = heldAtStart.map((index) => watchHeldCell(context, index));
  const lanes = firstWorkers.map((first) => runLane(pool.adopt(first), context, watches, pool.adopt));
  await Promise.all([...lanes, closing]);
  await Promise.all(watches);
  await context.awaiting.atEnd(signal?.aborted ?? false);
  pool.release();
  return scheduler.outcomes.sort((a, b) => a.index - b.index);
}

/** Cells done before this sweep are skipped; those a live process holds are returned, to be watched; the rest queued. */
async function sortCells(plan: SweepPlan, scheduler: CellScheduler, progress: CellProgress): Promise<number[]> {
  const heldAtStart: number[] = [];
  for (let index = 0; index < plan.cells.length; index++) {
    const cell = plan.cells[index];
    const state = await readCellState(cellDir(plan.runsRoot, cell));
    if (state === 'done') {
      scheduler.outcomes.push({ index, cell, status: 'skipped', seconds: 0 });
      scheduler.finished.add(index);
      progress.cellFinished(index, cell, 'skipped');
    } else if (state === 'running') {
      heldAtStart.push(index);
    } else {
      scheduler.queue.push(index);
    }
  }
  return heldAtStart;
}

interface LaneContext extends HeldWatchContext {
  readonly awaiting: AwaitingCells;
}

/**
 * One lane: its worker runs the next ready cell until none is left. A cell found held elsewhere is
 * watched; a failed cell may leave its process in a bad state (leaked tensors, a half-initialised
 * backend), so the next cell gets a fresh one.
 */
async function runLane(
  first: Worker,
  context: LaneContext,
  watches: Promise<void>[],
  adopt: (worker: Worker | undefined) => Worker,
): Promise<void> {
  const { plan, scheduler, progress, awaiting } = context;
  let worker: Worker | null = first;
  for (let index = await scheduler.takeNext(); index !== undefined; index = await scheduler.takeNext()) {
    worker ??= adopt(undefined);
    const outcome = await runOnWorker(worker, plan, index, progress, awaiting.defers(index));
    if (outcome.status === 'held') {
      watches.push(watchHeldCell(context, index));
      continue;
    }
    scheduler.record(outcome);
    await awaiting.after(outcome);
    if (outcome.status === 'failed') {
      worker.child.kill('SIGKILL');
      await worker.exited;
      worker = null;
    }
    scheduler.wakeAll();
  }
  if (worker) {
    // Asked to stop, a worker finishes what it is doing first: for one that never ran a cell that may
    // still be loading modules, so it is terminated instead.
    if (worker.cells === 0) worker.child.kill('SIGTERM');
    else if (worker.child.connected) worker.child.disconnect();
    await worker.exited;
  }
}

export { cellId };
