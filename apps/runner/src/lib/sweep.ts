import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { EhrBackdoorError, EnvironmentError, EXIT, InputError, removeStaleTemporaries } from '@ehr-backdoor/core';
import type { SweepArgs } from '../commands/sweep.js';
import { assertDatasetDir, validateCellNames } from './cell-checks.js';
import { ensureDefaultDataset } from './default-dataset.js';
import { cellId, expandGrid, PRESETS, type PresetName } from './grid.js';
import { runLocal, startWorkers, type CellOutcome, type WorkerPool } from './local-executor.js';
import { makePlan, parseThresholdRule, PLAN_FILE, writePlan, type SweepPlan } from './plan.js';
import { createProgress } from './progress.js';
import type { HeldCellOptions } from './held-cells.js';
import { slurmOptionsFromArgs } from './slurm/cli-options.js';

/**
 * sweep: options ─▶ grid (preset ⊕ flags) ─▶ fork the local workers ─▶ model/trigger names (checked by
 *        a worker) ─▶ dataset (default: build on first use) ─▶ plan file ─▶ executor (the local pool,
 *        or Slurm job arrays: slurm/run-slurm.ts) ─▶ failures table ─▶ exit 0, or 5 if any cell failed
 *
 * A worker takes ≈ 2 s to start (Node and yargs, then tfjs and the packages), so the local ones are
 * forked as soon as the plan's path is known and start while this process finds the dataset and writes
 * the plan (they read it on their first cell). The name check needs train and poison: a worker, which
 * loads them anyway, answers it, so this process does not take CPU from the workers' start-up to load
 * them a third time. Every way out of here stops the workers no cell was given: bad input leaves no
 * process behind, and no plan or run directory either. The cell's own modules load in the workers only.
 */
export class SweepFailedError extends EhrBackdoorError {
  override readonly name = 'SweepFailedError';
  readonly exitCode = EXIT.partialFailure;
}

const ENVIRONMENT_CODES = new Set(['E_NO_SPACE', 'E_PERMISSION', 'E_READ_ONLY', 'E_TOO_MANY_FILES']);

export async function runSweep(args: SweepArgs): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const preset = PRESETS[args.preset as PresetName];
  if (!preset) throw new InputError('E_PRESET', `Unknown preset "${args.preset}": use smoke, default or full.`);
  const grid = {
    models: args.models ?? preset.models,
    triggers: args.triggers ?? preset.triggers,
    rates: args['poison-rates'] ?? preset.rates,
    seeds: args.seeds ?? preset.seeds,
  };
  const expanded = expandGrid(grid);
  const slurmOptions = slurmOptionsFromArgs(args);
  const epochs = args.epochs ?? preset.epochs;
  if (!(Number.isInteger(epochs) && epochs > 0)) throw new InputError('E_EPOCHS', `--epochs must be a positive integer, got ${String(epochs)}.`);
  if (!(Number.isInteger(args.patience) && args.patience >= 0)) throw new InputError('E_PATIENCE', `--patience must be an integer ≥ 0, got ${String(args.patience)}.`);
  if (args.retrain && !args.detect) throw new InputError('E_OPTION', '--retrain measures a defence and needs --detect.');
  parseThresholdRule(args['threshold-rule'] ?? 'fpr=0.05');
  if (args['rate-basis'] !== undefined && args['rate-basis'] !== 'eligible' && args['rate-basis'] !== 'train') {
    throw new InputError('E_RATE_BASIS', `--rate-basis must be eligible or train, got ${String(args['rate-basis'])}.`);
  }
  const workers = args.workers > 0 ? Math.floor(args.workers) : availableParallelism();
  const runsRoot = resolve(args.out ?? join('runs', args.preset));
  const planPath = join(runsRoot, PLAN_FILE);
  if (args.executor === 'slurm') {
    const { plan } = await checkAndPlan(args, { grid: expanded, epochs, runsRoot, planPath, log, checkNames: validateCellNames });
    const { runSlurm } = await import('./slurm/run-slurm.js');
    await runSlurm(plan, planPath, slurmOptions);
    return;
  }

  const abort = new AbortController();
  // Until the cells run, a signal does what it did before there were workers (the process ends), once
  // the started workers are stopped; from then on it stops the pool and the sweep reports what ran.
  // Listening before the first fork leaves no moment when a signal could end this process and orphan one.
  let pool: WorkerPool | undefined;
  let running = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (running) return abort.abort();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    void (pool?.close() ?? Promise.resolve()).finally(() => process.kill(process.pid, signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The grid bounds the cells (the name check only drops some; finished ones are known later).
    pool = startWorkers(planPath, Math.min(workers, expanded.length));
    const { plan, cells } = await checkAndPlan(args, { grid: expanded, epochs, runsRoot, planPath, log, checkNames: pool.checkNames });
    log(`sweep: ${cells.length} cells (${grid.models.join(',')} × ${grid.triggers.join(',')} × rates ${grid.rates.join(',')} × seeds ${grid.seeds.join(',')}), ${workers} workers, data ${plan.dataDir}`);
    running = true;
    await runCells(plan, planPath, workers, pool, abort.signal, runsRoot, { leave: args['leave-held'] ?? false, log });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close();
  }
}

