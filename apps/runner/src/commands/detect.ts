import type { BackendChoice } from '@ehr-backdoor/train/names';
import type { CommandModule } from 'yargs';
import { ANALYSED_RUN_OPTIONS, printAnalysisColumns } from './shared-options.js';

interface DetectArgs {
  run: string;
  detectors?: string[];
  retrain: boolean;
  data?: string;
  backend?: BackendChoice;
}

export const detectCommand: CommandModule<object, DetectArgs> = {
  command: 'detect',
  describe: "Poison detectors on a run's training split, scored against the true poisoned stays; --retrain measures the defence. Writes RUN/detect.json and adds detect_*/defence_* columns to its summary.",
  builder: (y) =>
    y
      .options(ANALYSED_RUN_OPTIONS)
      .option('detectors', { type: 'string', array: true, describe: 'spectral, activation_clustering, attribution, strip (default: all).' })
      .option('retrain', { type: 'boolean', default: false, describe: "Remove each detector's flagged stays and retrain." }) as never,
  handler: async (args) => {
    const { openRun, detectRun, mergeIntoSummary, checkDetectorNames } = await import('../lib/analyse-run.js');
    checkDetectorNames(args.detectors);
    const run = await openRun(args.run, { ...(args.data ? { data: args.data } : {}), ...(args.backend ? { backend: args.backend } : {}) });
    const columns = await detectRun(run, { ...(args.detectors ? { detectors: args.detectors } : {}), retrain: args.retrain });
    await mergeIntoSummary(args.run, columns);
    printAnalysisColumns(columns.metrics, `${args.run}/detect.json`);
  },
};
