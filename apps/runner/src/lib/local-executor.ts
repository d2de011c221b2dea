import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '@ehr-backdoor/core';
import { validateCellNames } from './cell-checks.js';
import { CellOrder } from './cell-order.js';
import { readCellState } from './cell-state.js';
import { describeHolder, holderState, LOCK_FILE, readCellLock } from './cell-lock.js';
import { waitUntilReleased, type HeldCellOptions } from './held-cells.js';
import { cellDir, cellId, cleanCellOf, type CellKey } from './grid.js';
import type { CheckNamesMessage, CheckNamesReply, RunCellMessage } from './cell-worker.js';
import type { SweepPlan } from './plan.js';
import type { CellProgress } from './progress.js';

/**
 * The local executor: `--workers` long-lived worker processes, each running one cell at a time from the
 * queue. Processes, not threads: tfjs-WASM runs single-threaded in Node, so one process per core is what
 * scales. A worker runs many cells, so module loading and backend start-up are paid once per worker, not
 * once per cell; a cell that fails or crashes its worker (OOM, native fault) takes only itself down, and
 * its lane starts a fresh worker for the next cell.
 *
 *   sweep: startWorkers ×N (before the plan exists) ─▶ names (checked by a started worker), dataset,
 *   plan ─▶ runLocal:
 *   skip done cells ─▶ lanes take the started workers (fork more only to replace one) ─▶ { run, index }
 *   ─▶ progress via IPC ─▶ outcome per cell;   workers no lane took are stopped
 */
export interface CellOutcome {
  readonly index: number;
  readonly cell: CellKey;
  /** skipped: done before this sweep started · elsewhere: done meanwhile by another process · held: left to another process (--leave-held) */
  readonly status: 'done' | 'skipped' | 'failed' | 'elsewhere' | 'held';
  readonly seconds: number;
  readonly error?: string;
  /** The failure's `E_*` code, when it had one. */
  readonly code?: string;
}

export interface WorkerMessage {
  readonly type: 'progress' | 'done' | 'failed';
  readonly epoch?: number;
  readonly epochs?: number;
  readonly phase?: string;
  readonly metric?: number;
  readonly error?: string;
  readonly code?: string;
  /** With `done`: another process finished the cell while this worker waited for its lock. */
  readonly elsewhere?: boolean;
}

export interface Worker {
  readonly child: ChildProcess;
  /** The tail of the worker's stderr since its current cell started (since it started, for its first cell). */
  stderr: string;
  /** Cells it was given so far. */
  cells: number;
  /** Set once the process has exited. */
  exitedYet: boolean;
  readonly exited: Promise<void>;
}

/**
 * Workers started ahead of the cells they will run. `take` hands out one still alive (a worker that died
 * while waiting is passed over); `close` stops the ones never taken and resolves once they have exited.
 * A worker that was never sent a cell has nothing to lose, so it is terminated rather than asked.
 */
export interface WorkerPool {
  take(): Worker | undefined;
  close(): Promise<void>;
  /**
   * `validateCellNames` run by a started worker (which loads train and poison anyway), or here when
   * none is left or it cannot answer; either way the same cells, skipped pairs and input errors.
   */
  checkNames(cells: readonly CellKey[]): Promise<{ cells: CellKey[]; skipped: string[] }>;
}

const BIN = fileURLToPath(new URL('../../bin/ehr-backdoor.js', import.meta.url));

/** Forks one `cell-worker` for the plan at `planPath` (the file may not exist yet: it is read on the first cell). */
export function startWorker(planPath: string): Worker {
  const child = fork(BIN, ['cell-worker', '--plan', planPath], {
    // V8 first compiles WebAssembly with its baseline compiler and optimises hot functions later, so a
    // TCN needs several steps to reach full speed. Optimising on first call shortens a worker's first
    // cells a little (docs/results.md); compiled code is deterministic either way.
    execArgv: [...process.execArgv, '--no-liftoff'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, EHR_BACKDOOR_WORKER: '1' },
  });
  let markExited = () => undefined as void;
  const worker: Worker = { child, stderr: '', cells: 0, exitedYet: false, exited: new Promise((resolve) => (markExited = resolve)) };
  const onGone = () => {
    worker.exitedYet = true;
    markExited();
  };
  child.once('exit', onGone);
  // A process that could not be spawned at all reports only 'error' (Node may not emit 'exit' then).
  child.on('error', (error) => {
    worker.stderr = (worker.stderr + `\n${error.message}`).slice(-4000);
    if (child.pid === undefined) onGone();
  });
  child.stdout?.on('data', () => undefined);
  child.stderr?.on('data', (chunk: Buffer) => {
    worker.stderr = (worker.stderr + chunk.toString()).slice(-4000);
  });
  return worker;
}

