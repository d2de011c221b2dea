import type { CommandModule } from 'yargs';

interface StatusArgs {
  runs: string;
  all: boolean;
  json: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status <runs>',
  describe: 'Show the progress of a sweep from its run directories (done, running, partial, failed, pending).',
  builder: (y) =>
    y
      .positional('runs', { type: 'string', demandOption: true, describe: 'The --out directory of a sweep.' })
      .option('all', { type: 'boolean', default: false, describe: 'List done cells too.' })
      .option('json', { type: 'boolean', default: false, describe: 'Print machine-readable JSON.' }) as never,
  handler: async (args) => {
    const { sweepStatus, formatStatus } = await import('../lib/status.js');
    const status = await sweepStatus(args.runs);
    process.stdout.write((args.json ? JSON.stringify(status, null, 2) : formatStatus(status, args.all)) + '\n');
  },
};
