import { EhrBackdoorError, EnvironmentError, EXIT, InputError } from '@ehr-backdoor/core';
import { cellId } from '../grid.js';
import type { HeldCellOptions } from '../held-cells.js';
import { runLocal, startWorkers, type CellOutcome, type WorkerPool } from '../local-executor.js';
import type { SweepPlan } from '../plan.js';
import { createProgress } from '../progress.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * A study on this machine: fork the workers ─▶ prepare (dataset, plan; while they load) ─▶ the local pool
 * ─▶ failures table ─▶ exit 0, 5 if any cell failed, or 6 if every failure was the machine's (a full disk).
 */
export class SweepFailedError extends EhrBackdoorError {
  override readonly name = 'SweepFailedError';
  readonly exitCode = EXIT.partialFailure;
}

/** Failures that are this machine's, not the cells' (a full disk, a read-only folder, permissions, file handles). */
const ENVIRONMENT_CODES = new Set(['E_NO_SPACE', 'E_PERMISSION', 'E_READ_ONLY', 'E_TOO_MANY_FILES']);

export interface LocalRunSettings {
  readonly planPath: string;
  readonly runsRoot: string;
  readonly workerCount: number;
  readonly cellCount: number;
  readonly leaveHeld: boolean;
  readonly log: (line: string) => void;
}

/** Forks the workers, then runs `prepare` (which writes the plan they read) while they start, then the cells. */
export async function runLocally(settings: LocalRunSettings, prepare: () => Promise<SweepPlan>): Promise<void> {
  const { planPath, runsRoot, workerCount, cellCount, leaveHeld, log } = settings;
  const abort = new AbortController();
  // Until the cells run, a signal ends the process (once the started workers are stopped); from then on
  // it stops the pool and the run reports what ran. Listening before the first fork orphans no worker.
  let pool: WorkerPool | undefined;
  let running = false;
  let ending: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) return abort.abort();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ending = (pool?.close() ?? Promise.resolve()).finally(() => process.kill(process.pid, signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // Workers start (module loading, docs/results.md) while this process finds the dataset and writes the plan.
    pool = startWorkers(planPath, Math.min(workerCount, cellCount));
    const plan = await prepare();
    // A signal while preparing ends the process once the started workers have stopped. Stopping them can
    // outlast the rest of `prepare`; running the cells then would fork fresh workers the process orphans.
    if (ending) return await ending;
    running = true;
    await runCells(plan, planPath, workerCount, pool, abort.signal, runsRoot, { leave: leaveHeld, log });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close();
  }
}

async function runCells(
  plan: SweepPlan,
  planPath: string,
  workers: number,
  pool: WorkerPool,
  signal: AbortSignal,
  runsRoot: string,
  heldOptions: HeldCellOptions,
): Promise<void> {
  const cells = plan.cells;
  const started = Date.now();
  const progress = createProgress(cells.length);
  let outcomes: CellOutcome[];
  try {
    outcomes = await runLocal(plan, planPath, workers, progress, signal, pool, heldOptions);
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const failed = outcomes.filter((o) => o.status === 'failed');
  const done = outcomes.filter((o) => o.status === 'done').length;
  const alreadyDone = outcomes.filter((o) => o.status === 'skipped').length;
  const elsewhere = outcomes.filter((o) => o.status === 'elsewhere').length;
  const left = outcomes.filter((o) => o.status === 'held');
  const shared = `${elsewhere ? `, ${elsewhere} done by another process` : ''}${left.length ? `, ${left.length} left to other processes` : ''}`;
  process.stdout.write(
    `\nsweep finished in ${seconds.toFixed(0)} s: ${done} run, ${alreadyDone} already done${shared}, ${failed.length} failed\n`,
  );
  if (left.length) {
    process.stdout.write('\nleft to other processes (--leave-held):\n');
    for (const l of left) process.stdout.write(`  ${cellId(l.cell).padEnd(40)} ${l.error ?? ''}\n`);
  }
  if (failed.length) {
    process.stdout.write('\nfailed cells:\n');
    for (const f of failed) process.stdout.write(`  ${cellId(f.cell).padEnd(40)} ${f.error ?? ''}\n`);
  }
  process.stdout.write(`\nruns: ${runsRoot}\n`);
  if (signal.aborted)
    throw new InputError<RunnerCode>('E_INTERRUPTED', 'The sweep was interrupted; run the same command again to resume it.');
  // Cells that failed only for the machine's sake (disk full, read-only, permissions) are the machine's fault:
  // the remedy of the first, exit 6. The run directories keep every finished epoch; the same command resumes.
  if (failed.length && failed.every((f) => ENVIRONMENT_CODES.has(f.code ?? ''))) {
    const first = failed[0];
    throw new EnvironmentError<string>(
      first.code!,
      `${failed.length} of ${cells.length} cells stopped on this machine's resources (listed above); the first: ${(first.error ?? '').replace(/^E_[A-Z_]+: /, '')}`,
      { cells: failed.map((f) => cellId(f.cell)) },
    );
  }
  if (failed.length) {
    throw new SweepFailedError(
      'E_CELLS_FAILED',
      `${failed.length} of ${cells.length} cells failed (listed above); \`ehr-backdoor status ${runsRoot}\` shows them, and the same command retries them.`,
    );
  }
}