export function startWorkers(planPath: string, count: number): WorkerPool {
  const idle = Array.from({ length: Math.max(0, count) }, () => startWorker(planPath));
  return {
    take() {
      for (let worker = idle.shift(); worker; worker = idle.shift()) {
        if (!worker.exitedYet && worker.child.connected) return worker;
        worker.child.kill('SIGKILL');
      }
      return undefined;
    },
    async checkNames(cells) {
      const worker = idle.find((w) => !w.exitedYet && w.child.connected);
      const reply = worker && (await askToCheck(worker, cells));
      if (reply?.type === 'checked') return { cells: reply.cells, skipped: reply.skipped };
      // The worker's code may be any package's: relayed as it is.
      if (reply?.type === 'check-failed' && reply.name === 'InputError' && reply.code) throw new InputError<string>(reply.code, reply.message);
      // No worker, one that died, or one whose modules failed to load: checking here reports the
      // same errors, and an unexpected one with its stack.
      return validateCellNames(cells);
    },
    async close() {
      const stopping = idle.splice(0);
      for (const worker of stopping) if (!worker.exitedYet) worker.child.kill('SIGTERM');
      await Promise.all(stopping.map((w) => w.exited));
    },
  };
}

function askToCheck(worker: Worker, cells: readonly CellKey[]): Promise<CheckNamesReply | undefined> {
  return new Promise((resolve) => {
    const finish = (reply: CheckNamesReply | undefined) => {
      worker.child.off('message', onMessage);
      worker.child.off('exit', onExit);
      resolve(reply);
    };
    const onMessage = (message: CheckNamesReply) => {
      if (message?.type === 'checked' || message?.type === 'check-failed') finish(message);
    };
    const onExit = () => finish(undefined);
    worker.child.on('message', onMessage);
    worker.child.once('exit', onExit);
    try {
      worker.child.send({ type: 'check', cells } satisfies CheckNamesMessage);
    } catch {
      finish(undefined);
    }
  });
}

