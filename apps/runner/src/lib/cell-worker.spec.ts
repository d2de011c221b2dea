import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../e2e/cli.js';
import type { WorkerMessage } from './local-executor.js';
import { makePlan, PLAN_FILE, writePlan } from './plan.js';

/**
 * A sweep forks its workers before it writes the plan: a worker must read the plan when it is given
 * a cell, not when it starts, and must end quietly when its parent is gone before it got that far.
 */
const root = mkdtempSync(join(tmpdir(), 'cell-worker-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function startWorker(planPath: string) {
  const child = fork(BIN, ['cell-worker', '--plan', planPath], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const reply = (index: number) =>
    new Promise<WorkerMessage>((resolve) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.type === 'progress') return;
        child.off('message', onMessage);
        resolve(message);
      };
      child.on('message', onMessage);
      child.send({ type: 'run', index });
    });
  return { child, exited, reply };
}

describe('cell-worker', () => {
  it('reads the plan on a cell, so a plan written after it started is the one it runs', async () => {
    const runsRoot = join(root, 'late');
    const planPath = join(runsRoot, PLAN_FILE);
    const worker = startWorker(planPath);
    const before = await worker.reply(0);
    expect(before).toMatchObject({ type: 'failed', error: expect.stringMatching(/^E_PLAN_MISSING/) });

    const dataDir = join(root, 'not-a-dataset');
    mkdirSync(dataDir, { recursive: true });
    const options = {
      epochs: 1,
      backend: 'cpu',
      targetLabel: 1,
      mode: 'dirty-label' as const,
      explain: false,
      detect: false,
      retrain: false,
    };
    await writePlan(planPath, makePlan({ dataDir, runsRoot, options, cells: [{ model: 'mlp', trigger: 'none', rate: 0, seed: 0 }] }));
    // The cell fails on the plan's dataset directory: the plan was read after it was written.
    const after = await worker.reply(0);
    expect(after).toMatchObject({ type: 'failed', error: expect.stringMatching(/^E_DATASET_MISSING/) });
    expect(after.error).toContain(dataDir);

    worker.child.disconnect();
    expect(await worker.exited).toBe(0);
  });

  it('exits 0 when its parent disconnects before it has started listening', async () => {
    const worker = startWorker(join(root, 'never', PLAN_FILE));
    worker.child.disconnect();
    expect(await worker.exited).toBe(0);
  });
});
