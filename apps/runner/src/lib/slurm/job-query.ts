import { InputError } from '@ehr-backdoor/core';
import { expandIndexList } from './index-list.js';
import { runSlurmCommand, type CommandRunner } from './slurm-cli.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * The state of each task of a job array, from whichever source the site has:
 *   sacct     the accounting database (slurmdbd): complete history, the normal case on a cluster
 *   scontrol  the controller's memory: pending/running tasks, and finished ones for MinJobAge
 *             (300 s by default), the only source on a cluster without slurmdbd (like the local one)
 * A task that neither knows any more is simply absent; callers read the run directory for the truth.
 */
export type TaskState =
  | 'PENDING'
  | 'RUNNING'
  | 'CONFIGURING'
  | 'COMPLETING'
  | 'SUSPENDED'
  | 'REQUEUED'
  | 'REQUEUE_HOLD'
  | 'RESIZING'
  | 'SIGNALING'
  | 'STAGE_OUT'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'FAILED'
  | 'TIMEOUT'
  | 'NODE_FAIL'
  | 'PREEMPTED'
  | 'OUT_OF_MEMORY'
  | 'BOOT_FAIL'
  | 'DEADLINE'
  | 'REVOKED'
  | 'SPECIAL_EXIT'
  | 'STOPPED'
  // Slurm adds states across versions; unknown ones pass through as printed.
  | (string & {});

export interface TaskInfo {
  readonly arrayJobId: string;
  /** The array index (plan index minus the submission's offset). */
  readonly taskId: number;
  readonly state: TaskState;
  /** Why a task waits (`Priority`, `Resources`, `JobArrayTaskLimit`) or failed (`NonZeroExitCode`). */
  readonly reason?: string;
  /** `exit:signal`, as Slurm prints it. */
  readonly exitCode?: string;
}

export interface JobQuery {
  readonly jobId: string;
  readonly source: 'sacct' | 'scontrol';
  readonly tasks: readonly TaskInfo[];
}

const ACTIVE = new Set([
  'PENDING',
  'RUNNING',
  'CONFIGURING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
]);

/** Queued or running: the task will still write its cell, so a resubmission must not queue it again. */
export function isActive(state: TaskState): boolean {
  return ACTIVE.has(state);
}

/** `CANCELLED by 0` → `CANCELLED`; `RUNNING` → `RUNNING`. */
function normaliseState(raw: string): TaskState {
  return raw.trim().split(/\s+/)[0].replace(/\+$/, '').toUpperCase();
}

/**
 * `sacct -n -P -X -j ID --format=JobID,State,ExitCode,Reason`: one line per task, pending tasks folded
 * into `ID_[4-7%2]`.
 */
export function parseSacct(text: string): TaskInfo[] {
  const tasks: TaskInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [jobField, state = '', exitCode, reason] = line.split('|');
    const match = /^(\d+)_(\[[^\]]*\]|\d+)$/.exec(jobField.trim());
    if (!match) continue; // a plain job (not an array task) or a step line
    for (const taskId of expandIndexList(match[2])) {
      tasks.push(withOptional({ arrayJobId: match[1], taskId, state: normaliseState(state) }, reason, exitCode));
    }
  }
  return latestPerTask(tasks);
}

/** `squeue -h -r -j ID -o '%i|%F|%K|%T|%r'`: one line per pending or running task. */
export function parseSqueue(text: string): TaskInfo[] {
  const tasks: TaskInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const [, arrayJobId, taskField, state = '', reason] = line.split('|');
    if (!arrayJobId || !taskField || taskField === 'N/A') continue;
    for (const taskId of expandIndexList(taskField)) {
      tasks.push(withOptional({ arrayJobId: arrayJobId.trim(), taskId, state: normaliseState(state) }, reason));
    }
  }
  return latestPerTask(tasks);
}

/**
 * `scontrol show job -o ID`: one line of `Key=Value` fields per job record. A job array is one record
 * per started task plus one for its still-pending tasks (`ArrayTaskId=4-6%2`).
 */
export function parseScontrolShowJob(text: string): TaskInfo[] {
  const tasks: TaskInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = scontrolFields(line);
    const arrayJobId = fields.get('ArrayJobId');
    const taskField = fields.get('ArrayTaskId');
    if (!arrayJobId || !taskField) continue;
    for (const taskId of expandIndexList(taskField)) {
      tasks.push(
        withOptional(
          { arrayJobId, taskId, state: normaliseState(fields.get('JobState') ?? '') },
          fields.get('Reason'),
          fields.get('ExitCode'),
        ),
      );
    }
  }
  return latestPerTask(tasks);
}