export async function runLocal(
  plan: SweepPlan,
  planPath: string,
  workers: number,
  progress: CellProgress,
  signal?: AbortSignal,
  started: WorkerPool = startWorkers(planPath, 0),
  heldOptions: HeldCellOptions = {},
): Promise<CellOutcome[]> {
  const outcomes: CellOutcome[] = [];
  const queue: number[] = [];
  const heldAtStart: number[] = [];
  for (let index = 0; index < plan.cells.length; index++) {
    const cell = plan.cells[index];
    const state = await readCellState(cellDir(plan.runsRoot, cell));
    if (state === 'done') {
      outcomes.push({ index, cell, status: 'skipped', seconds: 0 });
      progress.cellFinished(index, cell, 'skipped');
    } else if (state === 'running') {
      heldAtStart.push(index);
    } else {
      queue.push(index);
    }
  }
  const toRun = queue.length + heldAtStart.length;
  const laneCount = toRun === 0 ? 0 : Math.max(1, Math.min(workers, toRun));
  const firstWorkers = Array.from({ length: laneCount }, () => started.take());
  // Started workers beyond the lanes (fewer cells to run than workers) would only take CPU from the rest.
  const closing = started.close();

  const children = new Set<Worker>();
  const stopAll = () => {
    for (const worker of children) worker.child.kill('SIGTERM');
    wakeAll();
  };
  signal?.addEventListener('abort', stopAll, { once: true });
  const adopt = (worker: Worker | undefined): Worker => {
    const adopted = worker ?? startWorker(planPath);
    children.add(adopted);
    void adopted.exited.then(() => children.delete(adopted));
    if (signal?.aborted) adopted.child.kill('SIGTERM');
    return adopted;
  };

  const runOne = (worker: Worker, index: number) =>
    new Promise<CellOutcome>((resolve) => {
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
        else if (message.type === 'failed') finish(message.code === 'E_CELL_LOCKED' ? 'held' : 'failed', message.error ?? 'failed', message.code);
      };
      const onExit = () => finish('failed', lastLines(worker.stderr) ?? `worker exited with ${worker.child.signalCode ?? worker.child.exitCode}`);
      worker.child.on('message', onMessage);
      worker.child.once('exit', onExit);
      if (worker.exitedYet) onExit();
      else if (worker.child.connected) worker.child.send({ type: 'run', index } satisfies RunCellMessage);
    });

  // A poisoned cell reads its clean baseline's AUROC (same model and seed, rate 0), so it starts only
  // once that cell has finished (or failed, or is not part of this sweep); other cells go first. Of the
  // ready cells, the one with the most work hanging on it goes first (cell-order.ts).
  const order = new CellOrder(plan.cells);
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
  // Cells a live process holds elsewhere (held-cells.ts): watched until released, or left to their holder.
  let watching = 0;
  const held = async (index: number) => {
    // Counted at once, so that no lane ends for want of cells while this one may still come back.
    watching++;
    const cell = plan.cells[index];
    const dir = cellDir(plan.runsRoot, cell);
    const holder = await readCellLock(dir);
    const by = holder ? describeHolder(holder) : 'another process';
    if (heldOptions.leave) {
      const left = [index, ...queue.filter((i) => plan.cells[i].rate > 0 && indexOf.get(cellId(cleanCellOf(plan.cells[i]))) === index)];
      for (const i of left) {
        if (i !== index) queue.splice(queue.indexOf(i), 1);
        const error = i === index ? `running elsewhere (${by}): left to it` : `its clean baseline ${cellId(cell)} is running elsewhere: left`;
        outcomes.push({ index: i, cell: plan.cells[i], status: 'held', seconds: 0, error });
        progress.cellFinished(i, plan.cells[i], 'held', error);
      }
      watching--;
      wakeAll();
      return;
    }
    // Another host's holder cannot be probed from here: if it is gone (a lost node), only its lock says otherwise.
    const remote = holder && holderState(holder) === 'remote' ? `; another host's process cannot be checked from here: if it is gone, delete ${join(dir, LOCK_FILE)}` : '';
    heldOptions.log?.(`[sweep] ${cellId(cell)} is running elsewhere (${by}): waiting for it (--leave-held leaves it${remote})`);
    const release = await waitUntilReleased(dir, heldOptions.pollMs, signal);
    watching--;
    if (release === 'done') {
      outcomes.push({ index, cell, status: 'elsewhere', seconds: 0 });
      finished.add(index);
      progress.cellFinished(index, cell, 'elsewhere');
    } else if (release === 'free') {
      heldOptions.log?.(`[sweep] ${cellId(cell)} was released unfinished by ${by}: running it here`);
      queue.push(index);
    }
    wakeAll();
  };
  const watches = heldAtStart.map(held);
  const takeNext = async (): Promise<number | undefined> => {
    for (;;) {
      if ((queue.length === 0 && watching === 0) || signal?.aborted) return undefined;
      const at = order.pick(queue, ready);
      if (at >= 0) return queue.splice(at, 1)[0];
      await new Promise<void>((resume) => waiting.push(resume));
    }
  };
  const lanes = firstWorkers.map(async (first) => {
    let worker: Worker | null = adopt(first);
    for (let index = await takeNext(); index !== undefined; index = await takeNext()) {
      worker ??= adopt(undefined);
      const outcome = await runOne(worker, index);
      if (outcome.status === 'held') {
        watches.push(held(index));
        continue;
      }
      outcomes.push(outcome);
      order.record(outcome.cell, outcome.seconds);
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
      // Asked to stop, a worker finishes what it is doing first: for one that never ran a cell that may
      // still be loading modules, so it is terminated instead.
      if (worker.cells === 0) worker.child.kill('SIGTERM');
      else if (worker.child.connected) worker.child.disconnect();
      await worker.exited;
    }
  });
  await Promise.all([...lanes, closing]);
  await Promise.all(watches);
  signal?.removeEventListener('abort', stopAll);
  return outcomes.sort((a, b) => a.index - b.index);
}

function lastLines(text: string): string | undefined {
  const lines = text.trim().split('\n').filter((l) => l.trim() && !l.includes('ExperimentalWarning'));
  return lines.length ? lines.slice(-3).join(' | ') : undefined;
}

export { cellId };
