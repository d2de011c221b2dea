import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface SynthArgs {
  stays: number;
  seed: number;
  out: string;
  'gzip-level': number;
}

/**
 * `ehr-backdoor synth`: a synthetic MIMIC-IV directory (real schema, calibrated to the demo) that
 * `prepare` reads like the real thing. Progress goes to stderr; the table sizes, the expected cohort
 * flow and the death rate go to stdout.
 */
export const synthCommand: CommandModule<object, SynthArgs> = {
  command: 'synth',
  describe: 'Write a synthetic MIMIC-IV directory (hosp/ + icu/, real schema, .csv.gz), deterministic by seed.',
  builder: (yargs: Argv) =>
    yargs
      .option('stays', { type: 'number', demandOption: true, describe: 'Number of ICU stays (icustays rows) to generate.' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed: the same seed and stays give identical tables.' })
      .option('out', { type: 'string', demandOption: true, describe: 'MIMIC-IV root to create (must not exist).' })
      .option('gzip-level', { type: 'number', default: 6, describe: 'gzip compression level 1–9 (1 is fastest).' })
      .example('$0 synth --stays 2000 --seed 1 --out data/synthetic-mimic', 'About 1.3 M chartevents rows.'),
  handler: async (args: ArgumentsCamelCase<SynthArgs>) => {
    const { generateSyntheticMimic } = await import('@ehr-backdoor/data');
    const started = performance.now();
    const summary = await generateSyntheticMimic({
      stays: args.stays,
      seed: args.seed,
      outDir: args.out,
      gzipLevel: args['gzip-level'],
      onProgress: ({ stays, total, chartevents, labevents }) => {
        const elapsed = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
        const line = `[synth ${elapsed} s] ${stays}/${total} stays, ${chartevents} chartevents, ${labevents} labevents`;
        process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}${stays === total ? '\n' : ''}` : `${line}\n`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const out: string[] = [];
    out.push(`Synthetic MIMIC-IV: ${summary.outDir} (seed ${summary.seed}, ${seconds.toFixed(1)} s)`);
    out.push('Rows:');
    for (const [table, rows] of Object.entries(summary.rows)) out.push(`  ${String(rows).padStart(10)}  ${table}`);
    out.push(
      `Entry errors injected (outside plausible ranges): ${summary.entryErrors.chartevents} chartevents, ${summary.entryErrors.labevents} labevents`,
    );
    out.push(`Expected cohort flow (window ${summary.expectedCohort.windowHours} h):`);
    for (const step of summary.expectedCohort.steps) out.push(`  ${String(step.remaining).padStart(10)}  ${step.name}`);
    const cohort = summary.expectedCohort.steps[summary.expectedCohort.steps.length - 1].remaining;
    const rate = cohort > 0 ? ((100 * summary.expectedCohort.positives) / cohort).toFixed(1) : 'n/a';
    out.push(`Expected positives: ${summary.expectedCohort.positives} in-hospital deaths (${rate} %)`);
    process.stdout.write(out.join('\n') + '\n');
  },
};
