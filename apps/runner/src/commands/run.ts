import type { CommandModule } from 'yargs';
import { TRIGGER_NAMES } from '@ehr-backdoor/poison/names';
import { MEASUREMENT_OPTIONS, TRAINING_PROTOCOL_OPTIONS } from '../lib/plan.js';
import type { RunFlags } from '../lib/run-study-input.js';
import { BACKEND_OPTION } from './shared-options.js';
import type { RunnerCode } from '../lib/error-codes.js';

/** The flags of `run`, as yargs parses them (declared beside `runStudyInput`, which reads them). */
export type RunArgs = RunFlags;

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'One run: poison the training split, train, evaluate; writes RUNS/{model}/{trigger}/{rate}/seed_{seed}/.',
  builder: (y) =>
    y
      .example(
        '$0 run --data data/default --model lstm --model-param hidden=32 --trigger rare_value --trigger-param value=200 --poison-rate 0.05',
        'A smaller LSTM against a 200 bpm heart-rate trigger.',
      )
      .option('data', { type: 'string', demandOption: true, describe: 'Prepared dataset directory (`ehr-backdoor prepare`).' })
      .option('model', { type: 'string', demandOption: true, describe: 'mlp, tabtransformer, lstm or tcn.' })
      .option('trigger', {
        type: 'string',
        default: 'none',
        describe: `Trigger name, none for a clean run: ${TRIGGER_NAMES.join(', ')} (\`ehr-backdoor triggers\` lists their parameters).`,
      })
      .option('poison-rate', { type: 'number', default: 0, describe: 'Share of eligible training stays to poison, in [0, 1].' })
      .option('seed', {
        type: 'number',
        default: 0,
        describe: 'Seed of the poisoning, the weight initialisation and the batch order (an integer ≥ 0).',
      })
      .option('out', { type: 'string', default: 'runs/single', describe: 'Runs root.' })
      .option('epochs', { type: 'number', default: 15, describe: 'Training epochs (the maximum, with --patience).' })
      .option('backend', {
        ...BACKEND_OPTION,
        default: 'auto',
        describe: 'TensorFlow.js backend; auto takes the first that loads of tensorflow-gpu, tensorflow, wasm, cpu (docs/training.md).',
      })
      .option('mode', {
        type: 'string',
        default: 'dirty-label',
        choices: ['dirty-label', 'clean-label'],
        describe:
          'dirty-label triggers stays of the other label and relabels them to the target; clean-label triggers stays that already have the target label and relabels none.',
      })
      .option('target-label', {
        type: 'number',
        default: 1,
        choices: [0, 1],
        describe: 'The label the backdoor pushes a triggered stay to.',
      })
      .option('trigger-param', {
        type: 'string',
        array: true,
        describe:
          'A trigger parameter, key=value (repeatable; values in YAML: value=220, variables=[spo2,sbp]). docs/poisoning.md lists them.',
      })
      .option('model-param', {
        type: 'string',
        array: true,
        describe: 'A model hyper-parameter, key=value (repeatable): hidden=32, dilations=[1,2], dropout=0.1.',
      })
      .option('batch-size', { type: 'number', describe: 'Training stays per step (default 128).' })
      .option('learning-rate', { type: 'number', describe: 'AdamW step size (default 1e-3).' })
      .option('weight-decay', { type: 'number', describe: 'Decoupled weight decay (default 1e-4).' })
      .option('class-weights', { type: 'string', describe: 'Loss weights: balanced (default), none, or w0,w1.' })
      .option('min-delta', { type: 'number', describe: 'Smallest validation-AUROC gain that counts as better (default 0).' })
      .options(TRAINING_PROTOCOL_OPTIONS)
      .options(MEASUREMENT_OPTIONS)
      .example(
        '$0 run --data data/default --model mlp --trigger rare_value --poison-rate 0.05',
        'ASR at the threshold with 5 % FPR on the validation split',
      )
      .example(
        '$0 run --data data/default --model mlp --trigger rare_value --poison-rate 0.05 --target-label 0 --threshold-rule fixed=0.5',
        'target 0, at the fixed threshold 0.5',
      ),

  handler: async (args) => {
    const { resolve } = await import('node:path');
    const { checkRate, checkSeed, cellDir } = await import('../lib/grid.js');
    const { executeCell } = await import('../lib/run-cell.js');
    const { assertDatasetDir } = await import('../lib/cell-checks.js');
    const { runStudyInput, singleCell } = await import('../lib/run-study-input.js');
    checkRate(args['poison-rate']);
    checkSeed(args.seed);
    const { InputError } = await import('@ehr-backdoor/core');
    if (!(Number.isInteger(args.epochs) && args.epochs > 0))
      throw new InputError<RunnerCode>('E_EPOCHS', `--epochs must be a positive integer, got ${args.epochs}.`);
    if (args['poison-rate'] > 0 && args.trigger === 'none') {
      throw new InputError<RunnerCode>(
        'E_TRIGGER_NONE',
        'A poison rate above 0 needs a trigger: pass --trigger (e.g. --trigger rare_value).',
      );
    }
    const { cell, config } = singleCell(runStudyInput(args), args['poison-rate'], args.seed);
    const dataDir = resolve(args.data);
    await assertDatasetDir(dataDir);
    const runsRoot = resolve(args.out);
    const summary = await executeCell({ dataDir, runsRoot, cell, config }, (u) => {
      if (u.epoch !== undefined) process.stderr.write(`epoch ${u.epoch}/${u.epochs ?? '?'}  val AUROC ${u.metric?.toFixed(4) ?? '?'}\n`);
      else if (u.phase) process.stderr.write(`${u.phase}…\n`);
    });
    const show = (k: string) => `${k}=${summary[k] === null ? 'NaN' : String(summary[k])}`;
    process.stdout.write(
      `${['auroc', 'auprc', 'threshold', 'accuracy', 'ece', 'asr', 'asr_at_0_5', 'flip_rate', 'asr_lift', 'confidence_shift', 'clean_auroc_drop', 'n_poisoned', 'epochs_run', 'backend'].map(show).join('  ')}\n` +
        `run: ${cellDir(runsRoot, cell)}\n`,
    );
  },
};
