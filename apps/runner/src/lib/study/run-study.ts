import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join, resolve } from 'node:path';
import { InputError, removeStaleTemporaries } from '@ehr-backdoor/core';
import type { PlannedCell } from '../cell-config.js';
import { assertDatasetDir } from '../cell-checks.js';
import { DEFAULT_DATA_DIR } from '../default-dataset.js';
import { runConfigHash } from '../run-identity.js';
import { readCellState } from '../cell-state.js';
import { cellDir, cellId } from '../grid.js';
import { makePlan, PLAN_FILE, writePlan, type RunOptions, type SweepPlan } from '../plan.js';
import type { SlurmRunOptions } from '../slurm/run-slurm.js';
import { studyCells } from './cells.js';
import { runLocally } from './run-locally.js';
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
export { SweepFailedError } from './run-locally.js';

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
  if (changed.length && !options.replaceChanged) throw changedCellsError(changed, runsRoot);
  const executor = study.study.executor;
  if (executor.kind === 'local' && (options.slurm?.dryRun || options.slurm?.wait)) {
    throw new InputError<RunnerCode>(
      'E_SLURM_OPTION',
      `--dry-run and --wait apply to a study whose executor is Slurm; ${study.source} runs locally (executor.kind: local).`,
    );
  }
  const prepare = () => prepareStudyRun(study, cells, changed, runsRoot, planPath, options.preset, log);

  if (executor.kind === 'slurm') {
    const plan = await prepare();
    const { runSlurm } = await import('../slurm/run-slurm.js');
    const { kind: _kind, prologue, ...resources } = executor;
    await runSlurm(plan, planPath, { ...resources, ...(prologue ? { prologueFile: prologue } : {}), ...options.slurm });
    return;
  }
  const workers = options.workers ?? executor.workers;
  const workerCount = workers > 0 ? Math.floor(workers) : availableParallelism();
  await runLocally({ planPath, runsRoot, workerCount, cellCount: cells.length, leaveHeld: options.leaveHeld ?? false, log }, async () => {
    const plan = await prepare();
    log(
      `study: ${cells.length} cells (${study.models.length} model variants × ${study.attacks.length} attack variants × rates ${study.rates.join(',')} × seeds ${study.seeds.join(',')}), ${workerCount} workers, data ${plan.dataDir}`,
    );
    return plan;
  });
}

/** Refused: cells of this study ran in `runsRoot` with another configuration (--replace-changed replaces them). */
function changedCellsError(changed: readonly ChangedCell[], runsRoot: string): InputError {
  const shown = changed.slice(0, 10).map((c) => `  ${c.id} (was ${c.previous.slice(0, 12)}, now ${c.current.slice(0, 12)})`);
  return new InputError<RunnerCode>(
    'E_STUDY_CHANGED',
    `${changed.length} cell${changed.length > 1 ? 's' : ''} of this study ran in ${runsRoot} with another configuration:\n${shown.join('\n')}${changed.length > 10 ? `\n  … and ${changed.length - 10} more` : ''}\n` +
      'Nothing was run. Run the study into another folder (--out), or pass --replace-changed to delete those cells and run them with the new configuration.',
    { cells: changed.map((c) => c.id) },
  );
}

/**
 * The dataset (built on first use), the changed cells' folders removed, then study.resolved.json and the
 * plan written: what every executor starts from.
 */
async function prepareStudyRun(
  study: ResolvedStudy,
  cells: readonly PlannedCell[],
  changed: readonly ChangedCell[],
  runsRoot: string,
  planPath: string,
  preset: string | undefined,
  log: (line: string) => void,
): Promise<SweepPlan> {
  const dataDir = await ensureStudyDataset(study.data, log);
  await assertDatasetDir(dataDir);
  await assertAttacksPlannable(study, cells, dataDir);
  for (const c of changed) {
    const dir = cellDir(runsRoot, c.cell);
    if ((await readCellState(dir)) === 'running')
      throw new InputError<RunnerCode>('E_CELL_LOCKED', `${dir} is being run by another process; wait for it before replacing it.`);
    log(`study: replacing ${c.id} (its configuration changed)`);
    await rm(dir, { recursive: true, force: true });
  }
  const plan = makePlan({
    dataDir,
    runsRoot,
    ...(preset ? { preset } : {}),
    study: study.source,
    options: sharedOptions(study),
    cells,
  });
  // A run killed while writing its plan leaves the temporary beside it; cells clean their own folders.
  await removeStaleTemporaries(runsRoot);
  await writeResolvedStudy(runsRoot, study, cells);
  await writePlan(planPath, plan);
  return plan;
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
