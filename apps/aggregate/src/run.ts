import { existsSync } from 'node:fs';
import { assertInput } from '@ehr-backdoor/core';
import { buildReport, displayPath } from '@ehr-backdoor/aggregation';
import { DEFAULT_RUNS } from './defaults.js';
import type { AggregateAppCode } from './error-codes.js';

export interface RunArgs {
  readonly runs: string;
  readonly out: string;
  readonly ci: 'auto' | 't' | 'logit-t' | 'bootstrap';
  readonly bootstrapSamples: number;
  readonly seed: number;
  readonly level: number;
  readonly alpha: number;
  readonly testMetrics?: readonly string[];
  readonly png: boolean;
  /** Write the Parquet files (default true). */
  readonly parquet?: boolean;
  /** Where progress lines go (default: stdout). */
  readonly log?: (line: string) => void;
}

export async function run(args: RunArgs): Promise<void> {
  const log = args.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  assertInput<AggregateAppCode>(existsSync(args.runs), 'E_RUNS_NOT_FOUND', () =>
    args.runs === DEFAULT_RUNS
      ? `No runs at ${args.runs} (the default sweep's output). Run \`npx nx run runner:sweep\` first, or pass --runs DIR.`
      : `The runs directory ${args.runs} does not exist; pass --runs with the output directory of a sweep.`,
  );
  const result = await buildReport({
    runsDir: args.runs,
    outDir: args.out,
    interval: args.ci,
    bootstrapSamples: args.bootstrapSamples,
    seed: args.seed,
    level: args.level,
    alpha: args.alpha,
    ...(args.testMetrics && args.testMetrics.length > 0 ? { testMetrics: args.testMetrics } : {}),
    png: args.png,
    parquet: args.parquet ?? true,
  });
  const excluded = result.warnings.filter((w) => w.excluded).length;
  const notStarted = result.runs.notStarted > 0 ? ` (${result.runs.notStarted} more planned cells not started)` : '';
  log(`aggregated ${result.runs.aggregated} of ${result.runs.found} run directories from ${displayPath(args.runs)}${notStarted}`);
  if (result.warnings.length > 0)
    log(`${result.warnings.length} warnings (${excluded - result.runs.notStarted} runs left out); see the warnings table in the report`);
  const drawn = result.plots.filter((p) => !p.skipped);
  log(
    `${drawn.length} plots drawn${
      result.plots.length > drawn.length
        ? `, ${result.plots.length - drawn.length} not drawn: ${result.plots
            .filter((p) => p.skipped)
            .map((p) => `${p.name} (${p.skipped})`)
            .join('; ')}`
        : ''
    }`,
  );
  log(`report: ${displayPath(result.reportPath)}`);
}
