import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellDir, cellId } from '../grid.js';
import { readPlan, PLAN_FILE, type SweepPlan } from '../plan.js';
import { expandIndexList } from './index-list.js';
import { isActive, queryJobs, waitForArray } from './job-query.js';
import { readSlurmJobs } from './slurm-jobs.js';

/**
 * The Slurm executor against a real Slurm (CI starts one with tools/slurm/start-local-cluster and sets
 * EHR_BACKDOOR_SLURM_TEST=1):
 *
 *   demo dataset ─▶ smoke sweep, local ─▶ smoke sweep, slurm (--wait) ─▶ same summaries and predictions
 *   3-seed smoke sweep, slurm, one task at a time ─▶ scancel after the first cell ─▶ resubmit
 *     ─▶ only the missing cells are submitted, the finished ones are left untouched, all end done
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const BIN = join(ROOT, 'apps/runner/bin/ehr-backdoor.js');
const DEMO = join(ROOT, 'datasets/mimic-iv-demo');

function skipReason(): string | undefined {
  if (process.env.EHR_BACKDOOR_SLURM_TEST !== '1') {
    return 'EHR_BACKDOOR_SLURM_TEST is not 1 (run tools/slurm/start-local-cluster, then set it)';
  }
  return undefined;
}

const reason = skipReason();
if (reason) console.log(`slurm-e2e skipped: ${reason}`);
const describeSlurm = reason ? describe.skip : describe;

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a user would; Jest's NODE_OPTIONS stay out of it (sbatch would pass them on to the tasks). */
function cli(args: string[], timeoutMs = 15 * 60_000): Promise<CliResult> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`ehr-backdoor ${args.join(' ')} did not end within ${timeoutMs / 1000} s\n${stderr.slice(-3000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

function expectOk(result: CliResult, what: string): void {
  if (result.status !== 0)
    throw new Error(
      `${what} exited ${result.status}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`,
    );
}

/** Wall-clock fields differ between any two runs; everything else must be identical. */
const TIMING_FIELD = /time|seconds|_s$|_at$|At$/;

function metricsOf(summaryPath: string): Record<string, unknown> {
  const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(summary).filter(([key]) => !TIMING_FIELD.test(key)));
}

function isDone(plan: SweepPlan, index: number): boolean {
  return existsSync(join(cellDir(plan.runsRoot, plan.cells[index]), 'summary.json'));
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

describeSlurm('sweep --executor slurm on a real Slurm', () => {
  let work: string;
  let data: string;

  beforeAll(async () => {
    const ping = spawnSync('scontrol', ['ping'], { encoding: 'utf8' });
    if (ping.error || !/is UP/.test(ping.stdout)) {
      throw new Error(
        `EHR_BACKDOOR_SLURM_TEST=1 but no Slurm controller answers (\`scontrol ping\`: ${ping.error?.message ?? ping.stdout.trim()}); start it with tools/slurm/start-local-cluster.`,
      );
    }
    work = mkdtempSync(join(tmpdir(), 'ehrb-slurm-e2e-'));
    data = join(work, 'data');
    expectOk(await cli(['prepare', '--mimic', DEMO, '--out', data, '--seed', '0']), 'prepare');
  }, 10 * 60_000);

  afterAll(() => {
    if (work && process.env.EHR_BACKDOOR_KEEP_E2E !== '1') rmSync(work, { recursive: true, force: true });
  });

  it(
    'finishes every cell, with the summaries of a local run of the same grid',
    async () => {
      const local = join(work, 'local');
      const slurm = join(work, 'slurm');
      // One local worker: clean cells end before poisoned ones start, the order the Slurm arrays keep.
      expectOk(
        await cli(['sweep', '--preset', 'smoke', '--executor', 'local', '--workers', '1', '--data', data, '--out', local]),
        'local sweep',
      );
      const run = await cli([
        'sweep',
        '--preset',
        'smoke',
        '--executor',
        'slurm',
        '--wait',
        '--poll-seconds',
        '2',
        '--data',
        data,
        '--out',
        slurm,
      ]);
      expectOk(run, 'slurm sweep');

      const plan = await readPlan(join(slurm, PLAN_FILE));
      const jobs = await readSlurmJobs(slurm);
      expect(jobs?.submissions.length).toBe(2); // the clean array, then the poisoned one after it
      for (let i = 0; i < plan.cells.length; i++) {
        const cell = plan.cells[i];
        expect({ cell: cellId(cell), done: isDone(plan, i) }).toEqual({ cell: cellId(cell), done: true });
        const fromSlurm = metricsOf(join(cellDir(slurm, cell), 'summary.json'));
        const fromLocal = metricsOf(join(cellDir(local, cell), 'summary.json'));
        expect(fromSlurm).toEqual(fromLocal);
        // Per-stay predictions too, byte for byte: same seeds and backend, same numbers.
        const predictions = (root: string) => readFileSync(join(cellDir(root, cell), 'predictions.arrow'));
        expect(predictions(slurm).equals(predictions(local))).toBe(true);
      }
      for (const s of jobs!.submissions) {
        const query = await queryJobs(s.jobId);
        expect(query.tasks.every((t) => t.state === 'COMPLETED')).toBe(true);
        for (const t of query.tasks) expect(existsSync(join(slurm, 'slurm-logs', `${s.jobId}_${t.taskId}.out`))).toBe(true);
      }

      const status = await cli(['status', slurm]);
      expectOk(status, 'status');
      expect(status.stdout).toContain(`${plan.cells.length}/${plan.cells.length} done`);
      expect(status.stdout).toContain('slurm:');
      expect(status.stdout).toMatch(/\d+ COMPLETED/);
    },
    30 * 60_000,
  );

  it(
    'after scancel halfway, a second submission completes only the missing cells',
    async () => {
      const runs = join(work, 'cancelled');
      const args = [
        'sweep',
        '--preset',
        'smoke',
        '--seeds',
        '0',
        '1',
        '2',
        '--executor',
        'slurm',
        '--max-parallel',
        '1',
        '--data',
        data,
        '--out',
        runs,
      ];
      expectOk(await cli(args), 'first submission');
      const plan = await readPlan(join(runs, PLAN_FILE));
      expect(plan.cells.length).toBe(6);
      const first = (await readSlurmJobs(runs))!.submissions.map((s) => s.jobId);

      // Cancel as soon as one cell is done: the others are running or still queued.
      const deadline = Date.now() + 20 * 60_000;
      while (!plan.cells.some((_, i) => isDone(plan, i))) {
        if (Date.now() > deadline) throw new Error('no cell finished within 20 minutes');
        await sleep(1000);
      }
      const cancel = spawnSync('scancel', first, { encoding: 'utf8' });
      expect(cancel.status).toBe(0);
      for (const jobId of first) await waitForArray(jobId, { pollSeconds: 1, timeoutSeconds: 300 });

      const doneBefore = plan.cells.map((_, i) => i).filter((i) => isDone(plan, i));
      expect(doneBefore.length).toBeGreaterThanOrEqual(1);
      expect(doneBefore.length).toBeLessThan(plan.cells.length);
      const before = new Map(
        doneBefore.map((i) => {
          const path = join(cellDir(runs, plan.cells[i]), 'summary.json');
          return [i, { text: readFileSync(path, 'utf8'), mtime: statSync(path).mtimeMs }];
        }),
      );

      const second = await cli([...args, '--wait', '--poll-seconds', '2']);
      expectOk(second, 'second submission');
      const all = (await readSlurmJobs(runs))!.submissions;
      const resubmitted = all.filter((s) => !first.includes(s.jobId));
      const indices = resubmitted.flatMap((s) => expandIndexList(s.array).map((t) => t + s.indexOffset)).sort((a, b) => a - b);
      const missing = plan.cells.map((_, i) => i).filter((i) => !doneBefore.includes(i));
      expect(indices).toEqual(missing);

      for (let i = 0; i < plan.cells.length; i++) expect({ i, done: isDone(plan, i) }).toEqual({ i, done: true });
      for (const [i, { text, mtime }] of before) {
        const path = join(cellDir(runs, plan.cells[i]), 'summary.json');
        expect(readFileSync(path, 'utf8')).toBe(text);
        expect(statSync(path).mtimeMs).toBe(mtime);
      }
      for (const s of resubmitted) {
        const query = await queryJobs(s.jobId);
        expect(query.tasks.filter((t) => isActive(t.state))).toEqual([]);
      }
    },
    40 * 60_000,
  );
});
