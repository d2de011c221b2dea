// Replicates a MIMIC-IV directory K times with disjoint ids (subject_id, hadm_id, stay_id and
// labevent_id shifted by k × 10^8), for measuring `prepare` on real data at larger sizes:
//
//   node tools/scripts/replicate-mimic.mjs datasets/mimic-iv-demo 20 /tmp/mimic-x20
//   /usr/bin/time -v npx ehr-backdoor prepare --mimic /tmp/mimic-x20 --out /tmp/x20-dataset
//
// Only the 7 tables `prepare` reads are written; the dictionaries (d_items, d_labitems) are copied once.
// Ids stay below 2^31 for K ≤ 20.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync } from 'node:fs';

const [source, times, out] = process.argv.slice(2);
const K = Number(times);
if (!source || !out || !Number.isInteger(K) || K < 1 || K > 20) {
  console.error('usage: node tools/scripts/replicate-mimic.mjs MIMIC_DIR K(1..20) OUT_DIR');
  process.exit(2);
}
const ids = {
  'hosp/admissions': ['subject_id', 'hadm_id'],
  'hosp/patients': ['subject_id'],
  'hosp/labevents': ['subject_id', 'hadm_id', 'labevent_id'],
  'hosp/d_labitems': [],
  'icu/icustays': ['subject_id', 'hadm_id', 'stay_id'],
  'icu/chartevents': ['subject_id', 'hadm_id', 'stay_id'],
  'icu/d_items': [],
};
const db = await DuckDBInstance.create(':memory:');
const sql = await db.connect();
for (const module of ['hosp', 'icu']) mkdirSync(`${out}/${module}`, { recursive: true });
for (const [table, columns] of Object.entries(ids)) {
  const started = performance.now();
  const input = `read_csv('${source}/${table}.csv.gz', all_varchar = true)`;
  const select = columns.length
    ? `SELECT * EXCLUDE (k) REPLACE (${columns.map((c) => `(TRY_CAST(${c} AS BIGINT) + k * 100000000)::VARCHAR AS ${c}`).join(', ')})
       FROM ${input} CROSS JOIN range(${K}) r(k)`
    : `SELECT * FROM ${input}`;
  await sql.run(`COPY (${select}) TO '${out}/${table}.csv.gz' (HEADER, COMPRESSION gzip)`);
  console.log(`${table}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
