import type { RunCellMessage } from '../cell-worker.js';
import type { SweepPlan } from '../plan.js';
import type { CellProgress } from '../progress.js';
import type { CellOutcome } from './outcome.js';
import type { Worker, WorkerMessage } from './worker-pool.js';

/**
 * Sends cell `index` to `worker` and resolves with its outcome: done, failed (a `failed` message, or the
 * worker gone: its last stderr lines say why), elsewhere (another process finished it while the worker
 * waited for its lock) or held (another live process has it: it is watched, not finished).
 */
export function runOnWorker(
  worker: Worker,
  plan: SweepPlan,
  index: number,
  progress: CellProgress,
  deferBaseline = false,
): Promise<CellOutcome> {
  return new Promise<CellOutcome>((resolve) => {
    const cell = plan.cells[index];
    const started = Date.now();
    progress.cellStarted(index, cell);
    // A first cell keeps what the worker wrote while it started (an import that failed, say).
    if (worker.cells++ > 0) worker.stderr = '';
    const finish = (status: 'done' | 'failed' | 'held' | 'elsewhere', error?: string, code?: string) => {
      worker.child.off('message', onMessage);
      worker.child.off('exit', onExit);
      const seconds = (Date.now() - started) / 1000;
      // A cell another process took between our look and our worker's lock is not finished: it is watched.
      if (status !== 'held') progress.cellFinished(index, cell, status, error);
      resolve({ index, cell, status, seconds, ...(error === undefined ? {} : { error }), ...(code ? { code } : {}) });
    };
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'progress') progress.cellProgress(index, cell, message);
      else if (message.type === 'done') finish(message.elsewhere ? 'elsewhere' : 'done');
      else if (message.type === 'failed')
        finish(message.code === 'E_CELL_LOCKED' ? 'held' : 'failed', message.error ?? 'failed', message.code);
    };
    const onExit = () =>
      finish('failed', lastLines(worker.stderr) ?? `worker exited with ${worker.child.signalCode ?? worker.child.exitCode}`);
    worker.child.on('message', onMessage);
    worker.child.once('exit', onExit);
    if (worker.exitedYet) onExit();
    else if (worker.child.connected)
      worker.child.send({ type: 'run', index, ...(deferBaseline ? { deferBaseline } : {}) } satisfies RunCellMessage);
  });
}

function lastLines(text: string): string | undefined {
  const lines = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !l.includes('ExperimentalWarning'));
  return lines.length ? lines.slice(-3).join(' | ') : undefined;
}
