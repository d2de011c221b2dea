import { cellId } from '../grid.js';
import type { SweepPlan } from '../plan.js';
import { completeAwaitingCell } from '../run-cell/complete-awaiting.js';
import type { CellScheduler } from './cell-scheduler.js';
import type { CellOutcome } from './outcome.js';

/**
 * A poisoned cell does not wait for its clean baseline: it starts when a worker is free, and when the
 * baseline has not finished by the time its summary is due, its worker leaves the summary's inputs in
 * awaiting-baseline.json (run-cell's `deferBaseline`). The sweep writes those summaries here, in this
 * process, under each cell's lock: as soon as the baseline has finished (done, or failed: then the drop
 * and lift are undefined with the reason, as before), and in one pass at the end for the rest.
 */
export class AwaitingCells {
  constructor(
    private readonly plan: SweepPlan,
    private readonly scheduler: CellScheduler,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** Whether a worker may leave cell `index` awaiting: its baseline is part of this sweep, which will finish it. */
  defers(index: number): boolean {
    return this.plan.cells[index].rate > 0 && this.scheduler.cleanIndexOf(index) !== undefined;
  }

  /** After `outcome`: the cells it lets finish (itself, once its baseline is done; or a baseline's poisoned cells). */
  async after(outcome: CellOutcome): Promise<void> {
    const { index, cell } = outcome;
    if (cell.rate > 0) {
      const clean = this.scheduler.cleanIndexOf(index);
      if (outcome.status === 'done' && (clean === undefined || this.scheduler.finished.has(clean))) await this.complete(index, true);
      return;
    }
    for (const other of this.scheduler.outcomes)
      if (other.status === 'done' && other.cell.rate > 0 && this.scheduler.cleanIndexOf(other.index) === index)
        await this.complete(other.index, true);
  }

  /**
   * The end of the sweep: every poisoned cell still awaiting a baseline that has finished. Stopped early
   * (`stopped`), or with the baseline left to another process, a cell keeps waiting: the next sweep finishes it.
   */
  async atEnd(stopped: boolean): Promise<void> {
    for (const outcome of this.scheduler.outcomes) {
      if (outcome.status !== 'done' || outcome.cell.rate === 0) continue;
      const clean = this.scheduler.cleanIndexOf(outcome.index);
      await this.complete(outcome.index, !stopped && (clean === undefined || this.scheduler.finished.has(clean)));
    }
  }

  private async complete(index: number, final: boolean): Promise<void> {
    const cell = this.plan.cells[index];
    try {
      await completeAwaitingCell(this.plan.runsRoot, cell, final);
    } catch (error) {
      // Left awaiting: the next sweep writes its summary (nothing is trained again).
      this.log(`[sweep] ${cellId(cell)}: could not write its summary: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
