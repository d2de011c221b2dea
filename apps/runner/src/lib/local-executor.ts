import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cellDir, cellId, cleanCellOf, type CellKey } from './grid.js';
import { readCellState } from './cell-state.js';
import type { SweepPlan } from './plan.js';
import type { CellProgress } from './progress.js';

/**
 * The local executor: a pool of worker processes, one cell each, `--workers` at a time. Processes, not
 * threads: tfjs-WASM runs single-threaded in Node, so one process per core is what scales; and a
 * crashing cell (OOM, native fault) takes only itself down.
 *
 *   plan ─▶ skip done cells ─▶ fork `run-cell --index i` ×N ─▶ progress via IPC ─▶ outcome per cell
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

  const runOne = (index: number) =>
    new Promise<CellOutcome>((resolve) => {
      const cell = plan.cells[index];
      const started = Date.now();
      progress.cellStarted(index, cell);
      const child = fork(BIN, ['run-cell', '--plan', planPath, '--index', String(index)], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, EHR_BACKDOOR_WORKER: '1' },
      });
      children.add(child);
      let stderr = '';
      let reported: string | undefined;
      child.stdout?.on('data', () => undefined);
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
      });
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') progress.cellProgress(index, cell, message);
        if (message.type === 'failed') reported = message.error;
      });
      child.on('exit', (code, sig) => {
        children.delete(child);
        const seconds = (Date.now() - started) / 1000;
        if (code === 0) {
          progress.cellFinished(index, cell, 'done');
          resolve({ index, cell, status: 'done', seconds });
        } else {
          const error = reported ?? lastLines(stderr) ?? `exited with ${sig ?? code}`;
          progress.cellFinished(index, cell, 'failed', error);
          resolve({ index, cell, status: 'failed', seconds, error });
        }
      });
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
    for (let index = await takeNext(); index !== undefined; index = await takeNext()) {
      const outcome = await runOne(index);
      outcomes.push(outcome);
      finished.add(index);
      wakeAll();
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
