import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CLINICAL_VARIABLES } from '../variables.js';
import { prepareDataset } from '../dataset/prepare-dataset.js';
import { generateSyntheticMimic, type SyntheticMimicSummary } from './generate-synthetic-mimic.js';
import { SYNTHETIC_TABLE_COLUMNS, type SyntheticTableName } from './schema.js';

/** The real MIMIC-IV demo bundled with the repository: the schema reference. */
const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../datasets/mimic-iv-demo');
const TABLES = Object.keys(SYNTHETIC_TABLE_COLUMNS) as SyntheticTableName[];

describe('generateSyntheticMimic', () => {
  let work: string;
  let a: string;
  let summary: SyntheticMimicSummary;
  let db: DuckDBInstance;
  let sql: DuckDBConnection;
  const rows = async (query: string) => (await sql.runAndReadAll(query)).getRowObjectsJS();
  const csv = (root: string, table: string) => `read_csv('${join(root, table)}.csv.gz', header = true)`;
  /** The generated tables, loaded once into DuckDB as patients, admissions, icustays, … */
  const t = (table: SyntheticTableName) => table.split('/')[1];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ehr-synth-'));
    a = join(work, 'a');
    summary = await generateSyntheticMimic({ stays: 300, seed: 7, outDir: a, gzipLevel: 1 });
    db = await DuckDBInstance.create(':memory:');
    sql = await db.connect();
    for (const table of TABLES) await sql.run(`create table ${t(table)} as select * from ${csv(a, table)}`);
  });
  afterAll(() => {
    sql.closeSync();
    db.closeSync();
    rmSync(work, { recursive: true, force: true });
  });

  it('is deterministic by seed: same seed, identical decompressed tables; another seed, different ones', async () => {
    const generate = async (name: string, seed: number) => {
      await generateSyntheticMimic({ stays: 60, seed, outDir: join(work, name), gzipLevel: 1 });
      return Object.fromEntries(TABLES.map((table) => [table, gunzipSync(readFileSync(join(work, name, `${table}.csv.gz`)))]));
    };
    const first = await generate('seed7', 7);
    const again = await generate('seed7-again', 7);
    const other = await generate('seed8', 8);
    for (const table of TABLES) {
      expect(again[table].equals(first[table])).toBe(true);
      if (!table.includes('/d_')) expect(other[table].equals(first[table])).toBe(false);
    }
  });

  it('writes every table with the real MIMIC-IV column names, in the real order', async () => {
    expect(summary.rows['icu/icustays']).toBe(300);
    for (const table of TABLES) {
      const columns = (await rows(`describe ${t(table)}`)).map((r) => r.column_name);
      expect(columns).toEqual([...SYNTHETIC_TABLE_COLUMNS[table]]);
      if (existsSync(DEMO)) {
        const demo = (await rows(`describe select * from ${csv(DEMO, table)}`)).map((r) => r.column_name);
        expect(columns).toEqual(demo);
      }
    }
  });

  it('gives DuckDB the types of the real tables (ids, timestamps, numbers, dates)', async () => {
    const types = async (table: string) =>
      Object.fromEntries((await rows(`describe ${table}`)).map((r) => [r.column_name, r.column_type]));
    expect(await types('patients')).toMatchObject({ subject_id: 'BIGINT', anchor_age: 'BIGINT', anchor_year: 'BIGINT', dod: 'DATE' });
    expect(await types('admissions')).toMatchObject({
      hadm_id: 'BIGINT',
      admittime: 'TIMESTAMP',
      dischtime: 'TIMESTAMP',
      deathtime: 'TIMESTAMP',
      edregtime: 'TIMESTAMP',
      hospital_expire_flag: 'BIGINT',
    });
    expect(await types('icustays')).toMatchObject({ stay_id: 'BIGINT', intime: 'TIMESTAMP', outtime: 'TIMESTAMP', los: 'DOUBLE' });
    expect(await types('chartevents')).toMatchObject({ stay_id: 'BIGINT', charttime: 'TIMESTAMP', storetime: 'TIMESTAMP', itemid: 'BIGINT', value: 'VARCHAR', valuenum: 'DOUBLE' });
    expect(await types('labevents')).toMatchObject({ labevent_id: 'BIGINT', charttime: 'TIMESTAMP', itemid: 'BIGINT', valuenum: 'DOUBLE', ref_range_lower: 'DOUBLE' });
  });

  it('uses MIMIC id ranges, shifted dates, and dictionary rows for exactly the itemids it charts', async () => {
    const [ids] = await rows(`select min(subject_id) s0, max(subject_id) s1, min(hadm_id) h0, max(hadm_id) h1, min(stay_id) i0, max(stay_id) i1,
      min(year(intime)) y0, max(year(intime)) y1 from icustays`);
    expect(Number(ids.s0)).toBeGreaterThanOrEqual(10_000_000);
    expect(Number(ids.s1)).toBeLessThan(20_000_000);
    expect(Number(ids.h0)).toBeGreaterThanOrEqual(20_000_000);
    expect(Number(ids.h1)).toBeLessThan(30_000_000);
    expect(Number(ids.i0)).toBeGreaterThanOrEqual(30_000_000);
    expect(Number(ids.i1)).toBeLessThan(40_000_000);
    expect(Number(ids.y0)).toBeGreaterThanOrEqual(2110);
    expect(Number(ids.y1)).toBeLessThanOrEqual(2215);
    const charted = (await rows(`select distinct itemid from chartevents order by 1`)).map((r) => Number(r.itemid));
    const dItems = (await rows(`select itemid from d_items order by 1`)).map((r) => Number(r.itemid));
    expect(charted).toEqual(dItems);
    const measured = (await rows(`select distinct itemid from labevents order by 1`)).map((r) => Number(r.itemid));
    const dLab = (await rows(`select itemid from d_labitems order by 1`)).map((r) => Number(r.itemid));
    expect(measured).toEqual(dLab);
    // Every itemid of the variable table is charted, temperature mostly in °F as in real MIMIC-IV.
    const used = new Set([...charted, ...measured]);
    for (const variable of CLINICAL_VARIABLES) for (const itemid of variable.itemids) expect(used.has(itemid)).toBe(true);
    const [temp] = await rows(`select count(*) filter (where itemid = 223761) f, count(*) filter (where itemid = 223762) c from chartevents`);
    expect(Number(temp.f)).toBeGreaterThan(3 * Number(temp.c));
    expect(Number(temp.c)).toBeGreaterThan(0);
  });

  it('keeps labels consistent: hospital_expire_flag, deathtime, discharge location and dod agree', async () => {
    const [check] = await rows(`select
        count(*) filter (where hospital_expire_flag = 1) deaths,
        count(*) filter (where (hospital_expire_flag = 1) != (deathtime is not null)) flag_vs_deathtime,
        count(*) filter (where hospital_expire_flag = 1 and (deathtime != dischtime or discharge_location != 'DIED')) death_fields,
        count(*) filter (where dischtime < admittime) negative_stays
      from admissions`);
    expect(Number(check.deaths)).toBe(summary.inHospitalDeaths);
    expect(Number(check.flag_vs_deathtime)).toBe(0);
    expect(Number(check.death_fields)).toBe(0);
    expect(Number(check.negative_stays)).toBe(0);
    const [dod] = await rows(`select count(*) n from admissions a join patients p using (subject_id)
      where a.hospital_expire_flag = 1 and p.dod is distinct from a.deathtime::date`);
    expect(Number(dod.n)).toBe(0);
    // A patient's admissions never follow their in-hospital death.
    const [after] = await rows(`select count(*) n from admissions d join admissions x
      on d.subject_id = x.subject_id and d.hospital_expire_flag = 1 and x.admittime > d.deathtime`);
    expect(Number(after.n)).toBe(0);
  });

  it('prepares through the real-data path into the flow it promised, marked as synthetic', async () => {
    const result = await prepareDataset({ mimicDir: a, outDir: join(work, 'prepared'), windowHours: 24, seed: 0 });
    expect(result.manifest.cohort.steps.map((s) => s.remaining).filter((n, i, all) => i === 0 || n !== all[i - 1])).toEqual(
      summary.expectedCohort.steps.map((s) => s.remaining),
    );
    expect(result.manifest.cohort.positives).toBe(summary.expectedCohort.positives);
    expect(result.manifest.source.mimicVersion).toBe('synthetic (MIMIC-IV 2.2 layout)');
    expect(result.manifest.source.synthetic).toMatchObject({ seed: 7, stays: 300 });
  });

  it('has something for every cohort exclusion to remove, and the flow SQL over the files agrees with the summary', async () => {
    const steps = summary.expectedCohort.steps.map((s) => s.remaining);
    for (let k = 1; k < steps.length; k++) expect(steps[k]).toBeLessThan(steps[k - 1]);
    const [flow] = await rows(`
      with s as (
        select i.*, p.anchor_age, a.deathtime, a.dischtime, a.hospital_expire_flag,
          row_number() over (partition by i.hadm_id order by i.intime) as k
        from icustays i join admissions a using (hadm_id) join patients p on p.subject_id = i.subject_id)
      select count(*) all_stays,
        count(*) filter (where anchor_age >= 18) adults,
        count(*) filter (where anchor_age >= 18 and k = 1) first_stay,
        count(*) filter (where anchor_age >= 18 and k = 1 and outtime - intime >= interval 24 hour) long_enough,
        count(*) filter (where anchor_age >= 18 and k = 1 and outtime - intime >= interval 24 hour
          and dischtime > intime + interval 24 hour and coalesce(deathtime > intime + interval 24 hour, true)) clean,
        count(*) filter (where anchor_age >= 18 and k = 1 and outtime - intime >= interval 24 hour
          and dischtime > intime + interval 24 hour and coalesce(deathtime > intime + interval 24 hour, true) and hospital_expire_flag = 1) positives
      from s`);
    expect([flow.all_stays, flow.adults, flow.first_stay, flow.long_enough, flow.clean].map(Number)).toEqual(steps);
    expect(Number(flow.positives)).toBe(summary.expectedCohort.positives);
    // ≈ 10–15 % in-hospital deaths in the cohort, as in MIMIC-IV ICU mortality studies.
    const rate = summary.expectedCohort.positives / steps[steps.length - 1];
    expect(rate).toBeGreaterThan(0.07);
    expect(rate).toBeLessThan(0.19);
  });

  it('charts vitals about hourly and labs every 6–24 h, with entry errors outside the plausible ranges', async () => {
    const [cadence] = await rows(`select
        (select count(*) from chartevents where itemid = 220045) / (select sum(los) * 24 from icustays) hr_per_hour,
        (select count(*) from labevents l join icustays i using (hadm_id)
           where itemid = 50912 and l.charttime between i.intime and i.outtime) / (select sum(los) from icustays) creat_per_day`);
    expect(Number(cadence.hr_per_hour)).toBeGreaterThan(0.75);
    expect(Number(cadence.hr_per_hour)).toBeLessThan(1.1);
    expect(Number(cadence.creat_per_day)).toBeGreaterThan(1);
    expect(Number(cadence.creat_per_day)).toBeLessThan(4);
    const hr = CLINICAL_VARIABLES.find((v) => v.name === 'heart_rate');
    const [errors] = await rows(`select count(*) n from chartevents where itemid = 220045 and valuenum > ${hr?.plausible[1]}`);
    expect(Number(errors.n)).toBeGreaterThan(0);
    expect(summary.entryErrors.chartevents).toBeGreaterThan(0);
  });

  it('rejects bad input before any work, and never overwrites or half-writes a directory', async () => {
    const codes = async (options: Parameters<typeof generateSyntheticMimic>[0]) =>
      generateSyntheticMimic(options).then(
        () => 'ok',
        (error: { code?: string }) => error.code,
      );
    const out = join(work, 'bad');
    expect(await codes({ stays: 0, seed: 1, outDir: out })).toBe('E_SYNTH_STAYS');
    expect(await codes({ stays: 2.5, seed: 1, outDir: out })).toBe('E_SYNTH_STAYS');
    expect(await codes({ stays: 10, seed: 1.5, outDir: out })).toBe('E_SYNTH_SEED');
    expect(await codes({ stays: 10, seed: 1, outDir: out, gzipLevel: 0 })).toBe('E_SYNTH_GZIP_LEVEL');
    expect(existsSync(out)).toBe(false);
    mkdirSync(out);
    expect(await codes({ stays: 10, seed: 1, outDir: out })).toBe('E_OUTPUT_EXISTS');
    expect(readdirSync(out)).toEqual([]);
    expect(readdirSync(work).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });
});
