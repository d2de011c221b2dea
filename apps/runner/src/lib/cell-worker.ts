import { InputError } from '@ehr-backdoor/core';
import { cellOfPlan, readPlan } from './plan.js';
import { executeCell } from './run-cell.js';

/**
 * The worker side of the local executor's protocol:
 *
 *   parent ──{ run, index }──▶ worker: executeCell ──{ progress }*──▶ parent
 *                                           └──────{ done } | { failed, error }──▶ parent
 *   parent disconnects ─▶ worker exits (0 when idle, 130 mid-cell: the cell resumes from its checkpoint)
 *
 * One cell at a time: the parent sends the next index only after `done` or `failed`. A cell's result does
 * not depend on the cells before it in the same process: every random stream is seeded per cell and the
 * trained model is disposed after each.
 */
export interface RunCellMessage {
  readonly type: 'run';
  readonly index: number;
}

export async function serveCells(planPath: string): Promise<void> {
  const send = process.send?.bind(process);
  if (!send) throw new InputError('E_NOT_A_WORKER', 'cell-worker runs under `ehr-backdoor sweep` (it needs the IPC channel of a forked process); use run-cell to run one cell.');
  const plan = await readPlan(planPath);
  let busy = false;
  await new Promise<void>((resolve) => {
    process.on('disconnect', () => {
      if (busy) process.exit(130);
      resolve();
    });
    process.on('message', (message: RunCellMessage) => {
      if (message?.type !== 'run') return;
      busy = true;
      Promise.resolve()
        .then(() => executeCell({ dataDir: plan.dataDir, runsRoot: plan.runsRoot, cell: cellOfPlan(plan, message.index), options: plan.options }, (update) => send({ type: 'progress', ...update })))
        .then(
          () => send({ type: 'done' }),
          (error: unknown) =>
            send({ type: 'failed', error: error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error) }),
        )
        .finally(() => {
          busy = false;
        });
    });
  });
}
