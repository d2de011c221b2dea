import { join } from 'node:path';
import { LOCK_FILE, readCellState } from '../cell-state.js';
import { cellDir, cellId } from '../grid.js';
import type { SweepPlan } from '../plan.js';
import type { CommandRunner } from './slurm-cli.js';
import { activeCellIds, slurmStateOf, type SlurmState } from './slurm-jobs.js';
import { judgeLock, removeLock } from './stale-locks.js';

export interface CellSelection {
  readonly alreadyDone: number;
  /** Plan indices an earlier array still has queued or running (or whose lock's job still runs). */
  readonly alreadyQueued: number[];
  /** Plan indices to submit now. */
  readonly submit: number[];
  /** Slurm's view of the arrays submitted earlier for this runs root (none in a dry run). */
  readonly earlier: SlurmState | undefined;
}

/**
 * The cells not done (run dirs) and not queued by an earlier array (slurm-jobs.json + Slurm). A dry run
 * must work where Slurm is not installed (to review the script on a laptop); a real one fails first
 * thing, naming sbatch, where it is not.
 */
export async function selectCells(
  plan: SweepPlan,
  dryRun: boolean,
  run: CommandRunner,
  log: (line: string) => void,
): Promise<CellSelection> {
  let alreadyDone = 0;
  const open: number[] = [];
  for (let index = 0; index < plan.cells.length; index++) {
    if ((await readCellState(cellDir(plan.runsRoot, plan.cells[index]))) === 'done') alreadyDone++;
    else open.push(index);
  }
  if (!dryRun) await run('sbatch', ['--version']);
  const earlier = dryRun ? undefined : await slurmStateOf(plan.runsRoot, run);
  const queued = activeCellIds(earlier);
  const alreadyQueued = open.filter((i) => queued.has(cellId(plan.cells[i])));
  let submit = open.filter((i) => !queued.has(cellId(plan.cells[i])));
  if (!dryRun) {
    const locked = await settleForeignLocks(plan, submit, run, log);
    alreadyQueued.push(...locked);
    submit = submit.filter((i) => !locked.includes(i));
  }
  return { alreadyDone, alreadyQueued, submit, earlier };
}

/**
 * Locks left on other nodes: removed when the Slurm job that wrote them no longer runs; a cell whose
 * lock's job still runs is not submitted again. Returns those cells' plan indices.
 */
async function settleForeignLocks(
  plan: SweepPlan,
  indices: readonly number[],
  run: CommandRunner,
  log: (line: string) => void,
): Promise<number[]> {
  const live: number[] = [];
  for (const i of indices) {
    const dir = cellDir(plan.runsRoot, plan.cells[i]);
    const verdict = await judgeLock(dir, run);
    const id = cellId(plan.cells[i]);
    if (verdict.state === 'stale') {
      await removeLock(dir);
      log(`slurm: removed the stale lock of ${id} (left on ${verdict.host} by Slurm job ${verdict.slurmJobId}, which no longer runs)`);
    } else if (verdict.state === 'live') {
      live.push(i);
    } else if (verdict.state === 'unknown') {
      log(
        `slurm: warning: ${id} is locked by a process on ${verdict.host}, which cannot be checked from here; ` +
          `if that run is dead (lost node), delete ${join(dir, LOCK_FILE)} or its task will stop with E_CELL_LOCKED.`,
      );
    }
  }
  return live;
}
