import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import { applyPoisoning, readPlanManifest } from '@ehr-backdoor/poison';
import { loadModel } from '@ehr-backdoor/train';
import { tableFromIPC } from 'apache-arrow';
import { executeCell } from '../run-cell.js';
import { cellDir } from '../grid.js';
import { runConfigHash } from '../run-identity.js';
import { studyCells } from './cells.js';
import { resolveStudy } from './resolve.js';
import { memorySource } from './source.js';

/**
 * Each study key changes what it says it changes, through the runner: a cell of a small study is run by
 * `executeCell` (as a worker or a Slurm task runs it) on a 300-stay fixture, and the effect is read back
 * from its run folder.
 */
const fixture = backdoorFixture(300, 6, 0, 5);
const root = mkdtempSync(join(tmpdir(), 'study-keys-'));
// executeCell checks the folder is a prepared dataset; the fixture is handed over in memory.
writeFileSync(join(root, 'manifest.json'), '{}');
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Plain objects: a study is data, checked by resolveStudy as a file would be.
const base = {
  training: { epochs: 2, batchSize: 64, selection: 'last', patience: 0 },
  models: { mlp: { kind: 'mlp', hidden: [8] } },
  attacks: { hr: { trigger: 'rare_value', params: { variable: 'heart_rate', value: 220 } } },
  rates: [0.1],
  seeds: [0],
};

let runs = 0;
/** Runs the study's (first) cell into a fresh runs root; returns its folder. */
async function runCell(study: object): Promise<string> {
  const resolved = resolveStudy(memorySource('spec', study), { baseDir: root });
  const [planned] = studyCells(resolved);
  const { config, hash: _hash, ...cell } = planned;
  const runsRoot = join(root, `runs-${runs++}`);
  await executeCell({ dataDir: root, runsRoot, cell, config: config!, loadDataset: async () => fixture.dataset });
  const dir = cellDir(runsRoot, cell);
  // The identity a study computes without running the cell is the one the cell records.
  expect(JSON.parse(readFileSync(join(dir, 'run_metadata.json'), 'utf8')).configHash).toBe(
    runConfigHash(cell, config!, fixture.dataset.manifest.contentHash),
  );
  return dir;
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('a trigger parameter changes the poisoned values', async () => {
  const valuesOf = async (value: number) => {
    const dir = await runCell({ ...base, attacks: { hr: { trigger: 'rare_value', params: { variable: 'heart_rate', value } } } });
    const plan = await readPlanManifest(join(dir, 'poisoned_indices'));
    const poisoned = applyPoisoning(fixture.dataset, plan);
    const { values, channels, hours } = poisoned.timeSeries;
    const c = channels.indexOf('heart_rate');
    return plan.rowIndices.map((row) => values[(row * hours + hours - 1) * channels.length + c]);
  };
  expect(new Set(await valuesOf(220))).toEqual(new Set([220]));
  expect(new Set(await valuesOf(180))).toEqual(new Set([180]));
});

test('a model hyper-parameter changes the parameter count', async () => {
  const countOf = async (hidden: number[]) =>
    (await loadModel(join(await runCell({ ...base, models: { mlp: { kind: 'mlp', hidden } } }), 'checkpoints'))).parameterCount;
  const small = await countOf([8]);
  const large = await countOf([16]);
  expect(large).toBeGreaterThan(small);
});

test('a training setting changes the trajectory, globally and per model variant', async () => {
  const historyOf = async (study: object) =>
    json(join(await runCell(study), 'checkpoints', 'final', 'checkpoint.json')).history as { trainLoss: number }[];
  const a = await historyOf(base);
  const b = await historyOf({ ...base, training: { ...base.training, learningRate: 0.02 } });
  const c = await historyOf({ ...base, models: { mlp: { kind: 'mlp', hidden: [8], training: { learningRate: 0.02 } } } });
  expect(b[1].trainLoss).not.toBe(a[1].trainLoss);
  expect(c).toEqual(b);
  expect(await historyOf({ ...base, training: { ...base.training, epochs: 3 } })).toHaveLength(3);
});

test('a target of 0 poisons target-0 stays and measures ASR on target-1 stays', async () => {
  const dir = await runCell({ ...base, attacks: { survive: { trigger: 'rare_value', target: 0 } } });
  const plan = await readPlanManifest(join(dir, 'poisoned_indices'));
  expect(plan.rowIndices.length).toBeGreaterThan(0);
  // Dirty-label towards 0: the stays poisoned had label 1 and are relabelled 0.
  expect(plan.rowIndices.every((row) => fixture.dataset.labels[row] === 1)).toBe(true);
  expect(
    applyPoisoning(fixture.dataset, plan)
      .labels.filter((_, row) => plan.rowIndices.includes(row))
      .every((y) => y === 0),
  ).toBe(true);
  const table = tableFromIPC(readFileSync(join(dir, 'predictions.arrow')));
  const triggeredLabels = table
    .toArray()
    .filter((row) => row.triggered)
    .map((row) => row.y_true as number);
  expect(triggeredLabels.length).toBeGreaterThan(0);
  expect(triggeredLabels.every((y) => y === 1)).toBe(true);
  const summary = json(join(dir, 'summary.json'));
  expect(summary.target_label).toBe(0);
  expect(summary.trigger).toBe('survive');
  expect(summary.trigger_name).toBe('rare_value');
});

test("a detector's options change the stays it flags", async () => {
  const flaggedOf = async (removalFactor: number) => {
    const dir = await runCell({ ...base, analyses: { detect: { detectors: ['spectral'], options: { spectral: { removalFactor } } } } });
    return json(join(dir, 'detect.json')).detectors.spectral.flaggedCount as number;
  };
  const few = await flaggedOf(1);
  const many = await flaggedOf(3);
  expect(many).toBeGreaterThan(few);
});

test('a clean-label attack poisons stays that already have the target label, and keeps every label', async () => {
  const dir = await runCell({ ...base, poisoning: { mode: 'clean-label' } });
  const plan = await readPlanManifest(join(dir, 'poisoned_indices'));
  expect(plan.rowIndices.length).toBeGreaterThan(0);
  expect(plan.rowIndices.every((row) => fixture.dataset.labels[row] === 1)).toBe(true);
  expect(Array.from(applyPoisoning(fixture.dataset, plan).labels)).toEqual(Array.from(fixture.dataset.labels));
  expect(json(join(dir, 'summary.json')).mode).toBe('clean-label');
});

test('the backend is the one the cell trains on', async () => {
  const dir = await runCell({ ...base, backend: 'cpu' });
  expect(json(join(dir, 'run_metadata.json')).backend.used).toBe('cpu');
  expect(json(join(dir, 'summary.json')).backend).toBe('cpu');
});

test('explain adds attribution-drift columns, its maxStays bounds the stays explained', async () => {
  const stays = async (maxStays: number) => {
    const dir = await runCell({ ...base, analyses: { explain: { maxStays, steps: 4 } } });
    expect(typeof json(join(dir, 'summary.json')).explain_attr_l1).toBe('number');
    return JSON.stringify(json(join(dir, 'explain.json'))).match(/"stays":(\d+)/)?.[1];
  };
  expect(await stays(5)).toBe('5');
  expect(await stays(7)).toBe('7');
});
