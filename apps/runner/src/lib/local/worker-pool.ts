import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What a worker sends about the cell it runs (cell-worker.ts). */
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
}

const BIN = fileURLToPath(new URL('../../../bin/ehr-backdoor.js', import.meta.url));

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
  // A signal handler and the caller's `finally` may both close the pool: the second call must wait for the
  // workers the first one stopped, or the process can exit while they are still shutting down.
  let closing: Promise<void> | undefined;
  return {
    take() {
      for (let worker = idle.shift(); worker; worker = idle.shift()) {
        if (!worker.exitedYet && worker.child.connected) return worker;
        worker.child.kill('SIGKILL');
      }
      return undefined;
    },
    close() {
      closing ??= (async () => {
        const stopping = idle.splice(0);
        for (const worker of stopping) if (!worker.exitedYet) worker.child.kill('SIGTERM');
        await Promise.all(stopping.map((w) => w.exited));
      })();
      return closing;
    },
  };
}

/**
 * The workers a sweep's lanes run cells on: the started ones they adopt and the fresh ones forked to
 * replace a worker that failed. A signal terminates them all (and `onAbort` wakes the lanes waiting for cells).
 */
export function laneWorkers(planPath: string, signal: AbortSignal | undefined, onAbort: () => void) {
  const children = new Set<Worker>();
  const stopAll = () => {
    for (const worker of children) worker.child.kill('SIGTERM');
    onAbort();
  };
  signal?.addEventListener('abort', stopAll, { once: true });
  return {
    adopt(worker: Worker | undefined): Worker {
      const adopted = worker ?? startWorker(planPath);
      children.add(adopted);
      void adopted.exited.then(() => children.delete(adopted));
      if (signal?.aborted) adopted.child.kill('SIGTERM');
      return adopted;
    },
    release() {
      signal?.removeEventListener('abort', stopAll);
    },
  };
}
