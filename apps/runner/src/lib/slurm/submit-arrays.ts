import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import type { SweepPlan } from '../plan.js';
import type { RunnerCode } from '../error-codes.js';
import type { ArrayPlan } from './array-plan.js';
import { compactIndices } from './index-list.js';
import { SCRIPT_DIR } from './run-options.js';
import { runSlurmCommand, type CommandRunner } from './slurm-cli.js';
import { recordSubmission, type SlurmSubmission } from './slurm-jobs.js';

/**
 * Writes the plan snapshot, then each array's batch script, submits it and records its job id in
 * slurm-jobs.json: clean arrays first, poisoned ones after every clean job (this run's and earlier ones).
 */
export async function submitArrays(
  plan: SweepPlan,
  arrays: ArrayPlan,
  maxParallel: number | undefined,
  run: CommandRunner,
  log: (line: string) => void,
) {
  const runsRoot = plan.runsRoot;
  const { snapshot, logDir } = arrays;
  await mkdir(logDir, { recursive: true });
  // The tasks read an immutable copy: re-running `sweep` with another grid rewrites sweep-plan.json,
  // and a task still queued from before must keep the meaning of its index.
  if (!existsSync(snapshot)) await writeJsonAtomic(snapshot, plan);
  const submissions: SlurmSubmission[] = [];
  const scripts: string[] = [];
  const cleanJobs = [...arrays.earlierCleanJobs];
  for (const phase of arrays.phases) {
    for (const chunk of phase.chunks) {
      const text = arrays.script(chunk, phase.name === 'poisoned' ? cleanJobs : []);
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
      log(
        `slurm: submitted job ${jobId}: ${chunk.indices.length} ${phase.name} cells (array ${submission.array}${maxParallel ? `%${maxParallel}` : ''})${phase.name === 'poisoned' && cleanJobs.length ? `, after job ${cleanJobs.join(', ')}` : ''}`,
      );
    }
  }
  return { submissions, scripts };
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
