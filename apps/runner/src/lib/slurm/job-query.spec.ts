import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isActive, parseSacct, parseScontrolShowJob, parseSqueue, queryJobs, waitForArray } from './job-query.js';
import type { CommandResult, CommandRunner } from './slurm-cli.js';

// Recorded on the local test cluster (Debian slurm-wlm 22.05.8): array job 9, `--array=0-6%2`, task 1
// exits 3, task 2 cancelled while pending (it leaves the controller's records at once), then the
// whole array cancelled with tasks 4-5 running and 6 pending.
const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

const states = (tasks: { taskId: number; state: string }[]) => Object.fromEntries(tasks.map((t) => [t.taskId, t.state]));

describe('parseScontrolShowJob', () => {
  it('reads running, failed and folded pending tasks', () => {
    const tasks = parseScontrolShowJob(fixture('scontrol-show-job-mixed.txt'));
    expect(states(tasks)).toEqual({ 0: 'RUNNING', 1: 'FAILED', 3: 'RUNNING', 4: 'PENDING', 5: 'PENDING', 6: 'PENDING' });
    expect(tasks.find((t) => t.taskId === 1)).toEqual({
      arrayJobId: '9',
      taskId: 1,
      state: 'FAILED',
      reason: 'NonZeroExitCode',
      exitCode: '3:0',
    });
    expect(tasks.find((t) => t.taskId === 5)?.reason).toBe('JobArrayTaskLimit');
  });

  it('reads a cancelled array', () => {
    const tasks = parseScontrolShowJob(fixture('scontrol-show-job-cancelled.txt'));
    expect(states(tasks)).toEqual({ 0: 'COMPLETED', 1: 'FAILED', 3: 'COMPLETED', 4: 'CANCELLED', 5: 'CANCELLED', 6: 'CANCELLED' });
    expect(tasks.find((t) => t.taskId === 4)?.exitCode).toBe('0:15');
    expect(tasks.some((t) => isActive(t.state))).toBe(false);
  });

  it('ignores records that are not array tasks', () => {
    expect(parseScontrolShowJob('JobId=5 JobName=wrap JobState=RUNNING Reason=None\n')).toEqual([]);
  });
});

describe('parseSqueue', () => {
  it('reads `squeue -r -o %i|%F|%K|%T|%r` lines', () => {
    const tasks = parseSqueue(fixture('squeue-array.txt'));
    expect(states(tasks)).toEqual({ 0: 'RUNNING', 2: 'PENDING', 3: 'PENDING', 4: 'PENDING', 5: 'PENDING', 6: 'PENDING' });
    expect(tasks[0]).toEqual({ arrayJobId: '9', taskId: 0, state: 'RUNNING' });
  });
});

describe('parseSacct', () => {
  // `sacct -n -P -X -j 812 --format=JobID,State,ExitCode,Reason` in the layout Slurm documents (this
  // machine has no slurmdbd, so sacct output could not be recorded here).
  const sample = [
    '812_0|COMPLETED|0:0|None',
    '812_1|FAILED|1:0|NonZeroExitCode',
    '812_2|CANCELLED by 1000|0:15|None',
    '812_3|TIMEOUT|0:0|TimeLimit',
    '812_4|PREEMPTED|0:0|None',
    '812_5|RUNNING|0:0|None',
    '812_[6-8,10%4]|PENDING|0:0|JobArrayTaskLimit',
    '',
  ].join('\n');

  it('reads finished, running and folded pending tasks', () => {
    const tasks = parseSacct(sample);
    expect(states(tasks)).toEqual({
      0: 'COMPLETED',
      1: 'FAILED',
      2: 'CANCELLED',
      3: 'TIMEOUT',
      4: 'PREEMPTED',
      5: 'RUNNING',
      6: 'PENDING',
      7: 'PENDING',
      8: 'PENDING',
      10: 'PENDING',
    });
    expect(tasks.find((t) => t.taskId === 3)).toEqual({
      arrayJobId: '812',
      taskId: 3,
      state: 'TIMEOUT',
      reason: 'TimeLimit',
      exitCode: '0:0',
    });
  });

  it('keeps the last record of a task printed twice (requeued)', () => {
    expect(states(parseSacct('812_4|PREEMPTED|0:0|None\n812_4|RUNNING|0:0|None\n'))).toEqual({ 4: 'RUNNING' });
  });
});

describe('queryJobs', () => {
  function fakeRunner(answers: Record<string, CommandResult>): { run: CommandRunner; calls: string[] } {
    const calls: string[] = [];
    const run: CommandRunner = async (command, args) => {
      calls.push(command);
      const answer = answers[command];
      if (!answer) throw new Error(`unexpected ${command} ${args.join(' ')}`);
      return answer;
    };
    return { run, calls };
  }

  it('falls back to scontrol where accounting is disabled (no slurmdbd)', async () => {
    const { run, calls } = fakeRunner({
      sacct: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' },
      scontrol: { code: 0, stdout: fixture('scontrol-show-job-mixed.txt'), stderr: '' },
    });
    const query = await queryJobs('9', run);
    expect(calls).toEqual(['sacct', 'scontrol']);
    expect(query.source).toBe('scontrol');
    expect(query.tasks).toHaveLength(6);
  });

  it('overlays squeue on sacct, which learns of tasks late', async () => {
    const { run } = fakeRunner({
      sacct: { code: 0, stdout: '9_0|COMPLETED|0:0|None\n9_[1-2]|PENDING|0:0|Priority\n', stderr: '' },
      squeue: { code: 0, stdout: '9_1|9|1|RUNNING|None\n9_2|9|2|PENDING|Resources\n', stderr: '' },
    });
    const query = await queryJobs('9', run);
    expect(query.source).toBe('sacct');
    expect(states([...query.tasks])).toEqual({ 0: 'COMPLETED', 1: 'RUNNING', 2: 'PENDING' });
  });

  it('treats a job the controller forgot as having no tasks', async () => {
    const { run } = fakeRunner({
      sacct: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' },
      scontrol: { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Invalid job id specified\n' },
    });
    expect((await queryJobs('999', run)).tasks).toEqual([]);
  });

  it('says so when Slurm does not answer', async () => {
    const { run } = fakeRunner({
      sacct: { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled\n' },
      scontrol: { code: 1, stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n' },
    });
    await expect(queryJobs('9', run)).rejects.toMatchObject({ code: 'E_SLURM_QUERY' });
    await expect(queryJobs('9; rm -rf /', run)).rejects.toMatchObject({ code: 'E_SLURM_JOB_ID' });
  });
});

describe('waitForArray', () => {
  it('polls until no task is queued or running', async () => {
    const answers = [fixture('scontrol-show-job-mixed.txt'), fixture('scontrol-show-job-cancelled.txt')];
    let polls = 0;
    const run: CommandRunner = async (command) => {
      if (command === 'sacct') return { code: 1, stdout: '', stderr: 'Slurm accounting storage is disabled' };
      return { code: 0, stdout: answers[Math.min(polls++, answers.length - 1)], stderr: '' };
    };
    const last = await waitForArray('9', { run, pollSeconds: 0.2 });
    expect(polls).toBe(2);
    expect(last.tasks.every((t) => !isActive(t.state))).toBe(true);
  });
});
