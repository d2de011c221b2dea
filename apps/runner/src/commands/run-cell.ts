import type { CommandModule } from 'yargs';

interface RunCellArgs {
  plan: string;
  index: number;
}

/**
 * Cell I of a sweep plan, in a process of its own: what a Slurm array task runs. (Local sweeps run the
 * same `executeCell` in long-lived `cell-worker` processes.)
 */
export const runCellCommand: CommandModule<object, RunCellArgs> = {
  command: 'run-cell',
  describe: 'Run cell I of a sweep plan (used by the sweep executors; resumes from checkpoints).',
  builder: (y) =>
    y
      .option('plan', { type: 'string', demandOption: true, describe: 'The sweep-plan.json of a sweep.' })
      .option('index', { type: 'number', demandOption: true, describe: 'Cell index in the plan (e.g. $SLURM_ARRAY_TASK_ID).' }),
  handler: async (args) => {
    const { configOfPlanCell, readPlan } = await import('../lib/plan.js');
    const { executeCell } = await import('../lib/run-cell.js');
    const plan = await readPlan(args.plan);
    const { cell, config } = await configOfPlanCell(plan, args.index);
    await executeCell({ dataDir: plan.dataDir, runsRoot: plan.runsRoot, cell, config });
  },
};
