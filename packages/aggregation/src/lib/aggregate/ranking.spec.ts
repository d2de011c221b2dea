import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectRuns } from '../collect/collect-runs.js';
import { writeRun } from '../testing/run-dir.js';
import { aggregateRuns } from './aggregate.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'aggr-rank-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

test('robustness = 1 − mean ASR over the common grid, with a per-seed interval', async () => {
  // mlp ASR: rare_value 0.01 → 0.6/0.8, 0.05 → 1/1; lstm: 0.2/0.4, 0.6/0.8; tcn only has rate 0.05 (left out of the grid? no: every model needs the cell)
  const asr: Record<string, Record<string, number[]>> = {
    mlp: { '0.01': [0.6, 0.8], '0.05': [1, 1] },
    lstm: { '0.01': [0.2, 0.4], '0.05': [0.6, 0.8] },
  };
  for (const model of ['mlp', 'lstm']) {
    for (const seed of [0, 1]) {
      await writeRun(root, { model, trigger: 'none', poison_rate: 0, seed, auroc: model === 'mlp' ? 0.86 : 0.84 });
      for (const rate of [0.01, 0.05])
        await writeRun(root, { model, trigger: 'rare_value', poison_rate: rate, seed, asr: asr[model][String(rate)][seed], auroc: 0.8 });
    }
  }
  // a cell that only mlp has is not part of the common grid
  await writeRun(root, { model: 'mlp', trigger: 'pattern', poison_rate: 0.05, seed: 0, asr: 0 });
  const { ranking } = aggregateRuns(await collectRuns(root));
  expect(ranking.grid).toEqual([
    { trigger: 'rare_value', mode: 'dirty-label', poison_rate: 0.01 },
    { trigger: 'rare_value', mode: 'dirty-label', poison_rate: 0.05 },
  ]);
  expect(ranking.entries.map((e) => e.model)).toEqual(['lstm', 'mlp']);
  const lstm = ranking.entries[0];
  // cell means 0.3 and 0.7 → V = 0.5; per seed: (0.2 + 0.6)/2 = 0.4, (0.4 + 0.8)/2 = 0.6 → robustness 0.6, 0.4
  expect(lstm.vulnerability).toBeCloseTo(0.5, 12);
  expect(lstm.robustness).toBeCloseTo(0.5, 12);
  expect(lstm.n_seeds).toBe(2);
  const half = 12.706204736174704 * (Math.sqrt(0.02) / Math.sqrt(2));
  expect(lstm.robustness_ci_low).toBeCloseTo(0.5 - half, 10);
  expect(lstm.worst_cell).toBe('rare_value/0.05');
  expect(lstm.worst_cell_asr).toBeCloseTo(0.7, 12);
  expect(lstm.clean_auroc).toBeCloseTo(0.84, 12);
  expect(lstm.mean_auroc_drop).toBeCloseTo(0.04, 12);
  expect(ranking.entries[1]).toMatchObject({ rank: 2, model: 'mlp' });
  expect(ranking.entries[1].vulnerability).toBeCloseTo(0.85, 12);
});

test('no common grid gives no ranking and says why', async () => {
  await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed: 0, asr: 0.9 });
  await writeRun(root, { model: 'lstm', trigger: 'pattern', poison_rate: 0.05, seed: 0, asr: 0.9 });
  const { ranking } = aggregateRuns(await collectRuns(root));
  expect(ranking.entries).toEqual([]);
  expect(ranking.note).toMatch(/common grid/);
});

test("with the clean models' ASR for each trigger, models are ranked by the lift", async () => {
  // Clean mlp already calls 50 % of triggered stays the target (asr@rare_value), clean lstm 0 %: their ASRs
  // 0.9 and 0.6 are lifts of 0.4 and 0.6, so the lstm is the more vulnerable one.
  for (const seed of [0, 1]) {
    await writeRun(root, { model: 'mlp', trigger: 'none', poison_rate: 0, seed, auroc: 0.86, 'asr@rare_value': 0.5 });
    await writeRun(root, { model: 'lstm', trigger: 'none', poison_rate: 0, seed, auroc: 0.84, 'asr@rare_value': 0 });
    await writeRun(root, { model: 'mlp', trigger: 'rare_value', poison_rate: 0.05, seed, asr: 0.9, auroc: 0.8 });
    await writeRun(root, { model: 'lstm', trigger: 'rare_value', poison_rate: 0.05, seed, asr: 0.6, auroc: 0.8 });
  }
  const { ranking } = aggregateRuns(await collectRuns(root));
  expect(ranking.measure).toBe('asr_lift');
  expect(ranking.definition).toMatch(/ASR lift/);
  expect(ranking.entries.map((e) => [e.model, e.vulnerability])).toEqual([
    ['mlp', expect.closeTo(0.4, 12)],
    ['lstm', expect.closeTo(0.6, 12)],
  ]);
});
