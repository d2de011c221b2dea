import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import { loadStudyFile } from '../load.js';
import { studyCells } from '../cells.js';

const dir = mkdtempSync(join(tmpdir(), 'study-analyses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const study = (detect: string) => {
  const path = join(dir, `study-${n++}.yaml`);
  writeFileSync(
    path,
    `models:\n  mlp: { kind: mlp }\nattacks:\n  rv: { trigger: rare_value }\nrates: [0.05]\nanalyses:\n  detect: ${detect}\n`,
  );
  return { path, load: () => loadStudyFile(path) };
};

describe('analyses.detect with the fine_pruning model repair', () => {
  it('selects it like a detector, with its settings under options.fine_pruning', async () => {
    const resolved = await study('{ detectors: [fine_pruning], options: { fine_pruning: { budget: 0.02, epochs: 3 } } }').load();
    const [cell] = studyCells(resolved);
    expect(cell.config?.detect).toMatchObject({ detectors: ['fine_pruning'], options: { fine_pruning: { budget: 0.02, epochs: 3 } } });
  });

  it('is not among the default detectors (it fine-tunes a model)', async () => {
    const [cell] = studyCells(await study('{}').load());
    expect(cell.config?.detect && cell.config.detect.detectors).not.toContain('fine_pruning');
  });

  it('refuses settings out of range with the file, line and key', async () => {
    const { path, load } = study('{ detectors: [fine_pruning], options: { fine_pruning: { budget: 1.5 } } }');
    const error = await load().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/analyses\.detect\.options\.fine_pruning.*budget must be a validation-AUROC drop in \(0, 1\)/);
  });
});
