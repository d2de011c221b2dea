import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { EhrBackdoorError, EnvironmentError, EXIT, InputError, removeStaleTemporaries } from '@ehr-backdoor/core';
import type { PlannedCell } from '../cell-config.js';
import { assertDatasetDir } from '../cell-checks.js';
import { DEFAULT_DATA_DIR } from '../default-dataset.js';
import { runConfigHash } from '../run-identity.js';
import { readCellState } from '../cell-state.js';
import { cellDir, cellId } from '../grid.js';
import { runLocal, startWorkers, type CellOutcome, type WorkerPool } from '../local-executor.js';
import { makePlan, PLAN_FILE, writePlan, type RunOptions, type SweepPlan } from '../plan.js';
import { createProgress } from '../progress.js';
import type { HeldCellOptions } from '../held-cells.js';
import type { SlurmRunOptions } from '../slurm/run-slurm.js';
import { studyCells } from './cells.js';
import { ensureStudyDataset } from './dataset.js';
import { assertAttacksPlannable } from './preflight.js';
import type { ResolvedStudy } from './resolve.js';
import { RESOLVED_STUDY_FILE, readResolvedStudy, writeResolvedStudy } from './resolved-file.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * study run: resolved study ─▶ cells (with configs and identities) ─▶ compare with the runs folder's
 *   study.resolved.json (a changed cell is refused, or replaced with --replace-changed) ─▶ fork the local
 *   workers ─▶ dataset (built on first use) ─▶ study.resolved.json + sweep-plan.json ─▶ executor (the
 *   local pool, or Slurm job arrays) ─▶ failures table ─▶ exit 0, or 5 if any cell failed
 *
 * `sweep` is the same path with a study built in memory from its preset and flags.
 */
export class SweepFailedError extends EhrBackdoorError {
  override readonly name = 'SweepFailedError';
  readonly exitCode = EXIT.partialFailure;
}

/** Failures that are this machine's, not the cells' (a full disk, a read-only folder, permissions, file handles). */
const ENVIRONMENT_CODES = new Set(['E_NO_SPACE', 'E_PERMISSION', 'E_READ_ONLY', 'E_TOO_MANY_FILES']);

export interface StudyRunOptions {
  /** Runs root (default: runs/{study file name}). */
  readonly out?: string;
  /** Overrides the executor's worker count (0: one per core). */
  readonly workers?: number;
  /** Slurm options from the command line (dry run, wait), over the study's executor section. */
  readonly slurm?: SlurmRunOptions;
  /** Remove the folders of cells whose configuration changed, and run them anew, instead of refusing. */
  readonly replaceChanged?: boolean;
  /** Leave a cell another live process holds (and the poisoned cells that need it) to that process instead of waiting for it. */
  readonly leaveHeld?: boolean;
  /** Recorded in the plan (sweep --preset). */
  readonly preset?: string;
  readonly log?: (line: string) => void;
}

/** `runs/{name}` for `studies/{name}.yaml`. */
export function defaultRunsRoot(source: string): string {
  return resolve('runs', basename(source, extname(source)));
}

export interface ChangedCell {
  readonly id: string;
  readonly cell: PlannedCell;
  readonly previous: string;
  readonly current: string;
}

/**
 * The cells of `cells` whose folder holds a run of another configuration: by the identity the runs
 * root's study.resolved.json records for it (everything, analyses included) or, given the dataset's
 * content hash, by the training configuration its run_metadata.json records (which runs made before
 * study files have too).
 */
export async function changedCells(runsRoot: string, cells: readonly PlannedCell[], datasetContentHash?: string): Promise<ChangedCell[]> {
  const previous = await readResolvedStudy(runsRoot);
  const changed: ChangedCell[] = [];
  for (const cell of cells) {
    const id = cellId(cell);
    const dir = cellDir(runsRoot, cell);
    if (!existsSync(dir)) continue;
    const before = previous?.cells[id];
    if (before && cell.hash && before !== cell.hash) {
      changed.push({ id, cell, previous: before, current: cell.hash });
      continue;
    }
    if (!datasetContentHash || !cell.config) continue;
    const recorded = await recordedConfigHash(dir);
    const expected = runConfigHash(cell, cell.config, datasetContentHash);
    if (recorded !== undefined && recorded !== expected) changed.push({ id, cell, previous: recorded, current: expected });
  }
  return changed;
}

