import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRun } from '../testing/run-dir.js';
import { collectRuns } from './collect-runs.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aggr-collect-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const cell = (...parts: string[]) => join(root, 'mlp', 'rare_value', '0.05', ...parts);

test('reads finished runs and lists every other directory with its reason', async () => {
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, auroc: 0.8, asr: 0.9 });
  await writeRun(root, { model: 'mlp', trigger: 'none', poison_rate: 0, seed: 0, auroc: 0.82, asr: null }, { metadata: false });
  // corrupt, another format version, invalid coordinates
  await mkdir(cell('seed_1'), { recursive: true });
  await writeFile(join(cell('seed_1'), 'summary.json'), '{"formatVersion": 1, "model": ');
  await mkdir(cell('seed_2'), { recursive: true });
  await writeFile(join(cell('seed_2'), 'summary.json'), JSON.stringify({ formatVersion: 2, model: 'mlp' }));
  await mkdir(cell('seed_3'), { recursive: true });
  await writeFile(
    join(cell('seed_3'), 'summary.json'),
    JSON.stringify({ formatVersion: 1, model: 'mlp', trigger: 'rare_value', poison_rate: 7, seed: 3 }),
  );
  // failed, partial, running, pending (metadata only), empty seed directory
  await mkdir(cell('seed_4'), { recursive: true });
  await writeFile(join(cell('seed_4'), 'error.json'), JSON.stringify({ message: 'NaN loss at epoch 3', code: 'E_DIVERGED' }));
  await mkdir(cell('seed_5', 'checkpoints'), { recursive: true });
  await writeFile(join(cell('seed_5', 'checkpoints'), 'epoch_2.json'), '{}');
  await mkdir(cell('seed_6'), { recursive: true });
  await writeFile(join(cell('seed_6'), '.lock'), '{}');
  await mkdir(cell('seed_7'), { recursive: true });
  await writeFile(join(cell('seed_7'), 'run_metadata.json'), JSON.stringify({ formatVersion: 1, status: 'running' }));
  await mkdir(cell('seed_8'), { recursive: true });
  // a leftover temporary directory is not a run
  await mkdir(join(root, 'mlp', '.tmp-x'), { recursive: true });
  await writeFile(join(root, 'mlp', '.tmp-x', 'summary.json'), '{');

  const c = await collectRuns(root);
  expect(c.counts).toEqual({ found: 10, aggregated: 2, excluded: 8, notStarted: 0 });
  expect(c.runs.map((r) => r.dir).sort()).toEqual(['mlp/none/0/seed_0', 'mlp/rare_value/0.05/seed_0']);
  const byPath = Object.fromEntries(c.warnings.map((w) => [w.path, w.code]));
  expect(byPath).toEqual({
    'mlp/none/0/seed_0': 'W_METADATA_MISSING',
    'mlp/rare_value/0.05/seed_1': 'W_SUMMARY_CORRUPT',
    'mlp/rare_value/0.05/seed_2': 'W_SUMMARY_VERSION',
    'mlp/rare_value/0.05/seed_3': 'W_SUMMARY_INVALID',
    'mlp/rare_value/0.05/seed_4': 'W_RUN_FAILED',
    'mlp/rare_value/0.05/seed_5': 'W_RUN_PARTIAL',
    'mlp/rare_value/0.05/seed_6': 'W_RUN_RUNNING',
    'mlp/rare_value/0.05/seed_7': 'W_RUN_UNFINISHED',
    'mlp/rare_value/0.05/seed_8': 'W_RUN_UNFINISHED',
  });
  expect(c.warnings.find((w) => w.code === 'W_RUN_FAILED')?.message).toContain('NaN loss at epoch 3 [E_DIVERGED]');
  expect(c.warnings.find((w) => w.code === 'W_SUMMARY_VERSION')?.message).toMatch(/formatVersion 2/);
  expect(c.warnings.find((w) => w.code === 'W_RUN_UNFINISHED' && w.path.endsWith('seed_7'))?.message).toMatch(/status "running"/);
  expect(c.warnings.filter((w) => w.excluded)).toHaveLength(8);
  const run = c.runs.find((r) => r.summary.trigger === 'rare_value')!;
  expect(run.summary.metrics).toMatchObject({ auroc: 0.8, asr: 0.9 });
  expect(run.metadata?.backend?.used).toBe('cpu');
});

