import type { BackendChoice } from '@ehr-backdoor/train/names';
import type { CommandModule } from 'yargs';
import { ANALYSED_RUN_OPTIONS, printAnalysisColumns } from './shared-options.js';
import type { RunnerCode } from '../lib/error-codes.js';

interface DetectArgs {
  run: string;
  detectors?: string[];
  retrain: boolean;
  'assumed-contamination': number;
  'ac-reduction'?: 'ica' | 'pca';
  'strip-blends': number;
  'abl-epochs': number;
  'abl-tail': 'low' | 'high';
  'reconstruct-trigger': boolean;
  'ac-reclassification-threshold'?: number;
  'fine-pruning-budget'?: number;
  'fine-pruning-max-fraction'?: number;
  'fine-pruning-epochs'?: number;
  'fine-pruning-learning-rate'?: number;
  data?: string;
  backend?: BackendChoice;
}

export const detectCommand: CommandModule<object, DetectArgs> = {
  command: 'detect',
  describe:
    "Poison detectors on a run's training split, scored against the true poisoned stays; --retrain measures the defence. Writes RUN/detect.json and adds detect_*/defence_* columns to its summary.",
  builder: (y) =>
    y
      .options(ANALYSED_RUN_OPTIONS)
      .option('detectors', {
        type: 'string',
        array: true,
        describe:
          'spectral, activation_clustering, attribution, strip, input_screening, confident_learning, abl_isolation (default: all); fine_pruning, a model repair (only when named).',
      })
      .option('assumed-contamination', {
        type: 'number',
        default: 0.01,
        describe:
          "The defender's assumed share of poisoned training stays, in (0, 0.5): how many stays each detector flags (never the true count).",
      })
      .option('strip-blends', {
        type: 'number',
        default: 100,
        describe: "Blends per test stay of STRIP's test-time screen (FAR of triggered test stays at 1 % FRR), run with the strip detector.",
      })
      .option('abl-epochs', {
        type: 'number',
        default: 2,
        describe: 'Epochs of the early model whose per-stay losses abl_isolation ranks (ABL isolation phase).',
      })
      .option('abl-tail', {
        type: 'string',
        choices: ['low', 'high'] as const,
        default: 'low' as const,
        describe:
          "abl_isolation isolates the lowest-loss stays (the paper's) or, with high, the highest-loss ones (flipped labels fitted late).",
      })
      .option('reconstruct-trigger', {
        type: 'boolean',
        default: false,
        describe:
          'Neural-Cleanse-style trigger reconstruction on the validation stays: per label the smallest mask + pattern that flips the others, the suspected target, and whether the mask names the trigger variables.',
      })
      .option('ac-reduction', {
        type: 'string',
        choices: ['ica', 'pca'] as const,
        describe: "activation_clustering's reduction before 2-means (default ica, the paper's FastICA).",
      })
      .option('ac-reclassification-threshold', {
        type: 'number',
        describe:
          "Turn on activation_clustering's exclusionary reclassification: a flagged cluster stays flagged when a model trained without it predicts own label / other label below this (e.g. 1). Retrains once per flagged cluster.",
      })
      .option('retrain', { type: 'boolean', default: false, describe: "Remove each detector's flagged stays and retrain." })
      .option('fine-pruning-budget', {
        type: 'number',
        describe: "fine_pruning: largest validation-AUROC drop the pruning may cost, in (0, 1) (default 0.04, the paper's 4 % drop).",
      })
      .option('fine-pruning-max-fraction', {
        type: 'number',
        describe: 'fine_pruning: most penultimate units to cut, a share in (0, 1] (default 1: the budget decides).',
      })
      .option('fine-pruning-epochs', { type: 'number', describe: 'fine_pruning: fine-tuning epochs (default 2).' })
      .option('fine-pruning-learning-rate', { type: 'number', describe: "fine_pruning: fine-tuning learning rate (default: the run's)." })
      .example(
        '$0 detect --run runs/default/mlp/rare_value/0.01/seed_0 --detectors input_screening --retrain',
        'Screen the training stays, remove the flagged 1 % and retrain.',
      )
      .example(
        '$0 detect --run RUN --detectors activation_clustering --ac-reclassification-threshold 1',
        'Activation clustering with exclusionary reclassification.',
      )
      .example('$0 detect --run RUN --assumed-contamination 0.05', 'A defender who assumes 5 % of the training data is poisoned.')
      .example(
        '$0 detect --run RUN --detectors fine_pruning',
        'Fine-pruning: cut the dormant penultimate units, fine-tune on the clean-looking stays, measure ASR / clean AUROC after and DER.',
      ),
  handler: async (args) => {
    const { openRun, detectRun, mergeIntoSummary, checkDetectorNames, checkAssumedContamination } = await import('../lib/analyse-run.js');
    checkAssumedContamination(args['assumed-contamination'], checkDetectorNames(args.detectors));
    const threshold = args['ac-reclassification-threshold'];
    if (threshold !== undefined && !(Number.isFinite(threshold) && threshold > 0)) {
      const { InputError } = await import('@ehr-backdoor/core');
      throw new InputError<RunnerCode>(
        'E_OPTION',
        `--ac-reclassification-threshold must be a positive ratio (own-label / other-label predictions), e.g. 1; got ${String(threshold)}.`,
      );
    }
    if (!(Number.isInteger(args['strip-blends']) && args['strip-blends'] >= 1)) {
      const { InputError } = await import('@ehr-backdoor/core');
      throw new InputError<RunnerCode>(
        'E_OPTION',
        `--strip-blends must be an integer ≥ 1 (the paper uses 100); got ${String(args['strip-blends'])}.`,
      );
    }
    if (!(Number.isInteger(args['abl-epochs']) && args['abl-epochs'] >= 1)) {
      const { InputError } = await import('@ehr-backdoor/core');
      throw new InputError<RunnerCode>('E_OPTION', `--abl-epochs must be an integer ≥ 1; got ${String(args['abl-epochs'])}.`);
    }
    const { checkFinePruningSettings } = await import('@ehr-backdoor/detect/names');
    const finePruning = checkFinePruningSettings(
      Object.fromEntries(
        (['budget', 'max-fraction', 'epochs', 'learning-rate'] as const)
          .filter((k) => args[`fine-pruning-${k}`] !== undefined)
          .map((k) => [k.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()), args[`fine-pruning-${k}`]]),
      ),
      'the --fine-pruning-* options',
      (key) => `--fine-pruning-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    );
    const run = await openRun(args.run, { ...(args.data ? { data: args.data } : {}), ...(args.backend ? { backend: args.backend } : {}) });
    const columns = await detectRun(run, {
      ablEpochs: args['abl-epochs'],
      ablTail: args['abl-tail'],
      reconstructTrigger: args['reconstruct-trigger'],
      stripBlends: args['strip-blends'],
      ...(args.detectors ? { detectors: args.detectors } : {}),
      retrain: args.retrain,
      assumedContamination: args['assumed-contamination'],
      ...(args['ac-reduction'] ? { acReduction: args['ac-reduction'] } : {}),
      ...(threshold !== undefined ? { acReclassificationThreshold: threshold } : {}),
      ...(Object.keys(finePruning).length ? { detectorOptions: { fine_pruning: { ...finePruning } } } : {}),
    });
    await mergeIntoSummary(args.run, columns);
    const repairOnly = args.detectors?.length && args.detectors.every((d) => d === 'fine_pruning');
    printAnalysisColumns(columns.metrics, `${args.run}/${repairOnly ? 'fine-pruning.json' : 'detect.json'}`);
  },
};
