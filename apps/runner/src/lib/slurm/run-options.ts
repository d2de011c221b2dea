import { EhrBackdoorError, EXIT } from '@ehr-backdoor/core';
import type { SlurmOptions } from './batch-script.js';
import type { CommandRunner } from './slurm-cli.js';
import type { SlurmSubmission } from './slurm-jobs.js';

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

export const LOG_DIR = 'slurm-logs';
export const SCRIPT_DIR = 'slurm-scripts';
export const PLAN_SNAPSHOT_DIR = 'slurm-plans';
