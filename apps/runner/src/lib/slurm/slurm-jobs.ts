import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, InputError, writeJsonAtomic } from '@ehr-backdoor/core';
import { cellId } from '../grid.js';
import { readPlan, type SweepPlan } from '../plan.js';
import { expandIndexList } from './index-list.js';
import { isActive, queryJobs, type JobQuery, type TaskInfo } from './job-query.js';
import { runSlurmCommand, slurmAvailable, type CommandRunner } from './slurm-cli.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * `RUNS/slurm-jobs.json`: every job array submitted for this runs root, so `status` can ask Slurm
 * about them and a resubmission can leave out cells that an earlier array still has queued or running.
 * Each submission names the plan snapshot its tasks read, which maps array indices back to cells even
 * after the sweep's plan has changed.
 */
export const SLURM_JOBS_FILE = 'slurm-jobs.json';

export interface SlurmSubmission {
  readonly jobId: string;
  readonly submittedAt: string;
  readonly planHash: string;
  /** The plan file the tasks read (an immutable snapshot under RUNS/slurm-plans/). */
  readonly planPath: string;
  /** Plan index = array task id + indexOffset. */
  readonly indexOffset: number;
  /** Array task ids, compact (`0-3,7`). */
  readonly array: string;
  readonly script: string;
  readonly logDir: string;
}

export interface SlurmJobsFile {
  readonly formatVersion: 1;
  readonly submissions: readonly SlurmSubmission[];
}

export async function readSlurmJobs(runsRoot: string): Promise<SlurmJobsFile | undefined> {
  const path = join(runsRoot, SLURM_JOBS_FILE);
  if (!existsSync(path)) return undefined;
  let body: SlurmJobsFile;
  try {
    body = JSON.parse(await readFile(path, 'utf8')) as SlurmJobsFile;
  } catch (error) {
    throw new InputError<RunnerCode>(
      'E_SLURM_JOBS_CORRUPT',
      `${path} is not valid JSON (${(error as Error).message}); delete it to forget past submissions (their cells are still read from the run directories).`,
    );
  }
  if (body.formatVersion !== 1 || !Array.isArray(body.submissions)) {
    throw new CompatibilityError<RunnerCode>(
      'E_SLURM_JOBS_VERSION',
      `${path} has format version ${String(body.formatVersion)}; this ehr-backdoor reads version 1.`,
    );
  }
  return body;
}

export async function recordSubmission(runsRoot: string, submission: SlurmSubmission): Promise<void> {
  const current = await readSlurmJobs(runsRoot);
  const next: SlurmJobsFile = { formatVersion: 1, submissions: [...(current?.submissions ?? []), submission] };
  await writeJsonAtomic(join(runsRoot, SLURM_JOBS_FILE), next);
}

export interface CellTask extends TaskInfo {
  readonly planIndex: number;
  readonly cellId: string;
}

export interface SubmissionState {
  readonly submission: SlurmSubmission;
  readonly query: JobQuery;
  readonly tasks: readonly CellTask[];
}

export interface SlurmState {
  readonly runsRoot: string;
  readonly submissions: readonly SubmissionState[];
  /** The newest Slurm task of each cell (by cell id), across all submissions. */
  readonly byCell: ReadonlyMap<string, CellTask>;
  /** Why Slurm could not be asked, when it could not (the run directories still tell each cell's state). */
  readonly unavailable?: string;
}

/**
 * What Slurm says about the arrays submitted for `runsRoot`; undefined when none were. Tasks map to
 * cells through each submission's plan snapshot.
 */
export async function slurmStateOf(runsRoot: string, run: CommandRunner = runSlurmCommand): Promise<SlurmState | undefined> {
  const jobs = await readSlurmJobs(runsRoot);
  if (!jobs || jobs.submissions.length === 0) return undefined;
  if (!(await slurmAvailable(run))) {
    return { runsRoot, submissions: [], byCell: new Map(), unavailable: 'the Slurm commands are not on PATH here' };
  }
  const plans = new Map<string, SweepPlan | undefined>();
  const submissions: SubmissionState[] = [];
  const byCell = new Map<string, CellTask>();
  for (const submission of jobs.submissions) {
    let query: JobQuery;
    try {
      query = await queryJobs(submission.jobId, run);
    } catch (error) {
      if ((error as { code?: string }).code === 'E_SLURM_QUERY') {
        return { runsRoot, submissions, byCell, unavailable: (error as Error).message };
      }
      throw error;
    }
    if (!plans.has(submission.planPath)) plans.set(submission.planPath, await readPlan(submission.planPath).catch(() => undefined));
    const plan = plans.get(submission.planPath);
    const tasks: CellTask[] = [];
    for (const task of query.tasks) {
      const planIndex = task.taskId + submission.indexOffset;
      const cell = plan?.cells[planIndex];
      const t: CellTask = { ...task, planIndex, cellId: cell ? cellId(cell) : `#${planIndex}` };
      tasks.push(t);
      byCell.set(t.cellId, t); // submissions are in order, so the newest wins
    }
    submissions.push({ submission, query, tasks });
  }
  return { runsRoot, submissions, byCell };
}

/** Cell ids that some recorded array still has queued or running. */
export function activeCellIds(state: SlurmState | undefined): Set<string> {
  const ids = new Set<string>();
  for (const s of state?.submissions ?? []) for (const t of s.tasks) if (isActive(t.state)) ids.add(t.cellId);
  return ids;
}

/** One line per submission: `job 123 (array 0-3,7, sacct): 2 RUNNING, 3 PENDING, 1 FAILED`. */
export function formatSlurmState(state: SlurmState): string {
  const lines = ['slurm:'];
  if (state.unavailable) lines.push(`  (cannot ask Slurm: ${state.unavailable})`);
  for (const { submission, query, tasks } of state.submissions) {
    const counts = new Map<string, number>();
    for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
    const submitted = expandIndexList(submission.array).length;
    const unknown = submitted - tasks.length;
    const parts = [...counts].map(([s, n]) => `${n} ${s}`);
    if (unknown > 0) parts.push(`${unknown} no longer known to Slurm`);
    lines.push(
      `  job ${submission.jobId} (${submitted} tasks, submitted ${submission.submittedAt}, via ${query.source}): ${parts.join(', ')}`,
    );
    for (const t of tasks) {
      if (t.state !== 'COMPLETED' && !isActive(t.state)) {
        lines.push(
          `    ${t.state.padEnd(13)} ${t.cellId}${t.exitCode ? `  exit ${t.exitCode}` : ''}  log ${join(submission.logDir, `${submission.jobId}_${t.taskId}.out`)}`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** The same, as plain JSON (for `status --json`). */
export function slurmStateToJson(state: SlurmState): unknown {
  return {
    ...(state.unavailable ? { unavailable: state.unavailable } : {}),
    submissions: state.submissions.map(({ submission, query, tasks }) => ({ ...submission, source: query.source, tasks })),
  };
}