/** Names, dataset and plan: everything checked before the plan file (and so anything) is written. */
async function checkAndPlan(
  args: SweepArgs,
  context: {
    grid: ReturnType<typeof expandGrid>;
    epochs: number;
    runsRoot: string;
    planPath: string;
    log: (line: string) => void;
    checkNames: typeof validateCellNames;
  },
) {
  const { grid, epochs, runsRoot, planPath, log } = context;
  if (args.detect) {
    const { checkDetectorNames, checkAssumedContamination } = await import('./analyse-run.js');
    checkDetectorNames(args.detectors);
    checkAssumedContamination(args['assumed-contamination']);
  }
  const { cells, skipped } = await context.checkNames(grid);
  for (const pair of skipped) log(`sweep: leaving out ${pair}`);
  if (cells.length === 0) throw new InputError('E_EMPTY_GRID', 'No cell of the grid pairs a model with a trigger defined on its view; see `ehr-backdoor sweep --help`.');

  const dataDir = args.data ? resolve(args.data) : await ensureDefaultDataset(log);
  await assertDatasetDir(dataDir);

  const plan = makePlan({
    dataDir,
    runsRoot,
    preset: args.preset,
    options: {
      epochs,
      patience: args.patience,
      selection: args.selection as 'best' | 'last',
      backend: args.backend,
      targetLabel: args['target-label'],
      mode: args.mode as 'dirty-label' | 'clean-label',
      thresholdRule: parseThresholdRule(args['threshold-rule'] ?? 'fpr=0.05'),
      rateBasis: (args['rate-basis'] ?? 'eligible') as 'eligible' | 'train',
      explain: args.explain,
      ...(args['save-attributions'] ? { saveAttributions: true } : {}),
      detect: args.detect,
      retrain: args.retrain,
      ...(args.detectors ? { detectors: args.detectors } : {}),
      ...(args['assumed-contamination'] !== undefined ? { assumedContamination: args['assumed-contamination'] } : {}),
      baselineTriggers: [...new Set(cells.map((c) => c.trigger).filter((t) => t !== 'none'))],
    },
    cells,
  });
  // A sweep killed while writing its plan leaves the temporary beside it; cells clean their own folders.
  await removeStaleTemporaries(runsRoot);
  await writePlan(planPath, plan);
  return { plan, cells };
}

async function runCells(
  plan: SweepPlan,
  planPath: string,
  workers: number,
  pool: WorkerPool,
  signal: AbortSignal,
  runsRoot: string,
  heldOptions: HeldCellOptions,
): Promise<void> {
  const cells = plan.cells;
  const started = Date.now();
  const progress = createProgress(cells.length);
  let outcomes: CellOutcome[];
  try {
    outcomes = await runLocal(plan, planPath, workers, progress, signal, pool, heldOptions);
  } finally {
    progress.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const failed = outcomes.filter((o) => o.status === 'failed');
  const done = outcomes.filter((o) => o.status === 'done').length;
  const alreadyDone = outcomes.filter((o) => o.status === 'skipped').length;
  const elsewhere = outcomes.filter((o) => o.status === 'elsewhere').length;
  const left = outcomes.filter((o) => o.status === 'held');
  const shared = `${elsewhere ? `, ${elsewhere} done by another process` : ''}${left.length ? `, ${left.length} left to other processes` : ''}`;
  process.stdout.write(`\nsweep finished in ${seconds.toFixed(0)} s: ${done} run, ${alreadyDone} already done${shared}, ${failed.length} failed\n`);
  if (left.length) {
    process.stdout.write('\nleft to other processes (--leave-held):\n');
    for (const l of left) process.stdout.write(`  ${cellId(l.cell).padEnd(40)} ${l.error ?? ''}\n`);
  }
  if (failed.length) {
    process.stdout.write('\nfailed cells:\n');
    for (const f of failed) process.stdout.write(`  ${cellId(f.cell).padEnd(40)} ${f.error ?? ''}\n`);
  }
  process.stdout.write(`\nruns: ${runsRoot}\n`);
  if (signal.aborted) throw new InputError('E_INTERRUPTED', 'The sweep was interrupted; run the same command again to resume it.');
  // Cells that failed only for the machine's sake (disk full, read-only, permissions) are the machine's fault:
  // the remedy of the first, exit 6. The run directories keep every finished epoch; the same command resumes.
  if (failed.length && failed.every((f) => ENVIRONMENT_CODES.has(f.code ?? ''))) {
    const first = failed[0];
    throw new EnvironmentError(
      first.code!,
      `${failed.length} of ${cells.length} cells stopped on this machine's resources (listed above); the first: ${(first.error ?? '').replace(/^E_[A-Z_]+: /, '')}`,
      { cells: failed.map((f) => cellId(f.cell)) },
    );
  }
  if (failed.length) {
    throw new SweepFailedError('E_CELLS_FAILED', `${failed.length} of ${cells.length} cells failed (listed above); \`ehr-backdoor status ${runsRoot}\` shows them, and the same command retries them.`);
  }
}
