import { assertInput, InputError } from '@ehr-backdoor/core';
import { compactIndices } from './index-list.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * The sbatch script of one job array: one array task per unfinished cell, each running
 * `ehr-backdoor run-cell --plan FILE --index I`, the same command the local pool forks, so both
 * executors fill the same run directories the same way.
 */
export interface SlurmOptions {
  readonly partition?: string;
  /** Slurm time limit per task: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM` or `D-HH:MM:SS`. */
  readonly time?: string;
  readonly cpusPerTask?: number;
  /** Memory per task in Slurm's syntax: `8G`, `16000M`. */
  readonly mem?: string;
  /** Generic resources per task, e.g. `gpu:1`. */
  readonly gres?: string;
  /** Extra sbatch options: `account=abc`, `--qos=long` or `#SBATCH --qos=long`. */
  readonly sbatchLines?: readonly string[];
  /** Shell lines run before each task (module loads, a conda/venv activation, exports). */
  readonly prologue?: string;
  /** At most this many tasks of the array run at once (`%P`). */
  readonly maxParallel?: number;
  readonly jobName?: string;
}

export interface BatchScriptInput {
  readonly options: SlurmOptions;
  /** Plan indices of the cells to run. */
  readonly indices: readonly number[];
  /** Added to `$SLURM_ARRAY_TASK_ID` to get the plan index (arrays above MaxArraySize are split). */
  readonly indexOffset?: number;
  readonly planPath: string;
  readonly logDir: string;
  readonly workDir: string;
  /** Absolute path of the `node` that runs the tasks (the submitting one, unless the prologue sets EHR_BACKDOOR_NODE). */
  readonly node: string;
  /** Absolute path of `apps/runner/bin/ehr-backdoor.js`. */
  readonly bin: string;
  /** An sbatch dependency, e.g. `afterany:123:124` (poisoned cells wait for the clean ones). */
  readonly dependency?: string;
}

const TIME = /^(\d+-\d{1,2}(:\d{1,2}(:\d{1,2})?)?|\d+(:\d{1,2}(:\d{1,2})?)?)$/;
const MEM = /^\d+[KMGT]?$/i;
const GRES = /^[A-Za-z0-9_:.,=-]+$/;
const NAME = /^[A-Za-z0-9_.+-]+$/;

/** Checks every option before anything is written or submitted (a newline would inject script lines). */
export function checkSlurmOptions(options: SlurmOptions): void {
  const { partition, time, cpusPerTask, mem, gres, maxParallel, jobName } = options;
  if (partition !== undefined) {
    assertInput<RunnerCode>(
      /^[A-Za-z0-9_.,-]+$/.test(partition),
      'E_SLURM_OPTION',
      () => `--partition "${partition}" is not a Slurm partition name (letters, digits, _ . - and commas for several).`,
    );
  }
  if (time !== undefined) {
    assertInput<RunnerCode>(
      TIME.test(time),
      'E_SLURM_OPTION',
      () => `--time "${time}" is not a Slurm time limit: use MM, HH:MM:SS or D-HH:MM:SS (e.g. 2:00:00 for two hours).`,
    );
  }
  if (cpusPerTask !== undefined) {
    assertInput<RunnerCode>(
      Number.isSafeInteger(cpusPerTask) && cpusPerTask >= 1,
      'E_SLURM_OPTION',
      () => `--cpus-per-task must be a positive integer, got ${String(cpusPerTask)}.`,
    );
  }
  if (mem !== undefined) {
    assertInput<RunnerCode>(
      MEM.test(mem),
      'E_SLURM_OPTION',
      () => `--mem "${mem}" is not a Slurm memory size: use a number with an optional K, M, G or T suffix (e.g. 8G).`,
    );
  }
  if (gres !== undefined) {
    assertInput<RunnerCode>(
      GRES.test(gres),
      'E_SLURM_OPTION',
      () => `--gres "${gres}" is not a Slurm generic-resource list (e.g. gpu:1 or gpu:a100:2).`,
    );
  }
  if (maxParallel !== undefined) {
    assertInput<RunnerCode>(
      Number.isSafeInteger(maxParallel) && maxParallel >= 1,
      'E_SLURM_OPTION',
      () => `--max-parallel must be a positive integer, got ${String(maxParallel)}.`,
    );
  }
  if (jobName !== undefined) {
    assertInput<RunnerCode>(
      NAME.test(jobName),
      'E_SLURM_OPTION',
      () => `The Slurm job name "${jobName}" may hold only letters, digits and _ . + -.`,
    );
  }
  for (const line of options.sbatchLines ?? []) sbatchDirective(line);
}

/**
 * `qos=long`, `--qos=long` or `#SBATCH --qos=long` → `#SBATCH --qos=long`; one option per line. The bare
 * form exists because a command-line value starting with `--` reads as an option of its own.
 */