/** Fields are space-separated `Key=Value`; values never hold spaces except in a few free-text keys we do not read. */
function scontrolFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const token of line.trim().split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0 && !fields.has(token.slice(0, eq))) fields.set(token.slice(0, eq), token.slice(eq + 1));
  }
  return fields;
}

function withOptional(base: Omit<TaskInfo, 'reason' | 'exitCode'>, reason?: string, exitCode?: string): TaskInfo {
  const r = reason?.trim();
  const e = exitCode?.trim();
  return { ...base, ...(r && r !== 'None' && r !== '(null)' ? { reason: r } : {}), ...(e ? { exitCode: e } : {}) };
}

/** A requeued task can appear twice; the last line Slurm prints is its current record. */
function latestPerTask(tasks: TaskInfo[]): TaskInfo[] {
  const byKey = new Map<string, TaskInfo>();
  for (const t of tasks) byKey.set(`${t.arrayJobId}_${t.taskId}`, t);
  return [...byKey.values()].sort((a, b) => a.taskId - b.taskId);
}

/**
 * The tasks of array job `jobId`: sacct where the site keeps accounting, the controller otherwise. An
 * unknown job (purged, or from another cluster) has no tasks.
 */
export async function queryJobs(jobId: string, run: CommandRunner = runSlurmCommand): Promise<JobQuery> {
  if (!/^\d+$/.test(jobId)) throw new InputError<RunnerCode>('E_SLURM_JOB_ID', `"${jobId}" is not a Slurm job id.`);
  const sacct = await run('sacct', ['-n', '-P', '-X', '-j', jobId, '--format=JobID,State,ExitCode,Reason']);
  if (sacct.code === 0) {
    // slurmdbd learns of jobs asynchronously: a just-submitted array may be missing from sacct, and a
    // task's start may lag, so the controller's view of queued and running tasks takes precedence.
    const squeue = await run('squeue', ['-h', '-r', '-j', jobId, '-o', '%i|%F|%K|%T|%r']);
    const live = squeue.code === 0 ? parseSqueue(squeue.stdout) : [];
    return { jobId, source: 'sacct', tasks: latestPerTask([...parseSacct(sacct.stdout), ...live]) };
  }
  const scontrol = await run('scontrol', ['show', 'job', '-o', jobId]);
  if (scontrol.code === 0) return { jobId, source: 'scontrol', tasks: parseScontrolShowJob(scontrol.stdout) };
  if (/invalid job id/i.test(scontrol.stderr + scontrol.stdout)) return { jobId, source: 'scontrol', tasks: [] };
  throw new InputError<RunnerCode>(
    'E_SLURM_QUERY',
    `Neither sacct nor scontrol could report job ${jobId}: ${(sacct.stderr || sacct.stdout).trim()} / ${(scontrol.stderr || scontrol.stdout).trim()}. Is slurmctld up (\`scontrol ping\`)?`,
  );
}

export interface WaitOptions {
  readonly pollSeconds?: number;
  /** Give up after this long (default: wait as long as the array runs). */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
  readonly onPoll?: (query: JobQuery) => void;
  readonly run?: CommandRunner;
}

/** Polls until no task of the array is queued or running; returns the last query. */
export async function waitForArray(jobId: string, options: WaitOptions = {}): Promise<JobQuery> {
  const poll = Math.max(0.2, options.pollSeconds ?? 5) * 1000;
  const deadline = options.timeoutSeconds === undefined ? Infinity : Date.now() + options.timeoutSeconds * 1000;
  for (;;) {
    const query = await queryJobs(jobId, options.run);
    options.onPoll?.(query);
    if (!query.tasks.some((t) => isActive(t.state))) return query;
    if (options.signal?.aborted)
      throw new InputError<RunnerCode>(
        'E_INTERRUPTED',
        `Stopped waiting for Slurm job ${jobId}; it keeps running (\`scancel ${jobId}\` stops it).`,
      );
    if (Date.now() > deadline) {
      throw new InputError<RunnerCode>(
        'E_SLURM_WAIT_TIMEOUT',
        `Slurm job ${jobId} still has queued or running tasks after ${options.timeoutSeconds} s.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
}
