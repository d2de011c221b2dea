import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { assertInput, InputError } from '@ehr-backdoor/core';
import type { SweepPlan } from '../plan.js';
import type { RunnerCode } from '../error-codes.js';
import { planArrays } from './array-plan.js';
import { checkSlurmOptions } from './batch-script.js';
import type { SlurmRunOptions, SlurmRunResult } from './run-options.js';
import { selectCells } from './select-cells.js';
import { runSlurmCommand } from './slurm-cli.js';
import { submitArrays } from './submit-arrays.js';
import { waitAndCheck } from './wait-arrays.js';

/**
 * The Slurm executor:
 *
 *   plan ─▶ cells not done (run dirs) and not queued by an earlier array (slurm-jobs.json + Slurm)
 *        ─▶ plan snapshot ─▶ batch script(s) (split at MaxArraySize) ─▶ sbatch --parsable
 *        ─▶ record job ids ─▶ [--wait: poll until the arrays end, then read every cell's state]
 *
 * One call per phase: select-cells ─▶ array-plan ─▶ submit-arrays ─▶ wait-arrays.
 *
 * Nothing but files passes between this process and the tasks: each task reads the plan snapshot and
 * writes only its own run directory, so a resubmission after preemption or failure simply submits the
 * cells whose summary.json is still missing, and they resume from their checkpoints.
 */
export { LOG_DIR, PLAN_SNAPSHOT_DIR, SCRIPT_DIR, SlurmSweepFailedError, type SlurmRunOptions, type SlurmRunResult } from './run-options.js';
export { splitForArraySize } from './array-plan.js';
export { submitArray } from './submit-arrays.js';

/**
 * Submits the unfinished cells of `plan` (written by the sweep at `planPath`; the tasks read an
 * immutable snapshot of it). Returns once submitted, or with `wait` once the arrays have ended.
 */
export async function runSlurm(plan: SweepPlan, planPath: string, options: SlurmRunOptions = {}): Promise<SlurmRunResult> {
  assertInput<RunnerCode>(
    existsSync(planPath),
    'E_PLAN_MISSING',
    () => `runSlurm: no sweep plan at ${planPath}; the sweep writes it before submitting.`,
  );
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const run = options.run ?? runSlurmCommand;
  checkSlurmOptions(options);
  const prologue = await readPrologue(options);
  const { alreadyDone, alreadyQueued, submit, earlier } = await selectCells(plan, options.dryRun ?? false, run, log);
  const summary = `${plan.cells.length} cells: ${alreadyDone} done, ${alreadyQueued.length} queued or running in an earlier array, ${submit.length} to submit`;
  if (submit.length === 0) {
    log(`slurm: ${summary}; nothing to submit.`);
    return { submissions: [], submitted: [], alreadyDone, alreadyQueued, scripts: [] };
  }

  const arrays = await planArrays(plan, submit, earlier, options, prologue, run);
  if (options.dryRun) {
    // Job ids exist only once submitted; the dry run names them by placeholders.
    const [clean, poisoned] = arrays.phases;
    const cleanIds = [...arrays.earlierCleanJobs, ...clean.chunks.map((_, k) => `CLEAN_ARRAY_${k + 1}_JOB_ID`)];
    const scripts = [...clean.chunks.map((c) => arrays.script(c, [])), ...poisoned.chunks.map((c) => arrays.script(c, cleanIds))];
    log(`slurm: ${summary} (dry run: nothing written to Slurm)`);
    (options.print ?? ((text: string) => process.stdout.write(text)))(scripts.join('\n# ---- next array ----\n'));
    return { submissions: [], submitted: submit, alreadyDone, alreadyQueued, scripts };
  }

  const { submissions, scripts } = await submitArrays(plan, arrays, options.maxParallel, run, log);
  log(`slurm: ${summary}`);
  log(`  script  ${submissions.map((s) => s.script).join(', ')}`);
  log(`  logs    ${arrays.logDir}/<job>_<task>.out`);
  log(`  follow  ehr-backdoor status ${plan.runsRoot}   (or squeue -j ${submissions.map((s) => s.jobId).join(',')})`);
  log(`  stop    scancel ${submissions.map((s) => s.jobId).join(' ')}; the same sweep command later resubmits what is unfinished`);
  const result = { submissions, submitted: submit, alreadyDone, alreadyQueued, scripts };
  if (options.wait) await waitAndCheck(plan, submissions, options, log, run);
  return result;
}

/** The text of --prologue FILE (shell lines run before each task), else the options' own prologue. */
async function readPrologue(options: SlurmRunOptions): Promise<string | undefined> {
  if (options.prologueFile === undefined) return options.prologue;
  if (!existsSync(options.prologueFile)) {
    throw new InputError<RunnerCode>(
      'E_PROLOGUE',
      `--prologue ${options.prologueFile} does not exist: give a file of shell lines (e.g. \`module load nodejs/20\`) run before each task.`,
    );
  }
  return readFile(options.prologueFile, 'utf8');
}