export function sbatchDirective(line: string): string {
  const trimmed = line.trim().replace(/^#SBATCH\s+/, '');
  // The bare form is `name` or `name=value`; anything else must carry its own dashes.
  const body = /^[A-Za-z][A-Za-z-]*(=\S+)?$/.test(trimmed) ? `--${trimmed}` : trimmed;
  assertInput<RunnerCode>(
    /^--?[A-Za-z]/.test(body) && !/[\r\n]/.test(body),
    'E_SLURM_OPTION',
    () =>
      `--sbatch-line "${line}" is not one sbatch option: give it as account=abc (or --sbatch-line=--account=abc), one per --sbatch-line.`,
  );
  const name = body.replace(/^--?/, '').split(/[=\s]/)[0];
  assertInput<RunnerCode>(
    !OWNED_OPTIONS.has(name),
    'E_SLURM_OPTION',
    () =>
      `--sbatch-line "${line}" sets --${name}, which the sweep sets itself; use the sweep's own option instead (--array comes from the unfinished cells, --output is RUNS/slurm-logs).`,
  );
  return `#SBATCH ${body}`;
}

const OWNED_OPTIONS = new Set(['array', 'a', 'output', 'o', 'error', 'e', 'parsable', 'chdir', 'D', 'wrap']);

/** Quotes for bash: the value stays one word whatever it holds. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function buildBatchScript(input: BatchScriptInput): string {
  const { options, indices, planPath, logDir, workDir, node, bin } = input;
  checkSlurmOptions(options);
  for (const [what, path] of [
    ['runs root', logDir],
    ['working directory', workDir],
  ] as const) {
    // #SBATCH lines are not shell: a space splits the option, and % starts a Slurm file-name pattern.
    assertInput<RunnerCode>(
      !/[\s%]/.test(path),
      'E_SLURM_PATH',
      () =>
        `The ${what} ${path} holds a space or %, which #SBATCH lines cannot carry: use a path without them for --out (and run the sweep from such a directory).`,
    );
  }
  if (input.dependency !== undefined) {
    assertInput<RunnerCode>(
      /^[a-z]+(:[A-Za-z0-9_+-]+)+$/.test(input.dependency),
      'E_SLURM_OPTION',
      () => `"${input.dependency}" is not an sbatch dependency.`,
    );
  }
  const offset = input.indexOffset ?? 0;
  assertInput<RunnerCode>(
    indices.length > 0,
    'E_SLURM_EMPTY',
    () => 'A job array needs at least one cell; every cell of this sweep is done or queued already.',
  );
  for (const i of indices) {
    if (i - offset < 0) throw new InputError<RunnerCode>('E_ARRAY_INDEX', `Plan index ${i} is below the array offset ${offset}.`);
  }
  const array = compactIndices(indices.map((i) => i - offset)) + (options.maxParallel ? `%${options.maxParallel}` : '');
  const directives = [
    `--job-name=${options.jobName ?? 'ehr-backdoor'}`,
    `--array=${array}`,
    `--output=${logDir}/%A_%a.out`,
    // A preempted or requeued task appends to its log rather than erasing the first attempt's.
    '--open-mode=append',
    `--chdir=${workDir}`,
    '--ntasks=1',
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
    ...(options.gres ? [`--gres=${options.gres}`] : []),
    ...(input.dependency ? [`--dependency=${input.dependency}`] : []),
  ].map((d) => `#SBATCH ${d}`);
  const lines = [
    '#!/bin/bash',
    ...directives,
    ...(options.sbatchLines ?? []).map(sbatchDirective),
    '',
    '# Written by `ehr-backdoor sweep --executor slurm`. Each array task runs one cell of the plan;',
    '# a cell writes only inside its own run directory, so tasks never clash on the shared file system.',
    'set -euo pipefail',
    '',
  ];
  if (options.prologue?.trim()) {
    lines.push('# --- prologue (--prologue) ---', 'set +u', options.prologue.trimEnd(), 'set -u', '# --- end of prologue ---', '');
  }
  lines.push(
    // Two steps: quotes inside "${X:-word}" would stay part of the word.
    `NODE=${shellQuote(node)}`,
    'NODE="${EHR_BACKDOOR_NODE:-$NODE}"',
    `INDEX=$((SLURM_ARRAY_TASK_ID${offset ? ` + ${offset}` : ''}))`,
    'echo "ehr-backdoor: task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} (plan index ${INDEX}) on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ), restart ${SLURM_RESTART_COUNT:-0}"',
    // exec: Slurm's SIGTERM at the time limit or on preemption reaches the cell itself, which stops at
    // a checkpoint boundary; the resubmitted task resumes from there.
    `exec "$NODE" ${shellQuote(bin)} run-cell --plan ${shellQuote(planPath)} --index "$INDEX"`,
    '',
  );
  return lines.join('\n');
}
