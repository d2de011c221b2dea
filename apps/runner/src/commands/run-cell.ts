import type { CommandModule } from 'yargs';

interface RunCellArgs {
  plan: string;
  index: number;
}

/**
 * The unit every executor runs: cell I of a sweep plan. Local workers are forked with an IPC channel
 * (progress goes to the parent, and the cell stops if the parent dies); Slurm tasks run it plainly.
 */
export const runCellCommand: CommandModule<object, RunCellArgs> = {
  command: 'run-cell',
  describe: 'Run cell I of a sweep plan (used by the sweep executors; resumes from checkpoints).',
  builder: (y) =>
    y
      .option('plan', { type: 'string', demandOption: true, describe: 'The sweep-plan.json of a sweep.' })
      .option('index', { type: 'number', demandOption: true, describe: 'Cell index in the plan (e.g. $SLURM_ARRAY_TASK_ID).' }) as never,
  handler: async (args) => {
    const { readPlan } = await import('../lib/plan.js');
    const { executeCell } = await import('../lib/run-cell.js');
    const { InputError } = await import('@ehr-backdoor/core');
    const plan = await readPlan(args.plan);
    if (!(Number.isInteger(args.index) && args.index >= 0 && args.index < plan.cells.length)) {
      throw new InputError('E_CELL_INDEX', `--index ${args.index} is outside the plan's ${plan.cells.length} cells (0 to ${plan.cells.length - 1}).`);
    }
    const send = process.send?.bind(process);
    if (send) {
      // Stop if the sweep that forked us dies; unref so a finished cell still lets the process exit.
      process.on('disconnect', () => process.exit(130));
      process.channel?.unref();
    }
    try {
      await executeCell(
        { dataDir: plan.dataDir, runsRoot: plan.runsRoot, cell: plan.cells[args.index], options: plan.options },
        (update) => send?.({ type: 'progress', ...update }),
      );
    } catch (error) {
      send?.({ type: 'failed', error: error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error) });
      throw error;
    }
  },
};
