import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cellDir, cellId, cleanCellOf, type CellKey } from './grid.js';
import { readCellState } from './cell-state.js';
import type { RunCellMessage } from './cell-worker.js';
import type { SweepPlan } from './plan.js';
import type { CellProgress } from './progress.js';

/**
 * The local executor: `--workers` long-lived worker processes, each running one cell at a time from the
 * queue. Processes, not threads: tfjs-WASM runs single-threaded in Node, so one process per core is what
 * scales. A worker runs many cells, so module loading and backend start-up are paid once per worker, not
 * once per cell; a cell that fails or crashes its worker (OOM, native fault) takes only itself down, and
 * its lane starts a fresh worker for the next cell.
 *
 *   plan ─▶ skip done cells ─▶ fork `cell-worker` ×N ─▶ { run, index } ─▶ progress via IPC ─▶ outcome per cell
 */
export interface CellOutcome {
  readonly index: number;
  readonly cell: CellKey;
  readonly status: 'done' | 'skipped' | 'failed';
  readonly seconds: number;
  readonly error?: string;
}

export interface WorkerMessage {
  readonly type: 'progress' | 'done' | 'failed';
  readonly epoch?: number;
  readonly epochs?: number;
  readonly phase?: string;
  readonly metric?: number;
  readonly error?: string;
}

interface Worker {
  readonly child: ChildProcess;
  /** The tail of the worker's stderr since its current cell started (for the failures table). */
  stderr: string;
  readonly exited: Promise<void>;
}

const BIN = fileURLToPath(new URL('../../bin/ehr-backdoor.js', import.meta.url));

export async function runLocal(
  plan: SweepPlan,
  planPath: string,
  workers: number,
  progress: CellProgress,
  signal?: AbortSignal,
): Promise<CellOutcome[]> {
  const outcomes: CellOutcome[] = [];
  const queue: number[] = [];
  for (let index = 0; index < plan.cells.length; index++) {
    const cell = plan.cells[index];
    if ((await readCellState(cellDir(plan.runsRoot, cell))) === 'done') {
      outcomes.push({ index, cell, status: 'skipped', seconds: 0 });
      progress.cellFinished(index, cell, 'skipped');
    } else {
      queue.push(index);
    }
  }
  const children = new Set<ChildProcess>();
  const stopAll = () => {
    for (const child of children) child.kill('SIGTERM');
    wakeAll();
  };
  signal?.addEventListener('abort', stopAll, { once: true });

  const startWorker = (): Worker => {
    const child = fork(BIN, ['cell-worker', '--plan', planPath], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, EHR_BACKDOOR_WORKER: '1' },
    });
    const worker: Worker = { child, stderr: '', exited: new Promise((resolve) => child.once('exit', () => resolve())) };
    children.add(child);
    child.once('exit', () => children.delete(child));
    child.stdout?.on('data', () => undefined);
    child.stderr?.on('data', (chunk: Buffer) => {
      worker.stderr = (worker.stderr + chunk.toString()).slice(-4000);
    });
    return worker;
  };

  const runOne = (worker: Worker, index: number) =>
    new Promise<CellOutcome>((resolve) => {
      const cell = plan.cells[index];
      const started = Date.now();
      progress.cellStarted(index, cell);
      worker.stderr = '';
      const finish = (status: 'done' | 'failed', error?: string) => {
        worker.child.off('message', onMessage);
        worker.child.off('exit', onExit);
        const seconds = (Date.now() - started) / 1000;
        progress.cellFinished(index, cell, status, error);
        resolve(error === undefined ? { index, cell, status, seconds } : { index, cell, status, seconds, error });
      };
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'progress') progress.cellProgress(index, cell, message);
        else if (message.type === 'done') finish('done');
        else if (message.type === 'failed') finish('failed', message.error ?? 'failed');
      };
      const onExit = (code: number | null, sig: NodeJS.Signals | null) => finish('failed', lastLines(worker.stderr) ?? `worker exited with ${sig ?? code}`);
      worker.child.on('message', onMessage);
      worker.child.once('exit', onExit);
      if (worker.child.connected) worker.child.send({ type: 'run', index } satisfies RunCellMessage);
    });

  // A poisoned cell reads its clean baseline's AUROC (same model and seed, rate 0), so it starts only
  // once that cell has finished (or failed, or is not part of this sweep); other cells go first.
  const indexOf = new Map(plan.cells.map((c, i) => [cellId(c), i]));
  const finished = new Set<number>(outcomes.map((o) => o.index));
  const ready = (index: number) => {
    const cell = plan.cells[index];
    if (cell.rate === 0) return true;
    const clean = indexOf.get(cellId(cleanCellOf(cell)));
    return clean === undefined || finished.has(clean);
  };
  const waiting: (() => void)[] = [];
  const wakeAll = () => waiting.splice(0).forEach((resume) => resume());
  const takeNext = async (): Promise<number | undefined> => {
    for (;;) {
      if (queue.length === 0 || signal?.aborted) return undefined;
      const at = queue.findIndex(ready);
      if (at >= 0) return queue.splice(at, 1)[0];
      await new Promise<void>((resume) => waiting.push(resume));
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(workers, queue.length)) }, async () => {
    let worker: Worker | null = null;
    for (let index = await takeNext(); index !== undefined; index = await takeNext()) {
      worker ??= startWorker();
      const outcome = await runOne(worker, index);
      outcomes.push(outcome);
      finished.add(index);
      // A failed cell may leave its process in a bad state (leaked tensors, a half-initialised backend):
      // the next cell gets a fresh one.
      if (outcome.status === 'failed') {
        worker.child.kill('SIGKILL');
        await worker.exited;
        worker = null;
      }
      wakeAll();
    }
    if (worker) {
      if (worker.child.connected) worker.child.disconnect();
      await worker.exited;
    }
  });
  await Promise.all(lanes);
  signal?.removeEventListener('abort', stopAll);
  return outcomes.sort((a, b) => a.index - b.index);
}

function lastLines(text: string): string | undefined {
  const lines = text.trim().split('\n').filter((l) => l.trim() && !l.includes('ExperimentalWarning'));
  return lines.length ? lines.slice(-3).join(' | ') : undefined;
}

export { cellId };
