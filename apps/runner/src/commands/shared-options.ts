/**
 * Option definitions several commands share. The backend names repeat train's `BACKEND_CHOICES`
 * because importing train (and tfjs with it) just to build `--help` would slow every command's start;
 * shared-options.spec.ts keeps the two lists equal.
 */
export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

export const BACKEND_OPTION = { type: 'string', choices: BACKEND_NAMES } as const;

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
