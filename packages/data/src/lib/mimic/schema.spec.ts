import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbSession } from './duckdb-session.js';
import { detectMimicVersion, readHeaders } from './schema.js';
import { MIMIC_TABLES, locateMimicTables } from './tables.js';

/** Header-only tables (plus `extra` columns per table) and patients in the given anchor_year_groups. */
function writeLayout(root: string, extra: Record<string, string[]>, yearGroups: string[]): void {
  for (const table of MIMIC_TABLES) {
    mkdirSync(join(root, table.module), { recursive: true });
    const header = [...table.columns, ...(extra[table.name] ?? [])].join(',');
    const rows = table.name === 'patients' ? yearGroups.map((g, i) => `${i + 1},F,50,2150,${g}`) : [];
    writeFileSync(join(root, table.module, `${table.name}.csv`), [header, ...rows].join('\n') + '\n');
  }
}

describe('detectMimicVersion', () => {
  let work: string;
  let session: DuckDbSession;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ehr-mimic-version-'));
    session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1, tempDirectory: join(work, 'duckdb') });
  });
  afterAll(() => {
    session.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function detect(dir: string, extra: Record<string, string[]>, yearGroups: string[]) {
    const root = join(work, dir);
    writeLayout(root, extra, yearGroups);
    const tables = locateMimicTables(root);
    return detectMimicVersion(session, tables, await readHeaders(session, tables));
  }

  const providers = { admissions: ['admit_provider_id'], chartevents: ['caregiver_id'] };

  it('tells 3.x by its 2020–2022 admissions, and takes the exact release from the directory name', async () => {
    expect((await detect('a', providers, ['2017 - 2019', '2020 - 2022'])).version).toBe('3.x');
    const exact = await detect('mimiciv/3.1', providers, ['2008 - 2010', '2020 - 2022']);
    expect(exact.version).toBe('3.1');
    expect(exact.evidence).toContain('2020 - 2022');
  });

  it('tells 2.2 by its provider and caregiver columns', async () => {
    expect((await detect('b', providers, ['2011 - 2013'])).version).toBe('2.2');
    // A 3.x extract without 2020–2022 patients: trust the directory name.
    expect((await detect('physionet/mimiciv/3.0', providers, ['2011 - 2013'])).version).toBe('3.0');
  });

  it('labels older 2.x layouts as such', async () => {
    expect((await detect('c', {}, ['2011 - 2013'])).version).toBe('2.0–2.1');
  });

  it('names a missing column with the file and its header', async () => {
    const root = join(work, 'd');
    writeLayout(root, {}, ['2011 - 2013']);
    writeFileSync(join(root, 'icu', 'icustays.csv'), 'subject_id,hadm_id,stay_id,intime\n');
    const error = (await readHeaders(session, locateMimicTables(root)).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { code: string };
    expect(error).toMatchObject({ code: 'E_MISSING_COLUMN' });
    expect(error.message).toContain("'outtime'");
    expect(error.message).toContain(join(root, 'icu', 'icustays.csv'));
  });
});