async function recordedConfigHash(dir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(join(dir, 'run_metadata.json'), 'utf8')) as { configHash?: string }).configHash;
  } catch {
    return undefined;
  }
}

/** The content hash of the study's dataset when it exists already (its cells cannot have run otherwise). */
export function existingDatasetHash(study: ResolvedStudy): string | undefined {
  const dir = study.data.kind === 'default' ? resolve(DEFAULT_DATA_DIR) : study.data.dir;
  try {
    return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { contentHash?: string }).contentHash;
  } catch {
    return undefined;
  }
}

export async function runStudy(study: ResolvedStudy, options: StudyRunOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const cells = studyCells(study);
  for (const attack of study.attacks) for (const pair of attack.leftOut) log(`study: leaving out ${pair}`);
  const runsRoot = resolve(options.out ?? defaultRunsRoot(study.source));
  const planPath = join(runsRoot, PLAN_FILE);
  const changed = await changedCells(runsRoot, cells, existingDatasetHash(study));
  if (changed.length && !options.replaceChanged) {
    const shown = changed.slice(0, 10).map((c) => `  ${c.id} (was ${c.previous.slice(0, 12)}, now ${c.current.slice(0, 12)})`);
    throw new InputError<RunnerCode>(
      'E_STUDY_CHANGED',
      `${changed.length} cell${changed.length > 1 ? 's' : ''} of this study ran in ${runsRoot} with another configuration:\n${shown.join('\n')}${changed.length > 10 ? `\n  … and ${changed.length - 10} more` : ''}\n` +
        'Nothing was run. Run the study into another folder (--out), or pass --replace-changed to delete those cells and run them with the new configuration.',
      { cells: changed.map((c) => c.id) },
    );
  }
  const executor = study.study.executor;
  if (executor.kind === 'local' && (options.slurm?.dryRun || options.slurm?.wait)) {
    throw new InputError<RunnerCode>('E_SLURM_OPTION', `--dry-run and --wait apply to a study whose executor is Slurm; ${study.source} runs locally (executor.kind: local).`);
  }
  const workers = options.workers ?? (executor.kind === 'local' ? executor.workers : 0);
  const workerCount = workers > 0 ? Math.floor(workers) : availableParallelism();

  const prepare = async () => {
    const dataDir = await ensureStudyDataset(study.data, log);
    await assertDatasetDir(dataDir);
    await assertAttacksPlannable(study, cells, dataDir);
    for (const c of changed) {
      const dir = cellDir(runsRoot, c.cell);
      if ((await readCellState(dir)) === 'running') throw new InputError<RunnerCode>('E_CELL_LOCKED', `${dir} is being run by another process; wait for it before replacing it.`);
      log(`study: replacing ${c.id} (its configuration changed)`);
      await rm(dir, { recursive: true, force: true });
    }
    const plan = makePlan({
      dataDir,
      runsRoot,
      ...(options.preset ? { preset: options.preset } : {}),
      study: study.source,
      options: sharedOptions(study),
      cells,
    });
    // A run killed while writing its plan leaves the temporary beside it; cells clean their own folders.
    await removeStaleTemporaries(runsRoot);
    await writeResolvedStudy(runsRoot, study, cells);
    await writePlan(planPath, plan);
    return plan;
  };

  if (executor.kind === 'slurm') {
    const plan = await prepare();
    const { runSlurm } = await import('../slurm/run-slurm.js');
    const { kind: _kind, prologue, ...resources } = executor;
    await runSlurm(plan, planPath, { ...resources, ...(prologue ? { prologueFile: prologue } : {}), ...options.slurm });
    return;
  }

  const abort = new AbortController();
  // Until the cells run, a signal ends the process (once the started workers are stopped); from then on
  // it stops the pool and the run reports what ran. Listening before the first fork orphans no worker.
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
    // Workers start (module loading, docs/results.md) while this process finds the dataset and writes the plan.
    pool = startWorkers(planPath, Math.min(workerCount, cells.length));
    const plan = await prepare();
    log(`study: ${cells.length} cells (${study.models.length} model variants × ${study.attacks.length} attack variants × rates ${study.rates.join(',')} × seeds ${study.seeds.join(',')}), ${workerCount} workers, data ${plan.dataDir}`);
    running = true;
    await runCells(plan, planPath, workerCount, pool, abort.signal, runsRoot, { leave: options.leaveHeld ?? false, log });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool?.close();
  }
}

