import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, startCli } from '../e2e/cli.js';

/**
 * The sweep checks its study (names, parameters, dataset path) before it forks workers, and forks them
 * before it builds the dataset or writes the plan: every way out before a cell runs must stop them and
 * leave nothing behind.
 */
const root = mkdtempSync(join(tmpdir(), 'sweep-start-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The CLI with a short timeout: a sweep whose workers outlive it would otherwise wait for them. */
function runCli(args: readonly string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
    killSignal: 'SIGKILL',
  });
  return { code: result.status, stderr: result.stderr };
}

/** Live worker processes of the sweep into `out` (a worker's command line names the plan's path). */
function workersOf(out: string): string[] {
  const text = `cell-worker --plan ${join(out, 'sweep-plan.json')}`;
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (args.includes(text)) found.push(`${pid}: ${args}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

describe('sweep start-up', () => {
  const emptyData = join(root, 'not-a-dataset');
  mkdirSync(emptyData, { recursive: true });

  it('an unknown model exits 2 and leaves no worker, plan or run directory', () => {
    const out = join(root, 'unknown-model');
    const result = runCli([
      'sweep',
      '--data',
      emptyData,
      '--models',
      'mlp',
      'resnet',
      '--triggers',
      'rare_value',
      '--seeds',
      '0',
      '--workers',
      '2',
      '--out',
      out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/models\.resnet\.kind: unknown model kind "resnet"/);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(workersOf(out)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('a directory that is not a dataset exits 2 and leaves no worker, plan or run directory', () => {
    const out = join(root, 'no-dataset');
    const result = runCli([
      'sweep',
      '--data',
      emptyData,
      '--models',
      'mlp',
      '--triggers',
      'rare_value',
      '--poison-rates',
      '0',
      '--seeds',
      '0',
      '--workers',
      '1',
      '--out',
      out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/E_DATASET_MISSING/);
    expect(workersOf(out)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });

  it('a SIGTERM while the sweep prepares stops its workers with it', async () => {
    const out = join(root, 'signalled');
    // A study is checked (its dataset's manifest included) before any worker starts: this one passes the
    // check, so the workers start, and fails only once a cell loads it.
    const fakeData = join(root, 'fake-dataset');
    mkdirSync(fakeData, { recursive: true });
    writeFileSync(join(fakeData, 'manifest.json'), '{}');
    const child = startCli([
      'sweep',
      '--data',
      fakeData,
      '--models',
      'mlp',
      '--triggers',
      'rare_value',
      '--seeds',
      '0',
      '--workers',
      '2',
      '--out',
      out,
    ]);
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (code, signal) => resolve([code, signal])),
    );
    // The workers appear once the parent has parsed its options and installed its signal handlers.
    const deadline = Date.now() + 60_000;
    while (workersOf(out).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(workersOf(out).length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    // Usually the signal arrives while the plan is written (the process ends by it) or the cells run (the
    // sweep stops, exit 2); on a slow machine the bad dataset may have failed every cell first (exit 5).
    expect(signal === 'SIGTERM' || code === 2 || code === 5).toBe(true);
    expect(workersOf(out)).toEqual([]);
  });
});
