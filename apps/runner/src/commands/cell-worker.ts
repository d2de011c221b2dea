import type { CommandModule } from 'yargs';

interface CellWorkerArgs {
  plan: string;
}

/**
 * A long-lived local worker: runs the cells of a plan that its parent sweep sends over IPC, one at a
 * time, in this one process. Module loading and backend start-up are paid once per worker rather
 * than once per cell, and while the parent is still preparing: it forks its workers before writing the
 * plan, which they read on their first cell. Not for people to call: `sweep` forks it (`run-cell` is the
 * one-cell command).
 */
export const cellWorkerCommand: CommandModule<object, CellWorkerArgs> = {
  command: 'cell-worker',
  describe: false,
  builder: (y) => y.option('plan', { type: 'string', demandOption: true }),
  handler: async (args) => {
    const { serveCells } = await import('../lib/cell-worker.js');
    await serveCells(args.plan);
  },
};