/** The plan's shared options: informational for a study's plan, whose cells carry their own configuration. */
function sharedOptions(study: ResolvedStudy): RunOptions {
  const training = study.models[0]?.training;
  const { analyses, poisoning } = study.study;
  return {
    epochs: training?.epochs ?? 30,
    patience: training?.patience ?? 5,
    selection: training?.selection ?? 'best',
    backend: study.backend,
    targetLabel: poisoning.target,
    mode: poisoning.mode as RunOptions['mode'],
    explain: analyses.explain !== false,
    ...(analyses.explain !== false && analyses.explain.saveAttributions ? { saveAttributions: true } : {}),
    detect: analyses.detect !== false,
    ...(analyses.detect !== false ? { assumedContamination: analyses.detect.assumedContamination } : {}),
    retrain: analyses.detect !== false && analyses.detect.retrain,
    ...(analyses.detect !== false ? { detectors: analyses.detect.detectors } : {}),
    baselineTriggers: study.attacks.map((a) => a.name),
  };
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
  if (signal.aborted) throw new InputError<RunnerCode>('E_INTERRUPTED', 'The sweep was interrupted; run the same command again to resume it.');
  // Cells that failed only for the machine's sake (disk full, read-only, permissions) are the machine's fault:
  // the remedy of the first, exit 6. The run directories keep every finished epoch; the same command resumes.
  if (failed.length && failed.every((f) => ENVIRONMENT_CODES.has(f.code ?? ''))) {
    const first = failed[0];
    throw new EnvironmentError<string>(
      first.code!,
      `${failed.length} of ${cells.length} cells stopped on this machine's resources (listed above); the first: ${(first.error ?? '').replace(/^E_[A-Z_]+: /, '')}`,
      { cells: failed.map((f) => cellId(f.cell)) },
    );
  }
  if (failed.length) {
    throw new SweepFailedError('E_CELLS_FAILED', `${failed.length} of ${cells.length} cells failed (listed above); \`ehr-backdoor status ${runsRoot}\` shows them, and the same command retries them.`);
  }
}

/** Cells done, and the cost of the rest estimated from the wall time of the finished cells of each model variant. */
export async function studyProgress(study: ResolvedStudy, runsRoot: string, workers: number) {
  const cells = studyCells(study);
  const seconds = new Map<string, number[]>();
  let done = 0;
  for (const cell of cells) {
    const dir = cellDir(runsRoot, cell);
    if ((await readCellState(dir)) !== 'done') continue;
    done++;
    try {
      const summary = JSON.parse(await readFile(join(dir, 'summary.json'), 'utf8')) as { wall_time_s?: number };
      if (typeof summary.wall_time_s === 'number') seconds.set(cell.model, [...(seconds.get(cell.model) ?? []), summary.wall_time_s]);
    } catch {
      // a summary being replaced right now: counted as done, not timed
    }
  }
  const all = [...seconds.values()].flat();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  let cpuSeconds: number | undefined = all.length ? 0 : undefined;
  if (cpuSeconds !== undefined) {
    for (const cell of cells) {
      if (existsSync(join(cellDir(runsRoot, cell), 'summary.json'))) continue;
      const own = seconds.get(cell.model);
      cpuSeconds += own?.length ? mean(own) : mean(all);
    }
  }
  return {
    cells,
    done,
    timed: all.length,
    cpuSeconds,
    wallSeconds: cpuSeconds === undefined ? undefined : cpuSeconds / Math.max(1, workers),
    changed: await changedCells(runsRoot, cells, existingDatasetHash(study)),
  };
}

export { RESOLVED_STUDY_FILE };
