import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeLock } from './stale-locks.js';
import type { CommandRunner } from './slurm-cli.js';

describe('judgeLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ehrb-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lock = (body: object) => writeFileSync(join(dir, '.lock'), JSON.stringify(body));
  const squeue =
    (stdout: string, code = 0, stderr = ''): CommandRunner =>
    async () => ({ code, stdout, stderr });
  const never: CommandRunner = async () => {
    throw new Error('Slurm must not be asked');
  };

  it('has nothing to say without a lock, or about a lock of this host', async () => {
    expect(await judgeLock(dir, never)).toEqual({ state: 'none' });
    lock({ pid: 1, host: hostname() });
    expect(await judgeLock(dir, never)).toEqual({ state: 'local' });
  });

  it('cannot judge a foreign lock that names no Slurm job', async () => {
    lock({ pid: 1, host: 'node17' });
    expect(await judgeLock(dir, never)).toEqual({ state: 'unknown', host: 'node17' });
  });

  it('calls a foreign lock stale when its Slurm job has ended or is forgotten', async () => {
    lock({ pid: 1, host: 'node17', slurmJobId: '4711' });
    expect(await judgeLock(dir, squeue(''))).toEqual({ state: 'stale', host: 'node17', slurmJobId: '4711' });
    expect(await judgeLock(dir, squeue('', 1, 'slurm_load_jobs error: Invalid job id specified'))).toMatchObject({ state: 'stale' });
  });

  it('calls it live while that job runs, and unknown when Slurm does not answer', async () => {
    lock({ pid: 1, host: 'node17', slurmJobId: '4711' });
    expect(await judgeLock(dir, squeue('4711|4700|11|RUNNING|None\n'))).toMatchObject({ state: 'live' });
    expect(await judgeLock(dir, squeue('4711|N/A|N/A|COMPLETING|None\n'))).toMatchObject({ state: 'live' });
    expect(await judgeLock(dir, squeue('', 1, 'Unable to contact slurm controller'))).toMatchObject({ state: 'unknown' });
  });
});
