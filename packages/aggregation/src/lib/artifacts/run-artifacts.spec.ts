import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectRuns } from '../collect/collect-runs.js';
import { writeSyntheticRunTree } from '../testing/synthetic-run-tree.js';
import { readHistory } from './history.js';
import { readPredictions } from './predictions.js';
import { readArtifacts } from './run-artifacts.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'aggr-artifacts-'));
  await writeSyntheticRunTree(join(tmp, 'runs'), { models: ['mlp'], triggers: ['rare_value'], rates: [0, 0.05], seeds: [0, 1] });
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const run = (rate: string, seed: number) => join(tmp, 'runs', 'mlp', rate === '0' ? 'none' : 'rare_value', rate, `seed_${seed}`);

test('reads predictions and the history (NaN spelled as checkpoints spell it)', async () => {
  const p = await readPredictions(join(run('0.05', 0), 'predictions.arrow'));
  expect(p.stayId).toHaveLength(270);
  expect(p.triggered.reduce((a, b) => a + b, 0)).toBe(30);
  const h = (await readHistory(run('0.05', 0)))!;
  expect(h).toHaveLength(12);
  expect(h[0].valAuroc).toBeNaN();
  expect(h[11].epoch).toBe(12);
});

test('a corrupt or incomplete predictions file and an unreadable history are warnings naming the run; the rest is read', async () => {
  await writeFile(join(run('0.05', 1), 'predictions.arrow'), 'not arrow at all');
  await writeFile(join(run('0', 1), 'checkpoints', 'final', 'checkpoint.json'), '{"history": ');
  const collection = await collectRuns(join(tmp, 'runs'));
  const { byRun, warnings } = await readArtifacts(collection);
  expect(warnings).toEqual([
    expect.objectContaining({
      code: 'W_HISTORY_CORRUPT',
      path: 'mlp/none/0/seed_1',
      excluded: false,
      message: expect.stringMatching(/checkpoint\.json is not valid JSON/),
    }),
    expect.objectContaining({
      code: 'W_PREDICTIONS_CORRUPT',
      path: 'mlp/rare_value/0.05/seed_1',
      excluded: false,
      message: expect.stringMatching(/not an Arrow IPC file.*left out of the ROC/),
    }),
  ]);
  expect(byRun.get('mlp/rare_value/0.05/seed_0')?.predictions).toBeDefined();
  expect(byRun.get('mlp/rare_value/0.05/seed_1')?.predictions).toBeUndefined();
  expect(byRun.get('mlp/rare_value/0.05/seed_1')?.history).toHaveLength(12);
});

test('a predictions file without a column, or with a label that is not 0/1, names the problem', async () => {
  const { Table, tableToIPC, vectorFromArray, Float32, Uint8 } = await import('apache-arrow');
  const path = join(tmp, 'bad.arrow');
  await writeFile(
    path,
    tableToIPC(new Table({ y_true: vectorFromArray([0, 1], new Uint8()), p_target: vectorFromArray([0.1, 0.2], new Float32()) }), 'file'),
  );
  await expect(readPredictions(path)).rejects.toThrow(/column "stay_id" is missing \(found: y_true, p_target\)/);
  const { Int32, Utf8, Bool } = await import('apache-arrow');
  const full = (y: number[]) =>
    tableToIPC(
      new Table({
        stay_id: vectorFromArray([1, 2], new Int32()),
        split: vectorFromArray(['test', 'test'], new Utf8()),
        y_true: vectorFromArray(y, new Uint8()),
        p_target: vectorFromArray([0.1, 0.2], new Float32()),
        triggered: vectorFromArray([false, false], new Bool()),
      }),
      'file',
    );
  await writeFile(path, full([0, 2]));
  await expect(readPredictions(path)).rejects.toThrow(/row 1: y_true is 2, not 0 or 1/);
});

test('attribution means per element, and an unreadable attributions.arrow is a warning naming the run', async () => {
  const collection = await collectRuns(join(tmp, 'runs'));
  const before = await readArtifacts(collection);
  const a = before.byRun.get('mlp/rare_value/0.05/seed_0')!.attributions!;
  expect(a.stays).toBe(20);
  expect(a.elements).toHaveLength(12);
  expect(a.elements[0]).toEqual({ variable: 'heart_rate', detail: 'min', hour: null });
  // the fixture's trigger adds 20 × rate = 1 to the first variable's attributions on triggered copies
  expect(a.triggered[0] - a.clean[0]).toBeGreaterThan(0.9);
  expect(Math.abs(a.triggered[3] - a.clean[3])).toBeLessThan(0.1);
  await writeFile(join(run('0.05', 0), 'attributions.arrow'), 'garbage');
  const { warnings } = await readArtifacts(collection);
  expect(warnings).toContainEqual(
    expect.objectContaining({
      code: 'W_ATTRIBUTIONS_CORRUPT',
      path: 'mlp/rare_value/0.05/seed_0',
      message: expect.stringMatching(/attribution heatmaps/),
    }),
  );
});

test('runs without predictions.arrow are one warning naming the plots that leave them out', async () => {
  const root = join(tmp, 'partial');
  await writeSyntheticRunTree(root, {
    models: ['mlp'],
    triggers: ['rare_value'],
    rates: [0, 0.05],
    seeds: [0],
    datasetDir: join(tmp, 'ds2'),
  });
  await rm(join(root, 'mlp', 'none', '0', 'seed_0', 'predictions.arrow'));
  const { warnings } = await readArtifacts(await collectRuns(root));
  expect(warnings).toEqual([
    expect.objectContaining({
      code: 'W_ARTIFACT_MISSING',
      message:
        '1 of 2 runs have no predictions.arrow (e.g. mlp/none/0/seed_0); roc_curves, pr_curves, reliability_diagrams leave them out.',
    }),
  ]);
});
