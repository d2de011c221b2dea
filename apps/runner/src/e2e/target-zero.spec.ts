import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDataset } from '@ehr-backdoor/data';
import { runCli } from './cli.js';

/**
 * Target 0 end to end on the real demo: a dying patient made to look safe, with a tabular and a
 * time-series model, dirty-label and clean-label (the ASR set is then the test deaths).
 */
const DEMO = resolve(fileURLToPath(new URL('../../../../datasets/mimic-iv-demo', import.meta.url)));
const root = mkdtempSync(join(tmpdir(), 'runner-target0-'));
const data = join(root, 'demo');

beforeAll(async () => {
  await prepareDataset({ mimicDir: DEMO, outDir: data, windowHours: 24, seed: 0 });
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ehr-backdoor run --target-label 0', () => {
  const cases = [
    { model: 'mlp', trigger: 'blended', mode: 'dirty-label', rate: '0.5' },
    { model: 'lstm', trigger: 'temporal_pattern', mode: 'clean-label', rate: '0.1' },
  ];
  it.each(cases)(
    '$model $trigger $mode',
    ({ model, trigger, mode, rate }) => {
      const runs = join(root, `${model}-${mode}`);
      const result = runCli([
        'run',
        '--data',
        data,
        '--model',
        model,
        '--trigger',
        trigger,
        '--poison-rate',
        rate,
        '--mode',
        mode,
        '--target-label',
        '0',
        '--epochs',
        '2',
        '--out',
        runs,
      ]);
      expect(result.stderr).not.toMatch(/unexpected error/);
      expect(result.code).toBe(0);
      const summary = JSON.parse(readFileSync(join(runs, model, trigger, rate, 'seed_0', 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({ target_label: 0, mode });
      // The demo's test split has one death: the ASR set is that stay.
      expect(summary.n_triggered).toBe(1);
      expect(summary.asr_n_eligible).toBe(1);
      expect(summary.n_poisoned).toBe(mode === 'dirty-label' ? 4 : 7);
    },
    300_000,
  );
});
