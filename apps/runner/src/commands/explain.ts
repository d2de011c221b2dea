import type { BackendChoice } from '@ehr-backdoor/train/names';
import type { CommandModule } from 'yargs';
import { ANALYSED_RUN_OPTIONS, printAnalysisColumns } from './shared-options.js';
import type { RunnerCode } from '../lib/error-codes.js';

interface ExplainArgs {
  run: string;
  'max-stays': number;
  steps?: number;
  data?: string;
  backend?: BackendChoice;
  'save-attributions': boolean;
}

export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: 'explain',
  describe:
    'Integrated-gradients attribution drift (clean vs triggered test stays) of a run; writes RUN/explain.json and adds explain_* columns to its summary.',
  builder: (y) =>
    y
      .options(ANALYSED_RUN_OPTIONS)
      .option('max-stays', { type: 'number', default: 200, describe: 'Test stays explained at most.' })
      .option('steps', { type: 'number', describe: 'Integration steps (default 50).' })
      .option('save-attributions', {
        type: 'boolean',
        default: false,
        describe:
          'Also write RUN/attributions.arrow: every attribution vector (clean and triggered copy of each stay) with its baseline, F(input), F(baseline) and convergence delta.',
      })
      .example(
        '$0 explain --run runs/default/lstm/temporal_pattern/0.05/seed_0 --save-attributions',
        'attribution drift, and the raw attributions for the report’s heatmaps and for Python',
      ),
  handler: async (args) => {
    const { InputError } = await import('@ehr-backdoor/core');
    if (!(Number.isInteger(args['max-stays']) && args['max-stays'] > 0))
      throw new InputError<RunnerCode>('E_OPTION', `--max-stays must be a positive integer, got ${args['max-stays']}.`);
    const { openRun, explainRun, mergeIntoSummary } = await import('../lib/analyse-run.js');
    const run = await openRun(args.run, { ...(args.data ? { data: args.data } : {}), ...(args.backend ? { backend: args.backend } : {}) });
    const columns = await explainRun(run, {
      maxStays: args['max-stays'],
      ...(args.steps ? { steps: args.steps } : {}),
      saveAttributions: args['save-attributions'],
    });
    await mergeIntoSummary(args.run, columns);
    printAnalysisColumns(columns.metrics, `${args.run}/explain.json`);
  },
};
