import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '@ehr-backdoor/data';
import { cellConfigFromOptions } from '../cell-config.js';
import { acquireCellLock, AWAITING_FILE, readCellState } from '../cell-state.js';
import { cellDir, type CellKey } from '../grid.js';
import type { RunOptions } from '../plan.js';
import { executeCell } from '../run-cell.js';
import { completeAwaitingCell } from './complete-awaiting.js';
import { readAwaiting, writeAwaiting, type FinishedCell } from './finish-cell.js';

/**
 * A poisoned cell that finishes before its clean baseline (as in a sweep, where it no longer waits for
 * it): its summary is written once the baseline is there, and equals, timings apart, the summary of the
 * same cell run after its baseline; with the baseline failed, it equals that of a cell run without one.
 */
const root = mkdtempSync(join(tmpdir(), 'complete-awaiting-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dataDir = '';
beforeAll(async () => {
  const { backdoorFixture } = await import('@ehr-backdoor/data/testing');
  dataDir = join(root, 'data');
  await writeDataset(backdoorFixture().withTrigger([]), dataDir);
}, 60_000);

const options: RunOptions = {
  epochs: 2,
  backend: 'cpu',
  targetLabel: 1,
  mode: 'dirty-label',
  selection: 'last',
  patience: 0,
  explain: false,
  detect: false,
  retrain: false,
  baselineTriggers: ['rare_value'],
};
const cleanCell: CellKey = { model: 'mlp', trigger: 'none', rate: 0, seed: 0 };
const poisonedCell: CellKey = { model: 'mlp', trigger: 'rare_value', rate: 0.2, seed: 0 };

async function exec(runsRoot: string, cell: CellKey, deferBaseline = false) {
  return executeCell({ dataDir, runsRoot, cell, config: await cellConfigFromOptions(cell, options), deferBaseline });
}
const read = (runsRoot: string, cell: CellKey, file: string) => readFileSync(join(cellDir(runsRoot, cell), file));
/** summary.json without its timing, as text: equal values in the same column order. */
const summaryText = (runsRoot: string, cell: CellKey) => {
  const { wall_time_s: _timing, ...rest } = JSON.parse(read(runsRoot, cell, 'summary.json').toString());
  return JSON.stringify(rest, null, 2);
};
const csvHeader = (runsRoot: string, cell: CellKey) => read(runsRoot, cell, 'summary.csv').toString().split('\n')[0];

describe('a poisoned cell that finishes before its clean baseline', () => {
  const inOrder = join(root, 'in-order');
  const deferred = join(root, 'deferred');
  const failed = join(root, 'baseline-failed');
  const alone = join(root, 'no-baseline');

  beforeAll(async () => {
    await exec(inOrder, cleanCell);
    await exec(inOrder, poisonedCell);
    await exec(alone, poisonedCell);
  }, 240_000);

  it('keeps its summary inputs, writes the summary once the baseline is done, equal to the in-order one', async () => {
    expect(await exec(deferred, poisonedCell, true)).toBeNull();
    const dir = cellDir(deferred, poisonedCell);
    expect(existsSync(join(dir, AWAITING_FILE))).toBe(true);
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    // `status` tells it from a stopped run (checkpoints, no summary): it only waits for the baseline.
    expect(await readCellState(dir)).toBe('awaiting');
    expect(read(deferred, poisonedCell, 'predictions.arrow').equals(read(inOrder, poisonedCell, 'predictions.arrow'))).toBe(true);

    // Not final and no baseline yet: it keeps waiting.
    expect(await completeAwaitingCell(deferred, poisonedCell, false)).toBe(false);
    // Run again (a resumed sweep): nothing is trained again, and it still waits.
    const checkpoints = statSync(join(dir, 'checkpoints')).mtimeMs;
    expect(await exec(deferred, poisonedCell, true)).toBeNull();
    expect(statSync(join(dir, 'checkpoints')).mtimeMs).toBe(checkpoints);

    await exec(deferred, cleanCell);
    expect(await completeAwaitingCell(deferred, poisonedCell, false)).toBe(true);
    expect(existsSync(join(dir, AWAITING_FILE))).toBe(false);
    expect(await readCellState(dir)).toBe('done');
    expect(summaryText(deferred, poisonedCell)).toBe(summaryText(inOrder, poisonedCell));
    expect(csvHeader(deferred, poisonedCell)).toBe(csvHeader(inOrder, poisonedCell));
    const summary = JSON.parse(read(deferred, poisonedCell, 'summary.json').toString());
    expect(summary.clean_auroc_drop).toEqual(expect.any(Number));
    expect(summary.asr_lift).toEqual(expect.any(Number));
    expect(JSON.parse(read(deferred, poisonedCell, 'run_metadata.json').toString()).status).toBe('done');
    // Done: asked again, nothing changes.
    expect(await completeAwaitingCell(deferred, poisonedCell, true)).toBe(true);
  }, 240_000);

  it('with its baseline failed, the final pass writes drop and lift undefined with the reason, as without a baseline', async () => {
    expect(await exec(failed, poisonedCell, true)).toBeNull();
    expect(await completeAwaitingCell(failed, poisonedCell, true)).toBe(true);
    expect(summaryText(failed, poisonedCell)).toBe(summaryText(alone, poisonedCell));
    const summary = JSON.parse(read(failed, poisonedCell, 'summary.json').toString());
    expect(summary.clean_auroc_drop).toBeNull();
    expect(summary.reasons.clean_auroc_drop).toMatch(/no matching clean run/);
    expect(summary.reasons.asr_lift).toMatch(/no finished matching clean run/);
  }, 240_000);

  it('a resumed run writes the summary itself when the baseline finished meanwhile', async () => {
    const resumed = join(root, 'resumed');
    expect(await exec(resumed, poisonedCell, true)).toBeNull();
    await exec(resumed, cleanCell);
    expect(await exec(resumed, poisonedCell, true)).not.toBeNull();
    expect(summaryText(resumed, poisonedCell)).toBe(summaryText(inOrder, poisonedCell));
  }, 240_000);

  it('leaves a cell another live process holds to it', async () => {
    const held = join(root, 'held');
    expect(await exec(held, poisonedCell, true)).toBeNull();
    const unlock = await acquireCellLock(cellDir(held, poisonedCell));
    try {
      // The lock is this process's own, and alive: the completion does not take it over.
      expect(await completeAwaitingCell(held, poisonedCell, true)).toBe(false);
    } finally {
      await unlock();
    }
    expect(await completeAwaitingCell(held, poisonedCell, true)).toBe(true);
  }, 240_000);
});

describe('awaiting-baseline.json', () => {
  it('keeps NaN, infinities and undefined metrics through JSON', async () => {
    const dir = mkdtempSync(join(root, 'file-'));
    const finished = {
      inputs: { cell: poisonedCell, rows: [{ metrics: { a: Number.NaN, b: Infinity, c: -Infinity, d: undefined, e: 0.5 }, warnings: [] }] },
      own: { auroc: Number.NaN, asr: 0.25 },
      metadata: { status: 'done' },
    } as unknown as FinishedCell;
    await writeAwaiting(dir, finished);
    const back = await readAwaiting(dir);
    expect(back).toEqual(finished);
    expect(Object.keys(back!.inputs.rows[0].metrics)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('an unreadable one is not trusted: the cell is evaluated again', async () => {
    const dir = mkdtempSync(join(root, 'bad-'));
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, AWAITING_FILE), '{"formatVersion": 1, "inp'));
    expect(await readAwaiting(dir)).toBeNull();
  });
});
