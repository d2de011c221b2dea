import { join } from 'node:path';
import { readCellState } from '../cell-state.js';
import { cellDir, cellId } from '../grid.js';
import type { SweepPlan } from '../plan.js';
import { waitForArray } from './job-query.js';
import { LOG_DIR, SlurmSweepFailedError, type SlurmRunOptions } from './run-options.js';
import type { CommandRunner } from './slurm-cli.js';
import { slurmStateOf, type SlurmSubmission } from './slurm-jobs.js';

/** --wait: polls until the submitted arrays end, then fails (exit 5) naming every cell that did not finish. */
export async function waitAndCheck(
  plan: SweepPlan,
  submissions: readonly SlurmSubmission[],
  options: SlurmRunOptions,
  log: (line: string) => void,
  run: CommandRunner,
): Promise<void> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    for (const s of submissions) {
      let last = '';
      await waitForArray(s.jobId, {
        pollSeconds: options.pollSeconds ?? 10,
        signal: abort.signal,
        run,
        onPoll: (q) => {
          const counts = new Map<string, number>();
          for (const t of q.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
          const line = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
          if (line !== last) log(`slurm: job ${s.jobId}: ${line}`);
          last = line;
        },
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
  const state = await slurmStateOf(plan.runsRoot, run);
  const failed: string[] = [];
  for (const cell of plan.cells) {
    if ((await readCellState(cellDir(plan.runsRoot, cell))) === 'done') continue;
    const task = state?.byCell.get(cellId(cell));
    const where = task
      ? ` (Slurm: ${task.state}${task.exitCode ? `, exit ${task.exitCode}` : ''}; log ${join(plan.runsRoot, LOG_DIR)}/${task.arrayJobId}_${task.taskId}.out)`
      : '';
    failed.push(`  ${cellId(cell)}${where}`);
  }
  if (failed.length) {
    process.stdout.write(`\nunfinished cells:\n${failed.join('\n')}\n`);
    throw new SlurmSweepFailedError(
      'E_CELLS_FAILED',
      `${failed.length} of ${plan.cells.length} cells did not finish (listed above); \`ehr-backdoor status ${plan.runsRoot}\` shows them, and the same command resubmits them.`,
    );
  }
  log(`slurm: all ${plan.cells.length} cells done`);
}
