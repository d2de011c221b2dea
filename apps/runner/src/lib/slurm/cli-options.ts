import type { Argv } from 'yargs';
import { InputError } from '@ehr-backdoor/core';
import type { SlurmRunOptions } from './run-slurm.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * The sweep's Slurm options. Kept here (light: no Slurm code is loaded) so `sweep.ts` adds them with one
 * call and `--help` lists them in their own group.
 */
export interface SlurmArgs {
  partition?: string;
  time?: string;
  'cpus-per-task'?: number;
  mem?: string;
  gres?: string;
  'sbatch-line'?: string[];
  prologue?: string;
  'max-parallel'?: number;
  'dry-run'?: boolean;
  wait?: boolean;
  'poll-seconds'?: number;
}

const GROUP = 'Slurm (with --executor slurm; see docs/slurm.md):';
const KEYS = [
  'partition',
  'time',
  'cpus-per-task',
  'mem',
  'gres',
  'sbatch-line',
  'prologue',
  'max-parallel',
  'dry-run',
  'wait',
  'poll-seconds',
] as const;

export function addSlurmOptions<T>(y: Argv<T>): Argv<T & SlurmArgs> {
  return y
    .option('partition', { type: 'string', group: GROUP, describe: 'Partition (queue) for the job arrays.' })
    .option('time', { type: 'string', group: GROUP, describe: 'Time limit per cell: MM, HH:MM:SS or D-HH:MM:SS.' })
    .option('cpus-per-task', { type: 'number', group: GROUP, describe: 'CPUs per cell.' })
    .option('mem', { type: 'string', group: GROUP, describe: 'Memory per cell, e.g. 8G.' })
    .option('gres', { type: 'string', group: GROUP, describe: 'Generic resources per cell, e.g. gpu:1.' })
    .option('sbatch-line', {
      type: 'string',
      array: true,
      group: GROUP,
      describe: 'Extra sbatch option, repeatable: --sbatch-line account=abc --sbatch-line qos=long.',
    })
    .option('prologue', {
      type: 'string',
      group: GROUP,
      describe: 'File of shell lines run before each cell (module load, venv, exports).',
    })
    .option('max-parallel', { type: 'number', group: GROUP, describe: 'At most this many cells of an array run at once (--array=…%N).' })
    .option('dry-run', { type: 'boolean', group: GROUP, describe: 'Print the batch scripts; submit nothing.' })
    .option('wait', { type: 'boolean', group: GROUP, describe: 'Wait for the arrays to end; exit 5 if a cell did not finish.' })
    .option('poll-seconds', {
      type: 'number',
      group: GROUP,
      describe: 'With --wait: seconds between queries to Slurm (default 10).',
    }) as Argv<T & SlurmArgs>;
}

/** The Slurm options of a `sweep` invocation; refuses them with another executor, where they would be ignored. */
export function slurmOptionsFromArgs(args: SlurmArgs & { executor?: string }): SlurmRunOptions {
  if (args.executor !== 'slurm') {
    const given = KEYS.filter((k) => args[k] !== undefined && args[k] !== false);
    if (given.length) {
      throw new InputError<RunnerCode>(
        'E_SLURM_OPTION',
        `--${given.join(', --')} ${given.length > 1 ? 'apply' : 'applies'} only to --executor slurm; add --executor slurm or drop ${given.length > 1 ? 'them' : 'it'}.`,
      );
    }
    return {};
  }
  const pollSeconds = args['poll-seconds'];
  if (pollSeconds !== undefined && !(Number.isFinite(pollSeconds) && pollSeconds > 0)) {
    throw new InputError<RunnerCode>('E_SLURM_OPTION', `--poll-seconds must be a positive number, got ${String(pollSeconds)}.`);
  }
  return {
    ...(args.partition !== undefined ? { partition: args.partition } : {}),
    ...(args.time !== undefined ? { time: String(args.time) } : {}),
    ...(args['cpus-per-task'] !== undefined ? { cpusPerTask: args['cpus-per-task'] } : {}),
    ...(args.mem !== undefined ? { mem: String(args.mem) } : {}),
    ...(args.gres !== undefined ? { gres: args.gres } : {}),
    ...(args['sbatch-line']?.length ? { sbatchLines: args['sbatch-line'] } : {}),
    ...(args.prologue !== undefined ? { prologueFile: args.prologue } : {}),
    ...(args['max-parallel'] !== undefined ? { maxParallel: args['max-parallel'] } : {}),
    ...(pollSeconds !== undefined ? { pollSeconds } : {}),
    dryRun: args['dry-run'] === true,
    wait: args.wait === true,
  };
}
