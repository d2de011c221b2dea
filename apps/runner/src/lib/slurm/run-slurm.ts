import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { assertInput, EhrBackdoorError, InputError, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { EXIT } from '@ehr-backdoor/core';
import { LOCK_FILE, readCellState } from '../cell-state.js';
import { cellDir, cellId } from '../grid.js';
import type { SweepPlan } from '../plan.js';
import { buildBatchScript, checkSlurmOptions, type SlurmOptions } from './batch-script.js';
import { compactIndices } from './index-list.js';
import { isActive, waitForArray } from './job-query.js';
import { runSlurmCommand, type CommandRunner } from './slurm-cli.js';
import { activeCellIds, recordSubmission, slurmStateOf, type SlurmSubmission } from './slurm-jobs.js';
import { judgeLock, removeLock } from './stale-locks.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * The Slurm executor:
 *
 *   plan ─▶ cells not done (run dirs) and not queued by an earlier array (slurm-jobs.json + Slurm)
 *        ─▶ plan snapshot ─▶ batch script(s) (split at MaxArraySize) ─▶ sbatch --parsable
 *        ─▶ record job ids ─▶ [--wait: poll until the arrays end, then read every cell's state]
 *
 * Nothing but files passes between this process and the tasks: each task reads the plan snapshot and
 * writes only its own run directory, so a resubmission after preemption or failure simply submits the
 * cells whose summary.json is still missing, and they resume from their checkpoints.
 */
export interface SlurmRunOptions extends SlurmOptions {
  /** A file of shell lines run before each task (its text becomes SlurmOptions.prologue). */
  readonly prologueFile?: string;
  /** Print the batch script instead of submitting. */
  readonly dryRun?: boolean;
  /** Block until the submitted arrays end and fail (exit 5) if any cell did not finish. */
  readonly wait?: boolean;
  readonly pollSeconds?: number;
  /** Where progress lines go (default: stderr). */
  readonly log?: (line: string) => void;
  /** Where a dry run prints the script (default: stdout). */
  readonly print?: (text: string) => void;
  readonly run?: CommandRunner;
}

export interface SlurmRunResult {
  readonly submissions: readonly SlurmSubmission[];
  /** Plan indices submitted now. */
  readonly submitted: readonly number[];
  readonly alreadyDone: number;
  /** Plan indices left out because an earlier array still has them queued or running. */
  readonly alreadyQueued: readonly number[];
  readonly scripts: readonly string[];
}

/** Some cells of a waited-for Slurm sweep did not finish. Exit code 5, like a local sweep. */
export class SlurmSweepFailedError extends EhrBackdoorError {
  override readonly name = 'SlurmSweepFailedError';
  readonly exitCode = EXIT.partialFailure;
}

const BIN = fileURLToPath(new URL('../../../bin/ehr-backdoor.js', import.meta.url));
export const LOG_DIR = 'slurm-logs';
export const SCRIPT_DIR = 'slurm-scripts';
export const PLAN_SNAPSHOT_DIR = 'slurm-plans';
/** Slurm's default when `scontrol show config` cannot be read. */
const DEFAULT_MAX_ARRAY_SIZE = 1001;

/**
 * Submits the unfinished cells of `plan` (written by the sweep at `planPath`; the tasks read an
 * immutable snapshot of it). Returns once submitted, or with `wait` once the arrays have ended.
 */
export async function runSlurm(plan: SweepPlan, planPath: string, options: SlurmRunOptions = {}): Promise<SlurmRunResult> {
  assertInput<RunnerCode>(existsSync(planPath), 'E_PLAN_MISSING', () => `runSlurm: no sweep plan at ${planPath}; the sweep writes it before submitting.`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const run = options.run ?? runSlurmCommand;
  checkSlurmOptions(options);
  let prologue = options.prologue;
  if (options.prologueFile !== undefined) {
    if (!existsSync(options.prologueFile)) {
      throw new InputError<RunnerCode>('E_PROLOGUE', `--prologue ${options.prologueFile} does not exist: give a file of shell lines (e.g. \`module load nodejs/20\`) run before each task.`);
    }
    prologue = await readFile(options.prologueFile, 'utf8');
  }
  const runsRoot = plan.runsRoot;

  let alreadyDone = 0;
  const open: number[] = [];
  for (let index = 0; index < plan.cells.length; index++) {
    if ((await readCellState(cellDir(runsRoot, plan.cells[index]))) === 'done') alreadyDone++;
    else open.push(index);
  }
  // A dry run must work where Slurm is not installed (to review the script on a laptop); a real one
  // fails first thing, naming sbatch, where it is not.
  if (!options.dryRun) await run('sbatch', ['--version']);
  const earlier = options.dryRun ? undefined : await slurmStateOf(runsRoot, run);
  const queued = activeCellIds(earlier);
  const alreadyQueued = open.filter((i) => queued.has(cellId(plan.cells[i])));
  let submit = open.filter((i) => !queued.has(cellId(plan.cells[i])));
  if (!options.dryRun) {
    const locked = await settleForeignLocks(plan, submit, run, log);
    alreadyQueued.push(...locked);
    submit = submit.filter((i) => !locked.includes(i));
  }
  const summary = `${plan.cells.length} cells: ${alreadyDone} done, ${alreadyQueued.length} queued or running in an earlier array, ${submit.length} to submit`;
  if (submit.length === 0) {
    log(`slurm: ${summary}; nothing to submit.`);
    return { submissions: [], submitted: [], alreadyDone, alreadyQueued, scripts: [] };
  }

  const snapshot = join(runsRoot, PLAN_SNAPSHOT_DIR, `plan-${plan.planHash.slice(0, 16)}.json`);
  const logDir = join(runsRoot, LOG_DIR);
  const maxArraySize = options.dryRun ? DEFAULT_MAX_ARRAY_SIZE : await readMaxArraySize(run);
  // Two phases: a poisoned cell reads its clean cell's summary (clean_auroc_drop), so poisoned arrays
  // start only after every clean cell they may need has ended, as in the local pool's order.
  const isClean = (i: number) => plan.cells[i].rate === 0;
  const phases = [
    { name: 'clean', chunks: splitForArraySize(submit.filter(isClean), maxArraySize) },
    { name: 'poisoned', chunks: splitForArraySize(submit.filter((i) => !isClean(i)), maxArraySize) },
  ];
  // Clean cells of this plan that an earlier array (perhaps of another plan) still has queued.
  const indexOfCell = new Map(plan.cells.map((cell, i) => [cellId(cell), i]));
  const earlierCleanJobs = new Set<string>();
  for (const s of earlier?.submissions ?? []) {
    for (const t of s.tasks) {
      const i = indexOfCell.get(t.cellId);
      if (isActive(t.state) && i !== undefined && isClean(i)) earlierCleanJobs.add(s.submission.jobId);
    }
  }
  const script = (chunk: { indices: number[]; offset: number }, dependsOn: readonly string[]) =>
    buildBatchScript({
      options: { ...options, prologue, jobName: options.jobName ?? `ehrb-${plan.preset ?? 'sweep'}` },
      indices: chunk.indices,
      indexOffset: chunk.offset,
      planPath: snapshot,
      logDir,
      workDir: process.cwd(),
      node: process.execPath,
      bin: BIN,
      ...(dependsOn.length ? { dependency: `afterany:${dependsOn.join(':')}` } : {}),
    });

  if (options.dryRun) {
    // Job ids exist only once submitted; the dry run names them by placeholders.
    const cleanIds = [...earlierCleanJobs, ...phases[0].chunks.map((_, k) => `CLEAN_ARRAY_${k + 1}_JOB_ID`)];
    const scripts = [...phases[0].chunks.map((c) => script(c, [])), ...phases[1].chunks.map((c) => script(c, cleanIds))];
    log(`slurm: ${summary} (dry run: nothing written to Slurm)`);
    (options.print ?? ((text: string) => process.stdout.write(text)))(scripts.join('\n# ---- next array ----\n'));
    return { submissions: [], submitted: submit, alreadyDone, alreadyQueued, scripts };
  }

  await mkdir(logDir, { recursive: true });
  // The tasks read an immutable copy: re-running `sweep` with another grid rewrites sweep-plan.json,
  // and a task still queued from before must keep the meaning of its index.
  if (!existsSync(snapshot)) await writeJsonAtomic(snapshot, plan);
  const submissions: SlurmSubmission[] = [];
  const scripts: string[] = [];
  const cleanJobs = [...earlierCleanJobs];
  for (const phase of phases) {
    for (const chunk of phase.chunks) {
      const text = script(chunk, phase.name === 'poisoned' ? cleanJobs : []);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const scriptPath = join(runsRoot, SCRIPT_DIR, `array-${stamp}-${phase.name}-${scripts.length}.sh`);
      await writeFileAtomic(scriptPath, text);
      const jobId = await submitArray(scriptPath, run);
      const submission: SlurmSubmission = {
        jobId,
        submittedAt: new Date().toISOString(),
        planHash: plan.planHash,
        planPath: snapshot,
        indexOffset: chunk.offset,
        array: compactIndices(chunk.indices.map((i) => i - chunk.offset)),
        script: scriptPath,
        logDir,
      };
      await recordSubmission(runsRoot, submission);
      submissions.push(submission);
      scripts.push(text);
      if (phase.name === 'clean') cleanJobs.push(jobId);
      log(`slurm: submitted job ${jobId}: ${chunk.indices.length} ${phase.name} cells (array ${submission.array}${options.maxParallel ? `%${options.maxParallel}` : ''})${phase.name === 'poisoned' && cleanJobs.length ? `, after job ${cleanJobs.join(', ')}` : ''}`);
    }
  }
  log(`slurm: ${summary}`);
  log(`  script  ${submissions.map((s) => s.script).join(', ')}`);
  log(`  logs    ${logDir}/<job>_<task>.out`);
  log(`  follow  ehr-backdoor status ${runsRoot}   (or squeue -j ${submissions.map((s) => s.jobId).join(',')})`);
  log(`  stop    scancel ${submissions.map((s) => s.jobId).join(' ')}; the same sweep command later resubmits what is unfinished`);
  const result = { submissions, submitted: submit, alreadyDone, alreadyQueued, scripts };
  if (options.wait) await waitAndCheck(plan, submissions, options, log, run);
  return result;
}

/**
 * Locks left on other nodes: removed when the Slurm job that wrote them no longer runs; a cell whose
 * lock's job still runs is not submitted again. Returns those cells' plan indices.
 */
async function settleForeignLocks(plan: SweepPlan, indices: readonly number[], run: CommandRunner, log: (line: string) => void): Promise<number[]> {
  const live: number[] = [];
  for (const i of indices) {
    const dir = cellDir(plan.runsRoot, plan.cells[i]);
    const verdict = await judgeLock(dir, run);
    const id = cellId(plan.cells[i]);
    if (verdict.state === 'stale') {
      await removeLock(dir);
      log(`slurm: removed the stale lock of ${id} (left on ${verdict.host} by Slurm job ${verdict.slurmJobId}, which no longer runs)`);
    } else if (verdict.state === 'live') {
      live.push(i);
    } else if (verdict.state === 'unknown') {
      log(
        `slurm: warning: ${id} is locked by a process on ${verdict.host}, which cannot be checked from here; ` +
          `if that run is dead (lost node), delete ${join(dir, LOCK_FILE)} or its task will stop with E_CELL_LOCKED.`,
      );
    }
  }
  return live;
}

/** `sbatch --parsable script` → the job id (`123` or `123;cluster`). */
export async function submitArray(scriptPath: string, run: CommandRunner = runSlurmCommand): Promise<string> {
  const result = await run('sbatch', ['--parsable', scriptPath]);
  const jobId = result.stdout.trim().split(';')[0];
  if (result.code !== 0 || !/^\d+$/.test(jobId)) {
    throw new InputError<RunnerCode>(
      'E_SBATCH_FAILED',
      `sbatch rejected ${scriptPath}: ${(result.stderr || result.stdout).trim() || `exit code ${result.code}`}. ` +
        'Check --partition, --time, --mem and --gres against the limits of your site (`sinfo -s`), or review the script with --dry-run.',
    );
  }
  return jobId;
}

/** Groups sorted plan indices so that each group's array task ids (index - offset) stay below MaxArraySize. */
export function splitForArraySize(indices: readonly number[], maxArraySize: number): { indices: number[]; offset: number }[] {
  const chunks: { indices: number[]; offset: number }[] = [];
  for (const i of [...indices].sort((a, b) => a - b)) {
    const last = chunks[chunks.length - 1];
    if (last && i - last.offset < maxArraySize) last.indices.push(i);
    else chunks.push({ indices: [i], offset: chunks.length === 0 && i < maxArraySize ? 0 : i });
  }
  return chunks;
}

async function readMaxArraySize(run: CommandRunner): Promise<number> {
  try {
    const result = await run('scontrol', ['show', 'config']);
    const match = /^MaxArraySize\s*=\s*(\d+)/m.exec(result.stdout);
    return match ? Number(match[1]) : DEFAULT_MAX_ARRAY_SIZE;
  } catch (error) {
    if ((error as { code?: string }).code === 'E_SLURM_MISSING') throw error;
    return DEFAULT_MAX_ARRAY_SIZE;
  }
}

async function waitAndCheck(
  plan: SweepPlan,
  submissions: readonly SlurmSubmission[],
  options: SlurmRunOptions,
  log: (line: string) => void,
  run: CommandRunner,
): Promise<void> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  try {
    for (const s of submissions) {
      let last = '';
      await waitForArray(s.jobId, {
        pollSeconds: options.pollSeconds ?? 10,
        signal: abort.signal,
        run,
        onPoll: (q) => {
          const counts = new Map<string, number>();
          for (const t of q.tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
          const line = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
          if (line !== last) log(`slurm: job ${s.jobId}: ${line}`);
          last = line;
        },
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
  const state = await slurmStateOf(plan.runsRoot, run);
  const failed: string[] = [];
  for (const cell of plan.cells) {
    if ((await readCellState(cellDir(plan.runsRoot, cell))) === 'done') continue;
    const task = state?.byCell.get(cellId(cell));
    const where = task ? ` (Slurm: ${task.state}${task.exitCode ? `, exit ${task.exitCode}` : ''}; log ${join(plan.runsRoot, LOG_DIR)}/${task.arrayJobId}_${task.taskId}.out)` : '';
    failed.push(`  ${cellId(cell)}${where}`);
  }
  if (failed.length) {
    process.stdout.write(`\nunfinished cells:\n${failed.join('\n')}\n`);
    throw new SlurmSweepFailedError(
      'E_CELLS_FAILED',
      `${failed.length} of ${plan.cells.length} cells did not finish (listed above); \`ehr-backdoor status ${plan.runsRoot}\` shows them, and the same command resubmits them.`,
    );
  }
  log(`slurm: all ${plan.cells.length} cells done`);
}

