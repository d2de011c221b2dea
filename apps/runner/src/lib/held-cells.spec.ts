import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCK_FILE } from './cell-lock.js';
import { waitUntilReleased } from './held-cells.js';

describe('waitUntilReleased', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'held-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const holdBy = (pid: number, host = hostname()) =>
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid, host, startedAt: new Date().toISOString() }));

  it('counts a cell its holder finished as done', async () => {
    holdBy(process.pid);
    const waiting = waitUntilReleased(dir, 10);
    setTimeout(() => {
      writeFileSync(join(dir, 'summary.json'), '{}');
      rmSync(join(dir, LOCK_FILE));
    }, 50);
    expect(await waiting).toBe('done');
  });

  it('frees a cell whose holder died without finishing it (its lock is stale)', async () => {
    const holder = spawn('sleep', ['30']);
    holdBy(holder.pid!);
    const waiting = waitUntilReleased(dir, 10);
    setTimeout(() => holder.kill('SIGKILL'), 50);
    expect(await waiting).toBe('free');
  });

  it('keeps waiting for a holder on another host, and stops when the sweep is stopped', async () => {
    holdBy(1, 'node-elsewhere');
    const stop = new AbortController();
    const waiting = waitUntilReleased(dir, 10_000, stop.signal);
    setTimeout(() => stop.abort(), 50);
    expect(await waiting).toBe('aborted');
  });
});
