import type { CellKey } from './grid.js';

/**
 * Which queued cell a free worker runs next: the most expensive ready one.
 *
 * Workers take cells from one queue. Taken in grid order, an expensive model's cells can end the sweep
 * with one worker idle while the other finishes them. This is list scheduling, longest first: the cells
 * do not depend on each other (a poisoned cell reads its clean baseline only when its summary is
 * written, run-cell/outputs.ts), so a cell's priority is its estimated cost. Expensive models go before
 * cheap ones and the cheap cells fill the end; among equals, grid order keeps a model's clean baseline
 * before its poisoned cells, so these mostly find it done and write their summary at once.
 *
 * Costs are seconds per cell of each model: a prior from the default sweep (CPU-seconds per cell,
 * measured on 27 Nov 2026, before the SIMD batched matMul; only their ratios matter until a cell has
 * finished), replaced by the mean wall time of the model's finished cells as they come in. A model
 * with neither costs the mean of the others. Ordering never changes a cell's result, only when it runs.
 */
export const PRIOR_SECONDS_PER_CELL: Readonly<Record<string, number>> = { tabtransformer: 46, lstm: 18, tcn: 9.6, mlp: 1.7 };

export class CellOrder {
  private readonly finished = new Map<string, { seconds: number; cells: number }>();

  constructor(
    private readonly cells: readonly CellKey[],
    private readonly prior: Readonly<Record<string, number>> = PRIOR_SECONDS_PER_CELL,
  ) {}

  /** Records how long a finished cell took (failed cells too: they used the time). */
  record(cell: CellKey, seconds: number): void {
    if (!(seconds > 0)) return;
    const f = this.finished.get(cell.model) ?? { seconds: 0, cells: 0 };
    this.finished.set(cell.model, { seconds: f.seconds + seconds, cells: f.cells + 1 });
  }

  /** Estimated seconds for one cell of `model`. */
  estimate(model: string): number {
    const f = this.finished.get(model);
    if (f) return f.seconds / f.cells;
    const prior = this.prior[model];
    if (prior !== undefined) return this.scaled(prior);
    const known = [...new Set(this.cells.map((c) => c.model))].filter(
      (m) => m !== model && (this.finished.has(m) || this.prior[m] !== undefined),
    );
    return known.length ? known.reduce((sum, m) => sum + this.estimate(m), 0) / known.length : 1;
  }

  /** The cell's estimated cost. */
  priority(cell: CellKey): number {
    return this.estimate(cell.model);
  }

  /**
   * Position in `queue` (indices into the cells) of the ready cell to run next, or -1 if none is ready.
   * Ties keep grid order.
   */
  pick(queue: readonly number[], ready: (index: number) => boolean): number {
    let best = -1;
    let bestPriority = -Infinity;
    queue.forEach((index, at) => {
      if (!ready(index)) return;
      const p = this.priority(this.cells[index]);
      if (p > bestPriority) [best, bestPriority] = [at, p];
    });
    return best;
  }

  // A prior is in the default sweep's seconds; once any model has finished cells, priors are rescaled by
  // how the finished models compare with their own priors (another machine, other epochs or data).
  private scaled(prior: number): number {
    let measured = 0;
    let expected = 0;
    for (const [model, f] of this.finished) {
      const p = this.prior[model];
      if (p === undefined) continue;
      measured += f.seconds;
      expected += p * f.cells;
    }
    return expected > 0 ? (prior * measured) / expected : prior;
  }
}
