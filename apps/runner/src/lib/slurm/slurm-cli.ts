import { execFile } from 'node:child_process';
import { EnvironmentError, InputError } from '@ehr-backdoor/core';
import type { RunnerCode } from '../error-codes.js';

/**
 * The Slurm client commands (sbatch, squeue, sacct, scontrol, scancel), run as child processes: their
 * text output is Slurm's stable interface across versions and sites, where the C API and REST daemon
 * are not always there.
 */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: { cwd?: string; input?: string },
) => Promise<CommandResult>;

/** Runs a Slurm command; a missing binary is the machine's set-up, so it is an EnvironmentError (exit 6) that says what to do. */
export const runSlurmCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = execFile(
      command,
      [...args],
      { cwd: options.cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(slurmMissing(command));
          return;
        }
        if (error && (error as { killed?: boolean }).killed) {
          reject(
            new InputError<RunnerCode>(
              'E_SLURM_TIMEOUT',
              `\`${command} ${args.join(' ')}\` did not answer within 120 s: is slurmctld reachable (\`scontrol ping\`)?`,
            ),
          );
          return;
        }
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
        resolve({ stdout, stderr, code });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

export function slurmMissing(command: string): EnvironmentError {
  return new EnvironmentError<RunnerCode>(
    'E_SLURM_MISSING',
    `\`${command}\` is not on PATH, so this machine cannot talk to Slurm: run the sweep on a cluster's login node ` +
      '(after `module load slurm` where the site needs it), use --executor local, or start the local test cluster ' +
      'with tools/slurm/start-local-cluster (see docs/slurm.md).',
  );
}

/** Whether the Slurm client commands are installed here (not whether a controller answers). */
export async function slurmAvailable(run: CommandRunner = runSlurmCommand): Promise<boolean> {
  try {
    await run('squeue', ['--version']);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'E_SLURM_MISSING') return false;
    throw error;
  }
}
