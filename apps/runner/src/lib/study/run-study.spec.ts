import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cellDir, cellId } from '../grid.js';
import { runConfigHash } from '../run-identity.js';
import { studyCells } from './cells.js';
import { resolveStudy } from './resolve.js';
import { writeResolvedStudy } from './resolved-file.js';
import { changedCells, runStudy } from './run-study.js';
import { memorySource } from './source.js';

/** A changed study run into the same folder never mixes a cell's old and new configuration. */
const root = mkdtempSync(join(tmpdir(), 'study-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const study = (value: number) =>
  resolveStudy(
    memorySource('spec', {
      models: { mlp: { kind: 'mlp' } },
      attacks: { hr: { trigger: 'rare_value', params: { value } }, gap: { trigger: 'missingness' } },
      rates: [0, 0.1],
      seeds: [0],
    }),
    { baseDir: root },
  );

test('cells whose configuration changed are named; unchanged and new ones are not', async () => {
  const runs = join(root, 'changed');
  const before = study(220);
  await writeResolvedStudy(runs, before, studyCells(before));
  for (const cell of studyCells(before)) mkdirSync(cellDir(runs, cell), { recursive: true });
  const after = studyCells(study(200));
  expect((await changedCells(runs, after)).map((c) => c.id)).toEqual(['mlp/hr/0.1/seed_0']);
  // A cell that never started (no folder) is not a conflict: it simply runs.
  rmSync(cellDir(runs, after[1]), { recursive: true });
  expect(cellId(after[1])).toBe('mlp/hr/0.1/seed_0');
  expect(await changedCells(runs, after)).toEqual([]);
});

test('study run refuses a changed cell, naming it and the option, and writes nothing', async () => {
  const runs = join(root, 'refused');
  const before = study(220);
  await writeResolvedStudy(runs, before, studyCells(before));
  mkdirSync(cellDir(runs, studyCells(before)[1]), { recursive: true });
  await expect(runStudy(study(200), { out: runs, log: () => undefined })).rejects.toMatchObject({
    code: 'E_STUDY_CHANGED',
    message: expect.stringMatching(/mlp\/hr\/0\.1\/seed_0[\s\S]*--replace-changed/),
  });
  expect(existsSync(join(runs, 'sweep-plan.json'))).toBe(false);
});

test('identities are recorded per folder and survive a study that drops a cell', async () => {
  const runs = join(root, 'kept');
  const both = study(220);
  await writeResolvedStudy(runs, both, studyCells(both));
  const hrOnly = resolveStudy(
    memorySource('spec', { models: { mlp: { kind: 'mlp' } }, attacks: { hr: { trigger: 'rare_value' } }, rates: [0, 0.1], seeds: [0] }),
    { baseDir: root },
  );
  await writeResolvedStudy(runs, hrOnly, studyCells(hrOnly));
  const file = JSON.parse(readFileSync(join(runs, 'study.resolved.json'), 'utf8'));
  expect(Object.keys(file.cells).sort()).toEqual(['mlp/gap/0.1/seed_0', 'mlp/hr/0.1/seed_0', 'mlp/none/0/seed_0']);
});

test('a finished cell of a folder without study.resolved.json (a sweep before studies) is compared by its run_metadata.json', async () => {
  const runs = join(root, 'legacy');
  const [clean, hr] = studyCells(study(220));
  for (const [cell, hash] of [
    [clean, runConfigHash(clean, clean.config!, 'dataset-hash')],
    [hr, 'another-configuration'],
  ] as const) {
    mkdirSync(cellDir(runs, cell), { recursive: true });
    writeFileSync(join(cellDir(runs, cell), 'run_metadata.json'), JSON.stringify({ configHash: hash }));
  }
  expect((await changedCells(runs, studyCells(study(220)), 'dataset-hash')).map((c) => c.id)).toEqual(['mlp/hr/0.1/seed_0']);
  // Without the dataset's hash (a dataset not built yet) there is nothing to compare against.
  expect(await changedCells(runs, studyCells(study(220)))).toEqual([]);
});

test('Slurm-only options are refused for a study that runs locally', async () => {
  await expect(runStudy(study(220), { out: join(root, 'local'), slurm: { dryRun: true }, log: () => undefined })).rejects.toMatchObject({
    code: 'E_SLURM_OPTION',
  });
  expect(existsSync(join(root, 'local'))).toBe(false);
});
