import yargs from 'yargs';
import { handleErrors, InputError } from '@ehr-backdoor/core';
import { DEFAULT_OUT, DEFAULT_RUNS } from './defaults.js';
import { VERSION } from './version.js';

/**
 * `ehr-backdoor-aggregate`: the last step of a study.
 *
 *   run folders ──collect──▶ summaries + warnings ──aggregate──▶ stats over seeds, tests, ranking
 *               ──plot──▶ Vega-Lite specs, SVG, PNG ──report──▶ report.html (offline, self-contained)
 *
 * With no flags it reads the default sweep's output (runs/default) and writes runs/default-report,
 * both relative to the working directory (`nx run aggregate:plots` runs it from the workspace root).
 * The implementation is imported lazily so `--help` stays instant.
 */
export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  const exitCode = await handleErrors(verbose, async () => {
    const args = await yargs(argv)
      .scriptName('ehr-backdoor-aggregate')
      .usage(
        '$0 [--runs DIR] [--out DIR] [options]\n\nAggregate a tree of run directories into statistics, plots and an offline HTML report.',
      )
      .option('runs', { type: 'string', default: DEFAULT_RUNS, describe: 'Root of the run directories (searched recursively).' })
      .option('out', {
        type: 'string',
        default: DEFAULT_OUT,
        describe: 'Report directory (replaced whole; must be new, empty or an earlier report).',
      })
      .option('ci', {
        choices: ['auto', 't', 'logit-t', 'bootstrap'] as const,
        default: 'auto' as const,
        describe:
          'Confidence intervals over seeds: auto (logit-scale t for bounded metrics such as ASR and AUROC, t for the rest), t, logit-t or percentile bootstrap.',
      })
      .option('bootstrap-samples', { type: 'number', default: 2000, describe: 'Bootstrap resamples (with --ci bootstrap).' })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the bootstrap resampling.' })
      .option('level', { type: 'number', default: 0.95, describe: 'Confidence level of the intervals.' })
      .option('alpha', { type: 'number', default: 0.05, describe: 'Family-wise error rate of the Holm-corrected tests.' })
      .option('test-metrics', {
        type: 'string',
        array: true,
        describe: 'Metrics tested poisoned vs clean (default: asr auroc accuracy ece).',
      })
      .option('png', { type: 'boolean', default: true, describe: 'Render PNGs (--no-png to skip).' })
      .option('parquet', {
        type: 'boolean',
        default: true,
        describe: 'Write aggregated/runs/predictions.parquet beside the CSV and Arrow tables (--no-parquet to skip).',
      })
      .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces on errors.' })
      .strict()
      .help()
      .version(VERSION)
      .wrap(Math.min(110, process.stdout.columns || 110))
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
    const { run } = await import('./run.js');
    await run({
      runs: args.runs,
      out: args.out,
      ci: args.ci,
      bootstrapSamples: args['bootstrap-samples'],
      seed: args.seed,
      level: args.level,
      alpha: args.alpha,
      testMetrics: args['test-metrics'],
      png: args.png,
      parquet: args.parquet,
    });
  });
  process.exitCode = exitCode;
}

/** A command line yargs refused (an unknown flag, a missing command): bad input, exit 2. */
class UsageError extends InputError<'E_USAGE'> {
  constructor(message: string) {
    super('E_USAGE', `${message} (see \`ehr-backdoor-aggregate --help\`)`);
  }
}
