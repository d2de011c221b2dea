import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellDir, cellId, expandGrid } from '../grid.js';
import { makePlan, PLAN_FILE, writePlan, type SweepPlan } from '../plan.js';
import { runSlurm, splitForArraySize, submitArray } from './run-slurm.js';
import { runSlurmCommand, type CommandRunner } from './slurm-cli.js';
import { formatSlurmState, readSlurmJobs, recordSubmission, slurmStateOf, SLURM_JOBS_FILE } from './slurm-jobs.js';

/** A scripted Slurm: sbatch hands out job ids; scontrol answers from a table of task lines per job. */
function fakeSlurm(tasksOf: Record<string, string> = {}, firstJob = 100) {
  const calls: string[][] = [];
  let nextJob = firstJob;
  const scripts: string[] = [];
  const run: CommandRunner = async (command, args) => {
    calls.push([command, ...args]);
    switch (command) {
      case 'squeue':
        return { code: 0, stdout: 'slurm 22.05.8\n', stderr: '' };
      case 'sacct':
        return { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' };
      case 'scontrol':
        if (args[0] === 'show' && args[1] === 'config') return { code: 0, stdout: 'MaxArraySize            = 1001\n', stderr: '' };
        return tasksOf[args[3]] !== undefined
          ? { code: 0, stdout: tasksOf[args[3]], stderr: '' }
          : { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' };
      case 'sbatch':
        if (args[0] === '--version') return { code: 0, stdout: 'slurm 22.05.8\n', stderr: '' };
        scripts.push(readFileSync(args[1], 'utf8'));
        return { code: 0, stdout: `${nextJob++}\n`, stderr: '' };
      default:
        throw new Error(`unexpected ${command}`);
    }
  };
  return { run, calls, scripts };
}

describe('runSlurm', () => {
  let root: string;
  let plan: SweepPlan;
  let planPath: string;
  const quiet = () => undefined;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'ehrb-slurm-'));
    // 2 clean cells (mlp, lstm) + 4 poisoned (2 models × 2 rates) = 6 cells.
    const cells = expandGrid({ models: ['mlp', 'lstm'], triggers: ['rare_value'], rates: [0, 0.01, 0.05], seeds: [0] });
    plan = makePlan({
      dataDir: join(root, 'data'),
      runsRoot: join(root, 'runs'),
      preset: 'smoke',
      options: { epochs: 2, backend: 'cpu', targetLabel: 1, mode: 'dirty-label', explain: false, detect: false, retrain: false },
      cells,
    });
    planPath = join(plan.runsRoot, PLAN_FILE);
    await writePlan(planPath, plan);
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function markDone(index: number): Promise<void> {
    const dir = cellDir(plan.runsRoot, plan.cells[index]);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'summary.json'), '{}');
  }

  it('submits only unfinished cells, from a plan snapshot, and records the job', async () => {
    await markDone(0);
    await markDone(3);
    const slurm = fakeSlurm();
    const result = await runSlurm(plan, planPath, { maxParallel: 2, time: '1:00:00', log: quiet, run: slurm.run });
    expect(result.submitted).toEqual([1, 2, 4, 5]);
    expect(result.alreadyDone).toBe(2);
    // Clean cells first; the poisoned array waits for them (it reads their summaries).
    expect(slurm.scripts).toHaveLength(2);
    expect(slurm.scripts[0]).toContain('#SBATCH --array=1%2\n');
    expect(slurm.scripts[0]).not.toContain('--dependency');
    expect(slurm.scripts[1]).toContain('#SBATCH --array=2,4-5%2\n');
    expect(slurm.scripts[1]).toContain('#SBATCH --dependency=afterany:100\n');
    expect(slurm.scripts[0]).toContain('#SBATCH --time=1:00:00\n');
    expect(slurm.scripts[0]).toContain(`#SBATCH --output=${join(plan.runsRoot, 'slurm-logs')}/%A_%a.out\n`);
    expect(slurm.scripts[0]).toContain('#SBATCH --job-name=ehrb-smoke\n');
    expect(existsSync(join(plan.runsRoot, 'slurm-logs'))).toBe(true);

    const jobs = await readSlurmJobs(plan.runsRoot);
    expect(jobs?.submissions.map((x) => [x.jobId, x.array])).toEqual([
      ['100', '1'],
      ['101', '2,4-5'],
    ]);
    const submission = jobs!.submissions[0];
    expect(submission).toMatchObject({ indexOffset: 0, planHash: plan.planHash });
    expect(slurm.scripts[0]).toContain(`--plan ${submission.planPath} --index "$INDEX"`);
    expect(JSON.parse(readFileSync(submission.planPath, 'utf8'))).toEqual(plan);
    expect(readFileSync(submission.script, 'utf8')).toBe(slurm.scripts[0]);
  });

  it('leaves out cells an earlier array still has queued or running, and resubmits the ones it lost', async () => {
    const first = fakeSlurm();
    await runSlurm(plan, planPath, { log: quiet, run: first.run });
    // Job 100 (clean, tasks 0-1): 0 finished, 1 runs. Job 101 (poisoned, tasks 2-5): 2-3 wait, 4
    // failed, 5 was cancelled while pending (gone from the controller).
    await markDone(0);
    const second = fakeSlurm(
      {
        '100': [
          'JobId=102 ArrayJobId=100 ArrayTaskId=0 JobState=COMPLETED Reason=None ExitCode=0:0',
          'JobId=103 ArrayJobId=100 ArrayTaskId=1 JobState=RUNNING Reason=None ExitCode=0:0',
        ].join('\n'),
        '101': [
          'JobId=101 ArrayJobId=101 ArrayTaskId=2-3 JobState=PENDING Reason=Dependency ExitCode=0:0',
          'JobId=104 ArrayJobId=101 ArrayTaskId=4 JobState=FAILED Reason=NonZeroExitCode ExitCode=1:0',
        ].join('\n'),
      },
      200,
    );
    const result = await runSlurm(plan, planPath, { log: quiet, run: second.run });
    expect(result.alreadyQueued).toEqual([1, 2, 3]);
    expect(result.submitted).toEqual([4, 5]);
    expect(second.scripts).toHaveLength(1);
    expect(second.scripts[0]).toContain('#SBATCH --array=4-5\n');
    // The lstm clean cell (index 1) still runs in job 100: the resubmitted poisoned cells wait for it.
    expect(second.scripts[0]).toContain('#SBATCH --dependency=afterany:100\n');
    const jobs = await readSlurmJobs(plan.runsRoot);
    expect(jobs?.submissions.map((s) => s.jobId)).toEqual(['100', '101', '200']);

    const state = await slurmStateOf(plan.runsRoot, second.run);
    expect(state?.byCell.get(cellId(plan.cells[1]))).toMatchObject({ state: 'RUNNING', planIndex: 1, taskId: 1 });
    expect(state?.byCell.get(cellId(plan.cells[4]))).toMatchObject({ state: 'FAILED', exitCode: '1:0' });
    const text = formatSlurmState(state!);
    expect(text).toContain('job 101 (4 tasks');
    expect(text).toContain('1 no longer known to Slurm');
    expect(text).toContain(`FAILED        ${cellId(plan.cells[4])}  exit 1:0  log ${join(plan.runsRoot, 'slurm-logs', '101_4.out')}`);
  });

  it('submits nothing when every cell is done', async () => {
    for (let i = 0; i < plan.cells.length; i++) await markDone(i);
    const slurm = fakeSlurm();
    const result = await runSlurm(plan, planPath, { log: quiet, run: slurm.run });
    expect(result.submitted).toEqual([]);
    expect(slurm.calls.filter((c) => c[0] === 'sbatch' && c[1] !== '--version')).toEqual([]);
  });

  it('prints the script on a dry run without asking Slurm or writing job records', async () => {
    const calls: string[] = [];
    let printed = '';
    const result = await runSlurm(plan, planPath, {
      dryRun: true,
      partition: 'gpu',
      gres: 'gpu:1',
      log: quiet,
      print: (text) => (printed += text),
      run: async (command) => {
        calls.push(command);
        throw new Error('a dry run must not call Slurm');
      },
    });
    expect(result.scripts).toHaveLength(2);
    expect(result.scripts[0]).toContain('#SBATCH --array=0-1\n');
    expect(result.scripts[1]).toContain('#SBATCH --array=2-5\n');
    expect(result.scripts[1]).toContain('#SBATCH --dependency=afterany:CLEAN_ARRAY_1_JOB_ID\n');
    expect(printed).toContain(result.scripts[1]);
    expect(printed).toContain('#SBATCH --gres=gpu:1');
    expect(calls).toEqual([]);
    expect(existsSync(join(plan.runsRoot, SLURM_JOBS_FILE))).toBe(false);
  });

  it('reads the prologue from a file and checks options before submitting', async () => {
    const prologue = join(root, 'prologue.sh');
    await writeFile(prologue, 'module load nodejs/20\n');
    const slurm = fakeSlurm();
    await runSlurm(plan, planPath, { prologueFile: prologue, log: quiet, run: slurm.run });
    expect(slurm.scripts[0]).toContain('module load nodejs/20');
    await expect(runSlurm(plan, planPath, { prologueFile: join(root, 'nope.sh'), log: quiet, run: slurm.run })).rejects.toMatchObject({
      code: 'E_PROLOGUE',
    });
    await expect(runSlurm(plan, planPath, { mem: 'lots', log: quiet, run: slurm.run })).rejects.toMatchObject({ code: 'E_SLURM_OPTION' });
  });
});

