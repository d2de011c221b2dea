import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { prepareDataset, type PrepareOptions } from './prepare-dataset.js';

const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../datasets/mimic-iv-demo');
const TABLES = ['hosp/admissions', 'hosp/patients', 'hosp/labevents', 'hosp/d_labitems', 'icu/icustays', 'icu/chartevents', 'icu/d_items'];

/**
 * Each bad input must fail with a typed error naming the file/column/option, before or instead of
 * writing anything: neither the output directory nor a temporary sibling may remain.
 */
describe('prepareDataset on bad input', () => {
  let work: string;
  let count = 0;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'ehr-prepare-bad-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A copy of the demo made of symlinks, with `edit` applied to it. */
  function brokenDemo(edit: (root: string) => void): string {
    const root = join(work, `mimic-${++count}`);
    for (const table of TABLES) {
      mkdirSync(join(root, dirname(table)), { recursive: true });
      symlinkSync(join(DEMO, `${table}.csv.gz`), join(root, `${table}.csv.gz`));
    }
    edit(root);
    return root;
  }

  function replaceTable(root: string, table: string, content: Buffer | string): void {
    unlinkSync(join(root, `${table}.csv.gz`));
    writeFileSync(join(root, `${table}.csv.gz`), content);
  }

  async function expectFailure(options: Partial<PrepareOptions> & { mimicDir: string }, code: string, mentions: string[]): Promise<void> {
    const parent = join(work, `out-${++count}`);
    mkdirSync(parent);
    const outDir = options.outDir ?? join(parent, 'dataset');
    const error = await prepareDataset({ outDir, ...options }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toBeDefined();
    expect(error?.code).toBe(code);
    for (const text of mentions) expect(error?.message).toContain(text);
    if (!options.outDir) expect(readdirSync(parent)).toEqual([]); // no dataset, no .tmp-* sibling
  }

  it('names a missing MIMIC-IV directory', async () => {
    await expectFailure({ mimicDir: join(work, 'nowhere') }, 'E_MIMIC_DIR_NOT_FOUND', [join(work, 'nowhere'), 'hosp/ and icu/']);
  });

  it('names a missing module folder', async () => {
    const root = brokenDemo((r) => rmSync(join(r, 'icu'), { recursive: true }));
    await expectFailure({ mimicDir: root }, 'E_MIMIC_LAYOUT', ['no icu/ folder']);
  });

  it('names a missing table and where it was expected', async () => {
    const root = brokenDemo((r) => unlinkSync(join(r, 'hosp/labevents.csv.gz')));
    await expectFailure({ mimicDir: root }, 'E_MISSING_TABLE', ['hosp/labevents', join(root, 'hosp/labevents.csv.gz')]);
  });

  it('names a missing column and its file', async () => {
    const root = brokenDemo((r) => {
      const lines = gunzipSync(readFileSync(join(DEMO, 'hosp/patients.csv.gz'))).toString('utf8').trimEnd().split('\n');
      // Drop anchor_age (the third column) from every line.
      const without = lines.map((line) => line.split(',').filter((_, k) => k !== 2).join(','));
      replaceTable(r, 'hosp/patients', gzipSync(without.join('\n') + '\n'));
    });
    await expectFailure({ mimicDir: root }, 'E_MISSING_COLUMN', ["'anchor_age'", join(root, 'hosp/patients.csv.gz')]);
  });

  it('names a truncated gzip file', async () => {
    const root = brokenDemo((r) => {
      const full = readFileSync(join(DEMO, 'icu/chartevents.csv.gz'));
      replaceTable(r, 'icu/chartevents', full.subarray(0, Math.floor(full.length * 0.4)));
    });
    await expectFailure({ mimicDir: root }, 'E_CORRUPT_FILE', [join(root, 'icu/chartevents.csv.gz'), 'gzip -t']);
  });

  it('names a .csv.gz that is not gzip at all', async () => {
    const root = brokenDemo((r) => replaceTable(r, 'hosp/admissions', 'this is not gzip\n'.repeat(100)));
    await expectFailure({ mimicDir: root }, 'E_CORRUPT_FILE', [join(root, 'hosp/admissions.csv.gz')]);
  });

  it('explains an empty cohort with its exclusion flow', async () => {
    const root = brokenDemo((r) => {
      const lines = gunzipSync(readFileSync(join(DEMO, 'hosp/patients.csv.gz'))).toString('utf8').trimEnd().split('\n');
      const children = lines.map((line, k) => (k === 0 ? line : line.split(',').map((v, j) => (j === 2 ? '12' : v)).join(',')));
      replaceTable(r, 'hosp/patients', gzipSync(children.join('\n') + '\n'));
    });
    await expectFailure({ mimicDir: root }, 'E_EMPTY_COHORT', ['adult (anchor_age ≥ 18): 0', 'ICU stays (icu/icustays): 140']);
  });

  it('rejects an unknown label definition before reading anything', async () => {
    await expectFailure({ mimicDir: join(work, 'not-even-read'), labelDefinition: 'death_anywhere' as never }, 'E_LABEL_DEFINITION', ['--label', 'hospital_mortality, icu_mortality', 'death_anywhere']);
  });

  it.each([0, -6, 2.5, Number.NaN])('rejects a window of %p hours before reading anything', async (windowHours) => {
    await expectFailure({ mimicDir: join(work, 'not-even-read'), windowHours }, 'E_WINDOW_HOURS', ['--window-hours']);
  });

  it('refuses an output path that exists, and leaves it untouched', async () => {
    const existing = join(work, 'existing');
    mkdirSync(existing);
    writeFileSync(join(existing, 'keep.txt'), 'mine');
    await expectFailure({ mimicDir: DEMO, outDir: existing }, 'E_OUTPUT_EXISTS', [existing, '--out']);
    expect(readFileSync(join(existing, 'keep.txt'), 'utf8')).toBe('mine');
  });
});
