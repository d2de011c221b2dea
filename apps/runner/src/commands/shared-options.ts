import { BACKEND_CHOICES } from '@ehr-backdoor/train/names';

/**
 * Option definitions several commands share. The backend names are train's own, from its tfjs-free
 * `names` entry point, so building `--help` loads no TensorFlow.
 */
export const BACKEND_OPTION = { type: 'string', choices: BACKEND_CHOICES } as const;

/** `explain` and `detect`: the finished run to analyse, and where its dataset and backend are now. */
export const ANALYSED_RUN_OPTIONS = {
  run: { type: 'string', demandOption: true, describe: 'A run directory, RUNS/{model}/{trigger}/{rate}/seed_{seed}.' },
  data: { type: 'string', describe: "The run's dataset, if it moved." },
  backend: BACKEND_OPTION,
} as const;

/** The columns an analysis added to a run's summary, one per line, and the file it wrote. */
export function printAnalysisColumns(metrics: Readonly<Record<string, number>>, written: string): void {
  for (const [k, v] of Object.entries(metrics)) process.stdout.write(`${k.padEnd(40)} ${Number.isFinite(v) ? v : 'NaN'}\n`);
  process.stdout.write(`wrote ${written}\n`);
}
