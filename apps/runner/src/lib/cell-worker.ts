import { environmentErrorFrom, InputError } from '@ehr-backdoor/core';
import type { EhrDataset } from '@ehr-backdoor/data';
import { configOfPlanCell, readPlan, type SweepPlan } from './plan.js';
import type { RunnerCode } from './error-codes.js';

/**
 * The worker side of the local executor's protocol:
 *
 *   start ─▶ import run-cell, data, poison, train (at once, before any message)
 *   parent ──{ run, index, deferBaseline? }──▶ worker: plan (read on the first message, then kept) ─▶ executeCell
 *                                      ──{ progress }*──▶ parent ──{ done } | { failed, error }──▶ parent
 *   parent disconnects ─▶ worker exits (0 when idle, 130 mid-cell: the cell resumes from its checkpoint)
 *
 * The sweep forks its workers before it has checked the grid or written the plan, so that their start-up
 * (Node and yargs, then tfjs and the packages; docs/results.md) overlaps its own work. Hence the plan is read on
 * the first `run` (the parent writes it before sending one), while the modules load from the start.
 *
 * One cell at a time: the parent sends the next index only after `done` or `failed`. A cell's result does
 * not depend on the cells before it in the same process: every random stream is seeded per cell, the
 * trained model is disposed after each, and the dataset they share (loaded once per worker) is only ever
 * read.
 */
export interface RunCellMessage {
  readonly type: 'run';
  readonly index: number;
  /** The sweep finishes the cell if its clean baseline is not done when its summary is due (run-cell's request). */
  readonly deferBaseline?: boolean;
}

export async function serveCells(planPath: string): Promise<void> {
  const send = process.send?.bind(process);
  if (!send)
    throw new InputError<RunnerCode>(
      'E_NOT_A_WORKER',
      'cell-worker runs under `ehr-backdoor sweep` (it needs the IPC channel of a forked process); use run-cell to run one cell.',
    );
  // The parent may have stopped (bad input, a signal) while this process was starting: its `disconnect`
  // has been and gone, and there is nothing to serve.
  if (!process.connected) return;
  const cellModule = import('./run-cell.js');
  // run-cell reaches these through evaluate.ts; named too so that warming up does not hinge on that.
  Promise.all([cellModule, import('@ehr-backdoor/data'), import('@ehr-backdoor/poison'), import('@ehr-backdoor/train')]).catch(
    () => undefined,
  );

  let plan: Promise<SweepPlan> | undefined;
  let dataset: { readonly dir: string; readonly value: Promise<EhrDataset> } | undefined;
  const loadDataset = (dir: string): Promise<EhrDataset> => {
    if (dataset?.dir !== dir) {
      const value = import('@ehr-backdoor/data').then((data) => data.loadDataset(dir));
      // A failed load is not kept: the next cell (in a fresh worker, as after any failure) tries again.
      value.catch(() => {
        if (dataset?.value === value) dataset = undefined;
      });
      dataset = { dir, value };
    }
    return dataset.value;
  };

  let busy = false;
  await new Promise<void>((resolve) => {
    process.on('disconnect', () => {
      if (busy) process.exit(130);
      resolve();
    });
    process.on('message', (message: RunCellMessage) => {
      if (message?.type !== 'run') return;
      busy = true;
      // A plan that could not be read is asked for again by the next cell, not kept as a failure.
      plan ??= readPlan(planPath).catch((error: unknown) => {
        plan = undefined;
        throw error;
      });
      let elsewhere = false;
      const onAlreadyDone = () => (elsewhere = true);
      const options = { loadDataset, onAlreadyDone, deferBaseline: message.deferBaseline === true };
      Promise.all([plan, cellModule])
        .then(([p, { executeCell }]) =>
          configOfPlanCell(p, message.index).then(({ cell, config }) =>
            executeCell({ dataDir: p.dataDir, runsRoot: p.runsRoot, cell, config, ...options }, (update) =>
              send({ type: 'progress', ...update }),
            ),
          ),
        )
        .then(
          () => send(elsewhere ? { type: 'done', elsewhere } : { type: 'done' }),
          (error: unknown) => {
            // A full disk or a read-only folder is reported as such (EnvironmentError), not as an errno.
            const explained = environmentErrorFrom(error) ?? error;
            const code = (explained as { code?: unknown }).code;
            send({
              type: 'failed',
              error:
                explained instanceof Error
                  ? `${typeof code === 'string' ? code : explained.name}: ${explained.message}`
                  : String(explained),
              ...(typeof code === 'string' && code.startsWith('E_') ? { code } : {}),
            });
          },
        )
        .finally(() => {
          busy = false;
        });
    });
  });
}
