import type { CommandModule } from 'yargs';

interface TriggersArgs {
  data: string;
  trigger: string[];
  'target-label': number;
  split: string;
  out?: string;
  json: boolean;
}

export const triggersCommand: CommandModule<object, TriggersArgs> = {
  command: 'triggers',
  describe: "Each trigger's stealth (values outside plausible / training P1–P99) and natural look-alike rate on a prepared dataset.",
  builder: (y) =>
    y
      .option('data', { type: 'string', demandOption: true, describe: 'Prepared dataset directory (`ehr-backdoor prepare`).' })
      .option('trigger', {
        type: 'string',
        array: true,
        default: [],
        describe: 'Trigger name, or name={JSON params}; repeatable. Default: every trigger with its defaults.',
      })
      .option('target-label', { type: 'number', default: 1, choices: [0, 1], describe: 'The label triggered stays should receive.' })
      .option('split', {
        type: 'string',
        default: 'all',
        choices: ['all', 'train', 'val', 'test'],
        describe: 'Stays whose look-alikes are counted.',
      })
      .option('out', { type: 'string', describe: 'Also write the full report as JSON to this file.' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of the table.' })
      .example('$0 triggers --data data/default', 'Every trigger with its defaults on the default dataset.')
      .example(
        `$0 triggers --data data/demo --trigger rare_value --trigger 'pattern={"inRange":true}' --target-label 0`,
        'Two triggers, target 0.',
      ),
  handler: async (args) => {
    const { resolve } = await import('node:path');
    const { writeJsonAtomic } = await import('@ehr-backdoor/core');
    const { loadDataset } = await import('@ehr-backdoor/data');
    const { assertDatasetDir } = await import('../lib/cell-checks.js');
    const { triggerReport, formatTriggerReport } = await import('../lib/trigger-report.js');
    const dataDir = resolve(args.data);
    await assertDatasetDir(dataDir);
    const report = await triggerReport(await loadDataset(dataDir), dataDir, {
      triggers: args.trigger,
      targetLabel: args['target-label'] as 0 | 1,
      split: args.split as 'all',
    });
    if (args.out) await writeJsonAtomic(resolve(args.out), report);
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatTriggerReport(report));
  },
};
