import { readCellState } from './cell-state.js';

/**
 * A runs folder is a shared workspace: two sweeps in two terminals, a local sweep beside Slurm tasks, a
 * `run` beside a sweep. A cell whose lock a live process holds elsewhere is neither run a second time nor
 * counted as failed: the sweep waits until the holder lets go, then reads what it left:
 *
 *   held ─▶ (poll the cell's state) ─▶ done     the holder finished it: counted as done elsewhere
 *                                   ─▶ not done the holder died or failed: the cell is run here (its
 *                                               dead lock is taken over, its checkpoints resumed)
 *
 * With `--leave-held` the sweep does not wait: held cells (and the poisoned cells that need a held
 * clean baseline) are left to their holders and listed.
 */
export interface HeldCellOptions {
  /** Leave held cells to their holders instead of waiting (`--leave-held`). */
  readonly leave?: boolean;
  /** How often a held cell's state is read again; default 2 s. */
  readonly pollMs?: number;
  /** Where "cell X is held by …" lines go. */
  readonly log?: (line: string) => void;
}

export type Release = 'done' | 'free' | 'aborted';

/** Resolves once the cell at `dir` is no longer held: done by its holder, free to run here, or the sweep stopped. */
export async function waitUntilReleased(dir: string, pollMs = 2000, signal?: AbortSignal): Promise<Release> {
  for (;;) {
    if (signal?.aborted) return 'aborted';
    const state = await readCellState(dir);
    if (state === 'done') return 'done';
    if (state !== 'running') return 'free';
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, pollMs);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
