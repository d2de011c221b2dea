import { CellOrder } from '../cell-order.js';
import { cellId, cleanCellOf, type CellKey } from '../grid.js';
import type { CellOutcome } from './outcome.js';

/**
 * The cells of one local sweep still to run, and the outcomes so far. A poisoned cell reads its clean
 * baseline (same model and seed, rate 0) only when its summary is written, and one that finishes first
 * waits for it on disk, not on a worker (awaiting-cells.ts): so every queued cell is ready, except a
 * poisoned cell whose baseline another process holds (held-watch.ts), which waits for that process as
 * before. The most expensive ready cell goes first (cell-order.ts).
 */
export class CellScheduler {
  readonly outcomes: CellOutcome[] = [];
  /** Plan indices not yet handed to a lane. */
  readonly queue: number[] = [];
  /** Plan indices finished in any way (done, failed, skipped, done elsewhere). */
  readonly finished = new Set<number>();
  /** Cells a live process holds elsewhere, being watched: counted so no lane ends while one may still come back. */
  watching = 0;
  /** Plan indices of cells another live process holds, being watched or left to it. */
  readonly heldElsewhere = new Set<number>();
  private readonly order: CellOrder;
  private readonly indexOf: Map<string, number>;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly cells: readonly CellKey[],
    private readonly signal?: AbortSignal,
  ) {
    this.order = new CellOrder(cells);
    this.indexOf = new Map(cells.map((c, i) => [cellId(c), i]));
  }

  /** The plan index of `index`'s clean baseline, when it is part of this sweep. */
  cleanIndexOf(index: number): number | undefined {
    return this.indexOf.get(cellId(cleanCellOf(this.cells[index])));
  }

  private ready(index: number): boolean {
    const clean = this.cells[index].rate === 0 ? undefined : this.cleanIndexOf(index);
    return clean === undefined || !this.heldElsewhere.has(clean);
  }

  /** The next cell to run, once one is ready; undefined when none is left (or the sweep was stopped). */
  async takeNext(): Promise<number | undefined> {
    for (;;) {
      if ((this.queue.length === 0 && this.watching === 0) || this.signal?.aborted) return undefined;
      const at = this.order.pick(this.queue, (index) => this.ready(index));
      if (at >= 0) return this.queue.splice(at, 1)[0];
      await new Promise<void>((resume) => this.waiting.push(resume));
    }
  }

  /** A cell a lane ran to its end (done, failed or done elsewhere): its time informs the order of the rest. */
  record(outcome: CellOutcome): void {
    this.outcomes.push(outcome);
    this.order.record(outcome.cell, outcome.seconds);
    this.finished.add(outcome.index);
  }

  wakeAll(): void {
    this.waiting.splice(0).forEach((resume) => resume());
  }
}
