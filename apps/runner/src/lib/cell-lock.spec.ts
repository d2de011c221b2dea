import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireCellLock, describeHolder, holderState, liveHolder, LOCK_FILE, readCellLock } from './cell-lock.js';

const deadPid = () => Number(spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim());
const writeLock = (dir: string, body: object) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(body));

describe('cell lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cell-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names its holder (pid, host, since) and is released whole, leaving no draft', async () => {
    const release = await acquireCellLock(dir);
    const holder = await readCellLock(dir);
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(Date.parse(holder!.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(describeHolder(holder!)).toMatch(new RegExp(`^pid ${process.pid} on ${hostname()} since `));
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    await release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a cell a live process holds, naming it (E_CELL_LOCKED)', async () => {
    const release = await acquireCellLock(dir);
    await expect(acquireCellLock(dir)).rejects.toMatchObject({ code: 'E_CELL_LOCKED', details: { holder: { pid: process.pid } } });
    await release();
  });

  it("takes over a dead holder's lock", async () => {
    writeLock(dir, { pid: deadPid(), host: hostname(), startedAt: '2026-01-01T00:00:00Z' });
    expect(await liveHolder(dir)).toBeUndefined();
    const release = await acquireCellLock(dir);
    expect((await readCellLock(dir))?.pid).toBe(process.pid);
    await release();
  });

  it("takes over a zombie's lock: kill(pid, 0) says alive, /proc says Z", async () => {
    const shell = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await new Promise<Buffer>((resolve) => shell.stdout!.once('data', resolve))).toString().trim());
      const deadline = Date.now() + 10_000;
      while (!readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z ') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      writeLock(dir, { pid: zombie, host: hostname(), startedAt: '2026-01-01T00:00:00Z' });
      expect(holderState((await readCellLock(dir))!)).toBe('dead');
      const release = await acquireCellLock(dir);
      expect((await readCellLock(dir))?.pid).toBe(process.pid);
      await release();
    } finally {
      shell.kill('SIGKILL');
    }
  });

  it("trusts another host's lock (its pid cannot be probed from here)", async () => {
    writeLock(dir, { pid: deadPid(), host: 'node-elsewhere', startedAt: '2026-01-01T00:00:00Z', slurmJobId: '88_3' });
    const holder = (await readCellLock(dir))!;
    expect(holderState(holder)).toBe('remote');
    expect(describeHolder(holder)).toContain('(Slurm job 88_3)');
    await expect(acquireCellLock(dir)).rejects.toMatchObject({ code: 'E_CELL_LOCKED' });
  });

  it('one taker wins when many race for a stale lock, and a release never removes a lock it does not own', async () => {
    writeLock(dir, { pid: deadPid(), host: hostname(), startedAt: '2026-01-01T00:00:00Z' });
    const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => acquireCellLock(dir)));
    const won = attempts.filter((a) => a.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of attempts.filter((a) => a.status === 'rejected'))
      expect((lost as PromiseRejectedResult).reason).toMatchObject({ code: 'E_CELL_LOCKED' });
    expect(readdirSync(dir)).toEqual([LOCK_FILE]);
    // Someone else's lock now stands where ours was: our release leaves it.
    writeLock(dir, { pid: 1, host: hostname(), startedAt: 'x' });
    await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
    expect((await readCellLock(dir))?.pid).toBe(1);
  });
});
