import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDataset } from '@ehr-backdoor/data';
import { studyCells } from './cells.js';
import { loadStudyFile } from './load.js';
import { assertAttacksPlannable } from './preflight.js';
import { runStudy } from './run-study.js';
import { cellConfigFromOptions } from '../cell-config.js';
import { executeCell } from '../run-cell.js';

/**
 * Bad input only the dataset reveals is refused before a study writes anything: here a clean-label attack
 * towards death on a cohort whose training split has no death, and a rate too small for one stay.
 */
const root = mkdtempSync(join(tmpdir(), 'study-preflight-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dataDir = '';
beforeAll(async () => {
  const { backdoorFixture, withSplitLabels } = await import('@ehr-backdoor/data/testing');
  const clean = backdoorFixture().withTrigger([]);
  dataDir = join(root, 'no-train-deaths');
  await writeDataset(withSplitLabels(clean, 'train', 0), dataDir);
}, 60_000);

function studyFile(name: string, attacks: string, rates = '[0, 0.1]'): string {
  const file = join(root, `${name}.yaml`);
  writeFileSync(file, `data: { dataset: ${dataDir} }\nmodels:\n  mlp: { kind: mlp }\nattacks:\n${attacks}\nrates: ${rates}\n`);
  return file;
}

test('a clean-label attack with no training stay of its target label: exit-2 error at the attack key, nothing written', async () => {
  const file = studyFile('clean-label', '  ok: { trigger: rare_value }\n  cl: { trigger: rare_value, mode: clean-label }');
  const study = await loadStudyFile(file);
  const runs = join(root, 'runs-clean-label');
  const refused = runStudy(study, { out: runs, workers: 1, log: () => undefined });
  await expect(refused).rejects.toMatchObject({
    code: 'E_NO_ELIGIBLE_ROWS',
    name: 'InputError',
    message: expect.stringMatching(
      /clean-label\.yaml:6:\d+: attacks\.cl: .*clean-label with target 1 has no eligible rows[\s\S]*mode: dirty-label[\s\S]*nothing was run or written/,
    ),
  });
  // One fix, in the study's keys (not the library's `mode 'dirty-label', targetLabel 0`).
  await expect(refused).rejects.toMatchObject({ message: expect.not.stringMatching(/Use mode|targetLabel/) });
  await expect(refused).rejects.toMatchObject({ message: expect.stringContaining('`target: 0`') });
  expect(existsSync(runs)).toBe(false);
}, 60_000);

test('every problem at once; a feasible study passes', async () => {
  const study = await loadStudyFile(
    studyFile('two', '  cl: { trigger: rare_value, mode: clean-label }\n  tiny: { trigger: missingness }', '[0, 0.0001, 0.1]'),
  );
  const error = await assertAttacksPlannable(study, studyCells(study), dataDir).then(
    () => undefined,
    (e: unknown) => e as { code: string; details: { problems: { path: string }[] } },
  );
  expect(error?.code).toBe('E_STUDY');
  // The clean-label attack is named once although two rates fail; the other only at the tiny rate.
  expect(error?.details.problems.map((p) => p.path)).toEqual(['attacks.cl', 'attacks.tiny']);
  const fine = await loadStudyFile(
    studyFile('fine', '  dirty: { trigger: rare_value }\n  survive: { trigger: rare_value, mode: clean-label, target: 0 }'),
  );
  await expect(assertAttacksPlannable(fine, studyCells(fine), dataDir)).resolves.toBeUndefined();
});

test('one clean-label cell (`ehr-backdoor run`) on the same data: the same error, no run directory', async () => {
  const runsRoot = join(root, 'runs-single');
  const cell = { model: 'mlp', trigger: 'rare_value', rate: 0.1, seed: 0 };
  const options = {
    epochs: 1,
    backend: 'cpu',
    targetLabel: 1,
    mode: 'clean-label',
    selection: 'last',
    patience: 0,
    explain: false,
    detect: false,
    retrain: false,
  } as const;
  const config = await cellConfigFromOptions(cell, options);
  await expect(executeCell({ dataDir, runsRoot, cell, config })).rejects.toMatchObject({ name: 'InputError', code: 'E_NO_ELIGIBLE_ROWS' });
  expect(existsSync(runsRoot)).toBe(false);
}, 60_000);
