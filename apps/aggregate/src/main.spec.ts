import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticRunTree } from '@ehr-backdoor/aggregation';
import { main } from './main.js';

let tmp: string;
let out: string[];
let err: string[];
const writes = { stdout: process.stdout.write, stderr: process.stderr.write };

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-cli-'));
  await writeSyntheticRunTree(join(tmp, 'runs'), { seeds: [0, 1], models: ['mlp'], problems: true });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  out = [];
  err = [];
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
});
afterEach(() => {
  process.stdout.write = writes.stdout;
  process.stderr.write = writes.stderr;
  process.exitCode = undefined;
});

test('aggregates a run tree and prints where the report is', async () => {
  const report = join(tmp, 'report');
  await main(['--runs', join(tmp, 'runs'), '--out', report, '--no-png', '--ci', 'bootstrap', '--bootstrap-samples', '500']);
  const exitCode = process.exitCode;
  process.stdout.write = writes.stdout;
  expect(err.join('')).toBe('');
  expect(exitCode).toBe(0);
  const text = out.join('');
  expect(text).toMatch(/aggregated 10 of 16 run directories/);
  expect(text).toMatch(/6 warnings \(6 runs left out\)/);
  expect(text).toContain(`report: ${join(report, 'report.html')}`);
  expect(existsSync(join(report, 'report.html'))).toBe(true);
});

test('without runs at the default location it says to run the sweep first (exit 2)', async () => {
  // the default --runs is relative to the working directory: the workspace root under `nx run aggregate:plots`
  expect(existsSync('runs/default')).toBe(false);
  await main([]);
  expect(process.exitCode).toBe(2);
  expect(err.join('')).toMatch(/error \[E_RUNS_NOT_FOUND\]: No runs at runs\/default .*npx nx run runner:sweep/);
});

test('bad options are usage errors (exit 2)', async () => {
  await main(['--runs', join(tmp, 'runs'), '--frobnicate']);
  expect(process.exitCode).toBe(2);
  expect(err.join('')).toMatch(/E_USAGE/);
  err = [];
  await main(['--runs', join(tmp, 'runs'), '--out', join(tmp, 'r2'), '--level', '2']);
  expect(process.exitCode).toBe(2);
  expect(err.join('')).toMatch(/E_LEVEL/);
});