describe('submitArray', () => {
  it('reads `id` and `id;cluster` from sbatch --parsable', async () => {
    expect(await submitArray('/x.sh', async () => ({ code: 0, stdout: '4242\n', stderr: '' }))).toBe('4242');
    expect(await submitArray('/x.sh', async () => ({ code: 0, stdout: '4242;hpc\n', stderr: '' }))).toBe('4242');
  });

  it("passes sbatch's complaint on", async () => {
    const run: CommandRunner = async () => ({ code: 1, stdout: '', stderr: 'sbatch: error: invalid partition specified: gpu\n' });
    await expect(submitArray('/x.sh', run)).rejects.toMatchObject({
      code: 'E_SBATCH_FAILED',
      message: expect.stringContaining('invalid partition specified: gpu'),
    });
  });

  it('names sbatch before doing anything when Slurm is not installed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ehrb-nosbatch-'));
    try {
      const cells = expandGrid({ models: ['mlp'], triggers: ['rare_value'], rates: [0], seeds: [0] });
      const plan = makePlan({
        dataDir: join(root, 'data'),
        runsRoot: join(root, 'runs'),
        options: { epochs: 1, backend: 'cpu', targetLabel: 1, mode: 'dirty-label', explain: false, detect: false, retrain: false },
        cells,
      });
      await writePlan(join(root, 'runs', PLAN_FILE), plan);
      const run: CommandRunner = (command, args) => runSlurmCommand(`${command}-not-installed-here`, args);
      await expect(runSlurm(plan, join(root, 'runs', PLAN_FILE), { log: () => undefined, run })).rejects.toMatchObject({
        code: 'E_SLURM_MISSING',
        message: expect.stringContaining('`sbatch-not-installed-here` is not on PATH'),
      });
      expect(existsSync(join(root, 'runs', 'slurm-logs'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names the missing command and the docs when Slurm is not installed', async () => {
    const error = await runSlurmCommand('sbatch-not-installed-here', ['--parsable']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_SLURM_MISSING', message: expect.stringContaining('docs/slurm.md') });
    expect((error as Error).message).toContain('`sbatch-not-installed-here` is not on PATH');
  });
});

describe('splitForArraySize', () => {
  it('keeps one array while task ids fit', () => {
    expect(splitForArraySize([3, 1, 2], 1001)).toEqual([{ indices: [1, 2, 3], offset: 0 }]);
  });

  it('starts a new array, offset at its first index, past MaxArraySize', () => {
    expect(splitForArraySize([0, 5, 9, 10, 25, 26], 10)).toEqual([
      { indices: [0, 5, 9], offset: 0 },
      { indices: [10], offset: 10 },
      { indices: [25, 26], offset: 25 },
    ]);
  });
});

describe('recordSubmission', () => {
  it('appends, atomically, to slurm-jobs.json', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ehrb-jobs-'));
    try {
      const s = { jobId: '1', submittedAt: 't', planHash: 'h', planPath: '/p', indexOffset: 0, array: '0-1', script: '/s', logDir: '/l' };
      await recordSubmission(root, s);
      await recordSubmission(root, { ...s, jobId: '2' });
      expect((await readSlurmJobs(root))?.submissions.map((x) => x.jobId)).toEqual(['1', '2']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
