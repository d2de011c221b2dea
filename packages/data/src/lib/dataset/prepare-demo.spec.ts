import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CLINICAL_VARIABLES } from '../variables.js';
import { SPLIT_CODE, type EhrDataset } from './types.js';
import { loadDataset } from './load-dataset.js';
import { prepareDataset, type PrepareResult } from './prepare-dataset.js';

/** The real MIMIC-IV demo bundled with the repository (see datasets/mimic-iv-demo/ATTRIBUTION.md). */
const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../datasets/mimic-iv-demo');
const csv = (table: string) => `read_csv('${join(DEMO, table)}.csv.gz')`;

describe('prepareDataset on the real MIMIC-IV demo', () => {
  let work: string;
  let result: PrepareResult;
  let loaded: EhrDataset;
  let db: DuckDBInstance;
  let sql: DuckDBConnection;
  const rows = async (query: string) => (await sql.runAndReadAll(query)).getRowObjectsJS();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ehr-prepare-demo-'));
    result = await prepareDataset({ mimicDir: DEMO, outDir: join(work, 'demo'), seed: 0 });
    loaded = await loadDataset(join(work, 'demo'));
    db = await DuckDBInstance.create(':memory:');
    sql = await db.connect();
    // Each event table is parsed once here; the tests below query these copies. Rows of items the
    // pipeline never reads are left out (they cannot change its output) to keep the tests fast.
    const used = CLINICAL_VARIABLES.flatMap((v) => v.itemids).join(', ');
    for (const table of ['icu/chartevents', 'hosp/labevents']) {
      await sql.run(
        `CREATE TABLE ${table.split('/')[1]} AS SELECT * FROM read_csv('${join(DEMO, table)}.csv.gz', all_varchar = true) WHERE itemid::INTEGER IN (${used})`,
      );
    }
  });
  afterAll(() => {
    sql.closeSync();
    db.closeSync();
    rmSync(work, { recursive: true, force: true });
  });

  it('detects the release and records a monotone exclusion flow', () => {
    const { manifest } = result;
    expect(manifest.source.mimicVersion).toBe('2.2');
    const remaining = manifest.cohort.steps.map((s) => s.remaining);
    expect(remaining[0]).toBe(140); // every row of icu/icustays
    for (let k = 1; k < remaining.length; k++) expect(remaining[k]).toBeLessThanOrEqual(remaining[k - 1]);
    expect(remaining.at(-1)).toBe(manifest.cohort.stays);
    expect(loaded.n).toBe(manifest.cohort.stays);
    expect(Array.from(loaded.stayIds)).toEqual([...loaded.stayIds].sort((a, b) => a - b));
  });

  it('matches an independent DuckDB count of the cohort and its deaths', async () => {
    // Written separately from the pipeline's SQL, with DuckDB's own type detection.
    const [direct] = await rows(`
      WITH s AS (
        SELECT *, row_number() OVER (PARTITION BY hadm_id ORDER BY intime, stay_id) AS k FROM ${csv('icu/icustays')}
      )
      SELECT count(*) AS stays, sum(a.hospital_expire_flag) AS deaths
      FROM s JOIN ${csv('hosp/admissions')} a USING (hadm_id) JOIN ${csv('hosp/patients')} p ON p.subject_id = s.subject_id
      WHERE s.k = 1 AND p.anchor_age >= 18
        AND s.outtime >= s.intime + INTERVAL 24 HOUR
        AND a.dischtime >= s.intime + INTERVAL 24 HOUR
        AND (a.deathtime IS NULL OR a.deathtime >= s.intime + INTERVAL 24 HOUR)`);
    expect(result.manifest.cohort.stays).toBe(Number(direct.stays));
    expect(result.manifest.cohort.positives).toBe(Number(direct.deaths));
    expect(loaded.labels.reduce((a, y) => a + y, 0)).toBe(Number(direct.deaths));
  });

  it('never puts a patient in two splits, and summarises the splits correctly', () => {
    const splitOf = new Map<number, number>();
    for (let i = 0; i < loaded.n; i++) {
      const s = splitOf.get(loaded.subjectIds[i]);
      if (s !== undefined) expect(loaded.splits[i]).toBe(s);
      splitOf.set(loaded.subjectIds[i], loaded.splits[i]);
    }
    for (const name of ['train', 'val', 'test'] as const) {
      const idx = [...loaded.splits.keys()].filter((i) => loaded.splits[i] === SPLIT_CODE[name]);
      expect(result.manifest.splits[name]).toEqual({
        stays: idx.length,
        positives: idx.reduce((a, i) => a + loaded.labels[i], 0),
        subjects: new Set(idx.map((i) => loaded.subjectIds[i])).size,
      });
    }
    expect(result.manifest.splits.train.stays).toBeGreaterThan(result.manifest.splits.val.stays);
  });

  it('stores temperatures in °C inside the plausible range, converted from °F where charted so', async () => {
    const { channels, hours, values, mask } = loaded.timeSeries;
    const C = channels.length;
    const temp = channels.indexOf('temperature');
    let observed = 0;
    for (let cell = temp; cell < values.length; cell += C) {
      expect(values[cell]).toBeGreaterThanOrEqual(25);
      expect(values[cell]).toBeLessThanOrEqual(45);
      observed += mask[cell];
    }
    expect(observed).toBeGreaterThan(100);
    // One stay-hour charted only in °F, recomputed directly from chartevents.
    const [f] = await rows(`
      WITH c AS (
        SELECT c.stay_id::INTEGER AS stay_id, floor(epoch(c.charttime::TIMESTAMP - s.intime) / 3600)::INTEGER AS hour,
               c.itemid::INTEGER AS itemid, c.valuenum::DOUBLE AS valuenum
        FROM chartevents c JOIN ${csv('icu/icustays')} s ON s.stay_id = c.stay_id::INTEGER
        WHERE c.itemid::INTEGER IN (223761, 223762) AND c.charttime::TIMESTAMP >= s.intime
          AND c.charttime::TIMESTAMP < s.intime + INTERVAL 24 HOUR
      )
      SELECT stay_id, hour, avg((valuenum - 32) * 5 / 9) AS celsius FROM c
      WHERE stay_id IN (${Array.from(loaded.stayIds).join(',')})
      GROUP BY stay_id, hour HAVING bool_and(itemid = 223761) AND max(valuenum) BETWEEN 77 AND 113
      ORDER BY stay_id, hour LIMIT 1`);
    const i = loaded.stayIds.indexOf(Number(f.stay_id));
    const cell = (i * hours + Number(f.hour)) * C + temp;
    expect(mask[cell]).toBe(1);
    expect(values[cell]).toBeCloseTo(Number(f.celsius), 4);
  });

  it('reads back from Arrow exactly what was written, as zero-copy views of the file', () => {
    const written = result.dataset;
    expect(Array.from(loaded.stayIds)).toEqual(Array.from(written.stayIds));
    expect(Array.from(loaded.subjectIds)).toEqual(Array.from(written.subjectIds));
    expect(Array.from(loaded.labels)).toEqual(Array.from(written.labels));
    expect(Array.from(loaded.splits)).toEqual(Array.from(written.splits));
    expect(loaded.tabular.features).toEqual(written.tabular.features);
    // Byte equality also covers NaN (never measured) cells.
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(loaded.tabular.values).equals(bytes(written.tabular.values))).toBe(true);
    expect(bytes(loaded.timeSeries.values).equals(bytes(written.timeSeries.values))).toBe(true);
    expect(bytes(loaded.timeSeries.mask).equals(bytes(written.timeSeries.mask))).toBe(true);
    expect(Array.from(loaded.timeSeries.fillValues)).toEqual(Array.from(written.timeSeries.fillValues));
    // The big tensor and its mask are views into the one buffer holding timeseries.arrow.
    const fileBytes = statSync(join(work, 'demo', 'timeseries.arrow')).size;
    expect(loaded.timeSeries.values.buffer).toBe(loaded.timeSeries.mask.buffer);
    expect(loaded.timeSeries.values.buffer.byteLength).toBe(fileBytes);
  });

  it('fits normalisation on the training split only', () => {
    const { channels, hours, values, mask } = loaded.timeSeries;
    const C = channels.length;
    const hr = channels.indexOf('heart_rate');
    const train: number[] = [];
    for (let i = 0; i < loaded.n; i++) {
      if (loaded.splits[i] !== SPLIT_CODE.train) continue;
      for (let t = 0; t < hours; t++) if (mask[(i * hours + t) * C + hr]) train.push(values[(i * hours + t) * C + hr]);
    }
    const mean = train.reduce((a, x) => a + x, 0) / train.length;
    expect(result.manifest.normalisation.timeSeries.mean[hr]).toBeCloseTo(mean, 3);
  });

  it('gives the same dataset whatever the order of rows in the input files', async () => {
    const shuffled = join(work, 'shuffled');
    for (const module of ['hosp', 'icu']) mkdirSync(join(shuffled, module), { recursive: true });
    for (const table of ['hosp/admissions', 'hosp/patients', 'hosp/labevents', 'hosp/d_labitems', 'icu/icustays', 'icu/chartevents', 'icu/d_items']) {
      // A deterministic scramble of the rows (sorted by a hash of the whole row), written uncompressed for speed.
      const source = table.endsWith('events') ? table.split('/')[1] : `read_csv('${join(DEMO, table)}.csv.gz', all_varchar = true)`;
      await sql.run(`COPY (SELECT * FROM ${source} ORDER BY hash(columns(*))) TO '${join(shuffled, table)}.csv' (HEADER)`);
    }
    const again = await prepareDataset({ mimicDir: shuffled, outDir: join(work, 'demo-shuffled'), seed: 0 });
    expect(again.manifest.files).toEqual(result.manifest.files);
    expect(again.manifest.contentHash).toBe(result.manifest.contentHash);
  });
});
