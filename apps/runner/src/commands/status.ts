import type { CommandModule } from 'yargs';

interface StatusArgs {
  runs: string;
  all: boolean;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <runs>',
  describe: 'Show the progress of a sweep from its run directories (done, running, failed, awaiting a clean baseline, partial, pending).',
  builder: (y) =>
    y
      .positional('runs', { type: 'string', demandOption: true, describe: 'The --out directory of a sweep.' })
      .option('all', { type: 'boolean', default: false, describe: 'List done cells too.' })
      .option('json', { type: 'boolean', default: false, describe: 'Print machine-readable JSON.' }),
  handler: async (args) => {
    const { sweepStatus, formatStatus } = await import('../lib/status.js');
    const { slurmStateOf, formatSlurmState, slurmStateToJson } = await import('../lib/slurm/slurm-jobs.js');
    const status = await sweepStatus(args.runs);
    // Slurm's view of the arrays submitted for this runs root, when there were any.
    const slurm = await slurmStateOf(args.runs);
    const text = args.json
      ? JSON.stringify(slurm ? { ...status, slurm: slurmStateToJson(slurm) } : status, null, 2)
      : formatStatus(status, args.all) + (slurm ? `\n${formatSlurmState(slurm)}` : '');
    process.stdout.write(text + '\n');
  },
};
