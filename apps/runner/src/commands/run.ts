import type { CommandModule } from 'yargs';
import { MEASUREMENT_OPTIONS, TRAINING_PROTOCOL_OPTIONS } from '../lib/plan.js';
import { BACKEND_OPTION } from './shared-options.js';

export interface RunArgs {
  data: string;
  model: string;
  trigger: string;
  'poison-rate': number;
  seed: number;
  out: string;
  epochs: number;
  backend: string;
  mode: string;
  'target-label': number;
  'batch-size'?: number;
  'learning-rate'?: number;
  patience: number;
  selection: string;
  'threshold-rule': string;
  'rate-basis': string;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'One run: poison the training split, train, evaluate; writes RUNS/{model}/{trigger}/{rate}/seed_{seed}/.',
  builder: (y) =>
    y
      .option('data', { type: 'string', demandOption: true, describe: 'Prepared dataset directory (`ehr-backdoor prepare`).' })
      .option('model', { type: 'string', demandOption: true, describe: 'mlp, tabtransformer, lstm or tcn.' })
      .option('trigger', { type: 'string', default: 'none', describe: 'Trigger name (none for a clean run).' })
      .option('poison-rate', { type: 'number', default: 0, describe: 'Share of eligible training stays to poison, in [0, 1].' })
      .option('seed', { type: 'number', default: 0 })
      .option('out', { type: 'string', default: 'runs/single', describe: 'Runs root.' })
      .option('epochs', { type: 'number', default: 15 })
      .option('backend', { ...BACKEND_OPTION, default: 'auto' })
      .option('mode', { type: 'string', default: 'dirty-label', choices: ['dirty-label', 'clean-label'] })
      .option('target-label', { type: 'number', default: 1, choices: [0, 1] })
      .option('batch-size', { type: 'number' })
      .option('learning-rate', { type: 'number' })
      .options(TRAINING_PROTOCOL_OPTIONS)
      .options(MEASUREMENT_OPTIONS)
      .example('$0 run --data data/default --model mlp --trigger rare_value --poison-rate 0.05', 'ASR at the threshold with 5 % FPR on the validation split')
      .example('$0 run --data data/default --model mlp --trigger rare_value --poison-rate 0.05 --target-label 0 --threshold-rule fixed=0.5', 'target 0, at the fixed threshold 0.5') as never,
  handler: async (args) => {
    const { resolve } = await import('node:path');
    const { checkRate, checkSeed, cellDir } = await import('../lib/grid.js');
    const { parseThresholdRule } = await import('../lib/plan.js');
    const thresholdRule = parseThresholdRule(args['threshold-rule']);
    const { executeCell } = await import('../lib/run-cell.js');
    const { assertDatasetDir, validateCellNames } = await import('../lib/cell-checks.js');
    checkRate(args['poison-rate']);
    checkSeed(args.seed);
    const { InputError } = await import('@ehr-backdoor/core');
    if (!(Number.isInteger(args.epochs) && args.epochs > 0)) throw new InputError('E_EPOCHS', `--epochs must be a positive integer, got ${args.epochs}.`);
    if (args['poison-rate'] > 0 && args.trigger === 'none') {
      throw new InputError('E_TRIGGER_NONE', 'A poison rate above 0 needs a trigger: pass --trigger (e.g. --trigger rare_value).');
    }
    const cell = { model: args.model, trigger: args['poison-rate'] === 0 ? 'none' : args.trigger, rate: args['poison-rate'], seed: args.seed };
    const { skipped } = await validateCellNames([cell]);
    if (skipped.length) {
      throw new InputError('E_TRIGGER_VIEW', `Trigger "${cell.trigger}" is not defined on the view model "${cell.model}" reads: ${skipped[0]}. Choose another trigger or model.`);
    }
    const dataDir = resolve(args.data);
    await assertDatasetDir(dataDir);
    const runsRoot = resolve(args.out);
    const summary = await executeCell(
      {
        dataDir,
        runsRoot,
        cell,
        options: {
          epochs: args.epochs,
          backend: args.backend,
          targetLabel: args['target-label'],
          mode: args.mode as 'dirty-label' | 'clean-label',
          ...(args['batch-size'] ? { batchSize: args['batch-size'] } : {}),
          ...(args['learning-rate'] ? { learningRate: args['learning-rate'] } : {}),
          patience: args.patience,
          selection: args.selection as 'best' | 'last',
          thresholdRule,
          rateBasis: args['rate-basis'] as 'eligible' | 'train',
          explain: false,
          detect: false,
          retrain: false,
        },
      },
      (u) => {
        if (u.epoch !== undefined) process.stderr.write(`epoch ${u.epoch}/${u.epochs ?? '?'}  val AUROC ${u.metric?.toFixed(4) ?? '?'}\n`);
        else if (u.phase) process.stderr.write(`${u.phase}…\n`);
      },
    );
    const show = (k: string) => `${k}=${summary[k] === null ? 'NaN' : String(summary[k])}`;
    process.stdout.write(
      `${['auroc', 'auprc', 'threshold', 'accuracy', 'ece', 'asr', 'asr_at_0_5', 'flip_rate', 'asr_lift', 'confidence_shift', 'clean_auroc_drop', 'n_poisoned', 'epochs_run', 'backend'].map(show).join('  ')}\n` +
        `run: ${cellDir(runsRoot, cell)}\n`,
    );
  },
};
