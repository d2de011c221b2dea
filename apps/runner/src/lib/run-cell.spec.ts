import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPLIT_CODE, writeDataset, type EhrDataset } from '@ehr-backdoor/data';
import { executeCell, CALIBRATION_FILE } from './run-cell.js';
import type { RunOptions } from './plan.js';
import { cellConfigFromOptions } from './cell-config.js';
import type { CellKey } from './grid.js';

/**
 * One cell end to end in this process on a tiny two-view dataset (300 stays), for both attack directions:
 * target 1 (a survivor made to look dying) and target 0 (a dying patient made to look safe). The clean cell
 * runs first, as a sweep orders them, so the poisoned cell finds its lift reference.
 */
const root = mkdtempSync(join(tmpdir(), 'run-cell-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let clean: EhrDataset;
let dataDir = '';
let oneClassDir = '';
beforeAll(async () => {
  // Imported here: run-cell loads the data package lazily, and lint keeps the project's imports consistent.
  const { backdoorFixture, withSplitLabels } = await import('@ehr-backdoor/data/testing');
  clean = backdoorFixture().withTrigger([]);
  dataDir = join(root, 'data');
  await writeDataset(clean, dataDir);
  oneClassDir = join(root, 'one-class');
  await writeDataset(withSplitLabels(clean, 'val', 0), oneClassDir);
}, 60_000);

const options = (targetLabel: 0 | 1, extra: Partial<RunOptions> = {}): RunOptions => ({
  epochs: 4,
  backend: 'cpu',
  targetLabel,
  mode: 'dirty-label',
  selection: 'last',
  patience: 0,
  explain: false,
  detect: false,
  retrain: false,
  baselineTriggers: ['rare_value'],
  ...extra,
});

async function exec(data: string, runs: string, cell: CellKey, runOptions: RunOptions) {
  return executeCell({ dataDir: data, runsRoot: runs, cell, config: await cellConfigFromOptions(cell, runOptions) });
}

describe.each([1, 0] as const)('a cell with target label %i', (targetLabel) => {
  const runsRoot = join(root, `target-${targetLabel}`);
  const nonTargetTrain = () => Array.from(clean.labels).filter((y, i) => clean.splits[i] === SPLIT_CODE.train && y !== targetLabel).length;

  it('the clean cell records its operating threshold and the trigger baselines at it', async () => {
    const summary = await exec(dataDir, runsRoot, { model: 'mlp', trigger: 'none', rate: 0, seed: 0 }, options(targetLabel));
    expect(summary).toMatchObject({
      target_label: targetLabel,
      threshold_rule: 'fpr=0.05',
      rate_basis: 'eligible',
      label_definition: 'hospital_mortality',
      n_eligible: nonTargetTrain(),
    });
    expect(summary.threshold).toEqual(expect.any(Number));
    expect(summary.threshold_val_fpr as number).toBeLessThanOrEqual(0.05);
    for (const field of [
      'asr@rare_value',
      'asr_at_0_5@rare_value',
      'flip_rate@rare_value',
      'accuracy',
      'accuracy_at_0_5',
      'tp',
      'tp_at_0_5',
      'ece',
      'ece_target',
    ]) {
      expect(typeof summary[field] === 'number' || (summary.reasons as Record<string, string>)[field]).toBeTruthy();
    }
    const counts = ['tp', 'fp', 'tn', 'fn'].map((c) => summary[c] as number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(summary.n_test);
  }, 120_000);

  it('the poisoned cell reports ASR at the threshold and at 0.5, flip rate and lift; calibration.json', async () => {
    const summary = await exec(dataDir, runsRoot, { model: 'mlp', trigger: 'rare_value', rate: 0.2, seed: 0 }, options(targetLabel));
    expect(summary).toMatchObject({
      target_label: targetLabel,
      n_eligible: nonTargetTrain(),
      n_poisoned: Math.round(0.2 * nonTargetTrain()),
    });
    expect(summary.asr).toEqual(expect.any(Number));
    expect(summary.asr_at_0_5).toEqual(expect.any(Number));
    expect(summary.asr_at_0_5_ci_low as number).toBeLessThanOrEqual(summary.asr_at_0_5 as number);
    expect(summary.asr_n_eligible).toBe(
      Array.from(clean.labels).filter((y, i) => clean.splits[i] === SPLIT_CODE.test && y !== targetLabel).length,
    );
    const cleanSummary = JSON.parse(readFileSync(join(runsRoot, 'mlp', 'none', '0', 'seed_0', 'summary.json'), 'utf8'));
    expect(summary.asr_lift).toBeCloseTo((summary.asr as number) - cleanSummary['asr@rare_value'], 12);
    expect(summary.flip_rate).toEqual(expect.any(Number));
    expect(summary.flip_rate_n_base as number).toBeLessThanOrEqual(summary.asr_n_eligible as number);
    const calibration = JSON.parse(readFileSync(join(runsRoot, 'mlp', 'rare_value', '0.2', 'seed_0', CALIBRATION_FILE), 'utf8'));
    expect(calibration.targetLabel).toBe(targetLabel);
    expect(calibration.target).toHaveLength(15);
    expect(calibration.target.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(summary.n_test);
  }, 120_000);
});

describe('measurement options', () => {
  it('a validation split with one class: threshold and thresholded metrics null with the reason, the 0.5 figures kept', async () => {
    const runsRoot = join(root, 'one-class-runs');
    const summary = await exec(
      oneClassDir,
      runsRoot,
      { model: 'mlp', trigger: 'rare_value', rate: 0.2, seed: 0 },
      options(1, { epochs: 2 }),
    );
    const reasons = summary.reasons as Record<string, string>;
    for (const field of ['threshold', 'accuracy', 'asr', 'flip_rate', 'tp']) {
      expect(summary[field]).toBeNull();
      expect(reasons[field]).toMatch(/validation split has one class/);
    }
    expect(summary.asr_at_0_5).toEqual(expect.any(Number));
    expect(summary.accuracy_at_0_5).toEqual(expect.any(Number));
  }, 120_000);

  it('rate basis train: the rate is a share of the whole training split', async () => {
    const runsRoot = join(root, 'basis-train');
    const trainSize = Array.from(clean.splits).filter((s) => s === SPLIT_CODE.train).length;
    const summary = await exec(
      dataDir,
      runsRoot,
      { model: 'mlp', trigger: 'rare_value', rate: 0.1, seed: 0 },
      options(1, { epochs: 1, rateBasis: 'train', thresholdRule: { kind: 'fixed', threshold: 0.5 } }),
    );
    expect(summary).toMatchObject({
      rate_basis: 'train',
      n_poisoned: Math.round(0.1 * trainSize),
      threshold_rule: 'fixed=0.5',
      threshold: 0.5,
    });
    // At the fixed threshold 0.5 and target 1 the operating point is the 0.5 rule.
    expect(summary.asr).toBe(summary.asr_at_0_5);
    expect(existsSync(join(runsRoot, 'mlp', 'rare_value', '0.1', 'seed_0', 'summary.json'))).toBe(true);
  }, 120_000);
});
