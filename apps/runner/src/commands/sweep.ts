import type { CommandModule } from 'yargs';
import { MEASUREMENT_OPTIONS, TRAINING_PROTOCOL_OPTIONS } from '../lib/plan.js';
import { MODEL_KINDS } from '@ehr-backdoor/train/names';
import { BACKEND_OPTION } from './shared-options.js';
import { addSlurmOptions, slurmOptionsFromArgs, type SlurmArgs } from '../lib/slurm/cli-options.js';

export interface SweepArgs extends SlurmArgs {
  data?: string;
  out?: string;
  preset: string;
  models?: string[];
  triggers?: string[];
  'poison-rates'?: number[];
  seeds?: number[];
  epochs?: number;
  patience: number;
  selection: string;
  'threshold-rule': string;
  'rate-basis': string;
  workers: number;
  /** One of train's backend names (yargs' `choices`). */
  backend: string;
  mode: string;
  'target-label': number;
  explain: boolean;
  'save-attributions'?: boolean;
  detect: boolean;
  retrain: boolean;
  detectors?: string[];
  'assumed-contamination'?: number;
  executor: string;
  'leave-held'?: boolean;
}

export const sweepCommand: CommandModule<object, SweepArgs> = {
  command: 'sweep',
  describe:
    'Run a grid of cells (models × triggers × poison rates × seeds) from a preset and flags; resumable. `study run` runs a study file.',
  builder: (y) =>
    addSlurmOptions(y)
      .option('data', {
        type: 'string',
        describe: 'Prepared dataset directory (default: the embedded synthetic dataset, built on first use).',
      })
      .option('out', { type: 'string', describe: 'Runs root (default: runs/<preset>).' })
      .option('preset', {
        type: 'string',
        choices: ['smoke', 'default', 'full'],
        default: 'default',
        describe: 'The study file to start from (studies/{preset}.yaml); the options below override its keys.',
      })
      .option('models', {
        type: 'string',
        array: true,
        describe: `Model kinds, each at its defaults: ${MODEL_KINDS.join(', ')}. (Variants: a study file.)`,
      })
      .option('triggers', {
        type: 'string',
        array: true,
        describe: 'Trigger names, each at its defaults (docs/poisoning.md). (Parameters: a study file.)',
      })
      .option('poison-rates', { type: 'number', array: true, describe: 'Poison rates in [0, 1]; default 0 0.005 0.01 0.05 0.1.' })
      .option('seeds', { type: 'number', array: true, describe: 'Seeds.' })
      .option('epochs', { type: 'number', describe: 'Epochs per cell (the maximum, with --patience).' })
      .options(TRAINING_PROTOCOL_OPTIONS)
      .options(MEASUREMENT_OPTIONS)
      .option('workers', { type: 'number', default: 0, describe: 'Worker processes (default: number of cores).' })
      .option('backend', { ...BACKEND_OPTION, default: 'auto' })
      .option('mode', { type: 'string', default: 'dirty-label', choices: ['dirty-label', 'clean-label'] })
      .option('target-label', { type: 'number', default: 1, choices: [0, 1] })
      .option('explain', { type: 'boolean', default: false, describe: 'Add attribution-drift columns to each summary.' })
      .option('save-attributions', {
        type: 'boolean',
        default: false,
        describe:
          'With --explain: also keep each cell’s raw attributions in attributions.arrow (the report’s attribution heatmaps read them).',
      })
      .option('detect', { type: 'boolean', default: false, describe: 'Add poison-detector columns to each summary.' })
      .option('detectors', {
        type: 'string',
        array: true,
        describe:
          'With --detect: spectral, activation_clustering, attribution, strip, input_screening, confident_learning, abl_isolation (default: all); fine_pruning, a model repair (only when named).',
      })
      .option('assumed-contamination', {
        type: 'number',
        describe: "With --detect: the defender's assumed poisoned share in (0, 0.5), default 0.01; sets how many stays detectors flag.",
      })
      .option('retrain', { type: 'boolean', default: false, describe: 'With --detect: remove flagged rows and retrain.' })
      .option('leave-held', {
        type: 'boolean',
        default: false,
        describe:
          'Cells another live process holds (a second sweep, Slurm tasks on the same --out): leave them to it instead of waiting for them.',
      })
      .option('executor', {
        type: 'string',
        default: 'local',
        choices: ['local', 'slurm'],
        describe: "Where cells run: this machine's process pool, or Slurm job arrays (docs/slurm.md).",
      }),
  handler: async (args) => {
    const slurm = slurmOptionsFromArgs(args);
    const { runSweep } = await import('../lib/sweep.js');
    await runSweep({
      preset: args.preset,
      data: args.data,
      out: args.out,
      models: args.models,
      triggers: args.triggers,
      poisonRates: args['poison-rates'],
      seeds: args.seeds,
      epochs: args.epochs,
      patience: args.patience,
      selection: args.selection,
      thresholdRule: args['threshold-rule'],
      rateBasis: args['rate-basis'],
      backend: args.backend,
      mode: args.mode,
      targetLabel: args['target-label'],
      explain: args.explain,
      saveAttributions: args['save-attributions'],
      detect: args.detect,
      detectors: args.detectors,
      assumedContamination: args['assumed-contamination'],
      retrain: args.retrain,
      executor: args.executor,
      workers: args.workers,
      leaveHeld: args['leave-held'],
      slurm,
    });
  },
};