test('duplicates, path mismatches and non-numeric fields are warned about', async () => {
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, auroc: 0.8 });
  await writeRun(
    root,
    { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, auroc: 0.7 },
    { dir: join(root, 'copy', 'mlp', 'rare_value', '0.05', 'seed_0') },
  );
  await writeRun(
    root,
    { model: 'lstm', trigger: 'rare_value', poison_rate: 0.01, seed: 1, auroc: 0.8, note: 'x' },
    { dir: join(root, 'lstm', 'rare_value', '0.05', 'seed_1') },
  );
  const c = await collectRuns(root);
  expect(c.runs).toHaveLength(2);
  const codes = c.warnings.map((w) => `${w.code} ${w.path}`).sort();
  expect(codes).toEqual([
    'W_FIELD_INVALID lstm/rare_value/0.05/seed_1',
    'W_PATH_MISMATCH lstm/rare_value/0.05/seed_1',
    'W_RUN_DUPLICATE mlp/rare_value/0.05/seed_0',
  ]);
  // the copy sorts first ("copy/..." < "mlp/..."), so it is the one kept
  expect(c.runs.find((r) => r.summary.model === 'mlp')?.summary.metrics.auroc).toBe(0.7);
});

test('cells of the sweep plan without a directory are listed as not started', async () => {
  await writeRun(root, { model: 'mlp', trigger: 'none', poison_rate: 0, seed: 0, auroc: 0.8 });
  const cells = [
    { model: 'mlp', trigger: 'none', rate: 0, seed: 0 },
    { model: 'mlp', trigger: 'rare_value', rate: 0.005, seed: 0 },
    { model: 'lstm', trigger: 'rare_value', rate: 0.1, seed: 2 },
  ];
  await writeFile(join(root, 'sweep-plan.json'), JSON.stringify({ formatVersion: 1, cells }));
  const c = await collectRuns(root);
  expect(c.counts).toEqual({ found: 1, aggregated: 1, excluded: 0, notStarted: 2 });
  expect(c.warnings.filter((w) => w.code === 'W_RUN_NOT_STARTED').map((w) => w.path)).toEqual([
    'mlp/rare_value/0.005/seed_0',
    'lstm/rare_value/0.1/seed_2',
  ]);
  await writeFile(join(root, 'sweep-plan.json'), '{');
  expect((await collectRuns(root)).warnings.map((w) => w.code)).toContain('W_PLAN_UNREADABLE');
});

test('a missing root is an InputError', async () => {
  await expect(collectRuns(join(root, 'nope'))).rejects.toMatchObject({ code: 'E_RUNS_NOT_FOUND' });
});

test('a lock whose holder is gone reads as interrupted, one whose holder runs as running', async () => {
  await mkdir(cell('seed_0'), { recursive: true });
  // No process holds a pid above the kernel's maximum (2^22).
  await writeFile(
    join(cell('seed_0'), '.lock'),
    JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), startedAt: '2026-12-05T10:00:00Z' }),
  );
  await mkdir(cell('seed_1'), { recursive: true });
  await writeFile(join(cell('seed_1'), '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-12-05T10:00:00Z' }));
  const c = await collectRuns(root);
  const byPath = Object.fromEntries(c.warnings.map((w) => [w.path, w]));
  expect(byPath['mlp/rare_value/0.05/seed_0']).toMatchObject({
    code: 'W_RUN_INTERRUPTED',
    excluded: true,
    message: expect.stringContaining(`pid ${2 ** 22 + 12345} on ${hostname()}`),
  });
  expect(byPath['mlp/rare_value/0.05/seed_1']).toMatchObject({ code: 'W_RUN_RUNNING', excluded: true });
});
