import type { BackendChoice } from '@ehr-backdoor/train/names';
import type { CommandModule } from 'yargs';
import { BACKEND_OPTION } from './shared-options.js';

interface EvaluateArgs {
  checkpoint: string;
  data?: string;
  backend?: BackendChoice;
  write: boolean;
  json: boolean;
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: 'evaluate',
  describe: "Recompute a run's metrics from a checkpoint (the epoch the run selected, or a given epoch).",
  builder: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'RUN/checkpoints, or an epoch directory in it.' })
      .option('data', { type: 'string', describe: "The run's dataset, if it moved (checked by content hash)." })
      .option('backend', BACKEND_OPTION)
      .option('write', { type: 'boolean', default: false, describe: 'Also write RUN/evaluation.json.' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON.' }),
  handler: async (args) => {
    const { evaluateCheckpoint } = await import('../lib/evaluate-checkpoint.js');
    const result = await evaluateCheckpoint(args.checkpoint, {
      ...(args.data ? { data: args.data } : {}),
      ...(args.backend ? { backend: args.backend } : {}),
      write: args.write,
    });
    if (args.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    const { reasons, formatVersion: _v, ...values } = result.metrics;
    process.stdout.write(`run: ${result.runDir}\n`);
    for (const [k, v] of Object.entries(values))
      process.stdout.write(`  ${k.padEnd(22)} ${v === null ? `NaN (${reasons[k] ?? ''})` : String(v)}\n`);
    process.stdout.write(
      result.differences.length
        ? `differs from summary.json in: ${result.differences.map((d) => d.field).join(', ')}\n`
        : 'matches summary.json\n',
    );
  },
};
