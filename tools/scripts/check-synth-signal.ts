/**
 * How learnable is in-hospital mortality from the first 24 h of a MIMIC-IV directory (synthetic or
 * real)? A check independent of the project's pipeline, used to tune the generator's effect sizes.
 *
 *   MIMIC-IV dir ──DuckDB──▶ cohort (adults, first stay, ≥ 24 h, no death/discharge in 24 h)
 *     ──▶ per stay and variable: min/max/mean over the first 24 h, age, sex ──▶ CSV
 *     ──/usr/bin/python3 + scikit-learn──▶ logistic regression, 5-fold stratified CV AUROC
 *
 * Usage: node --import ./tools/node/source-loader.js tools/scripts/check-synth-signal.ts DIR
 *        (needs /usr/bin/python3 with python3-numpy and python3-sklearn from Debian)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CLINICAL_VARIABLES } from '@ehr-backdoor/data';

const root = resolve(process.argv[2] ?? '');
const t = (name: string) => `read_csv('${join(root, name)}.csv.gz', header = true)`;

const valueExpr = (v: (typeof CLINICAL_VARIABLES)[number]) => {
  const cases = (v.conversions ?? []).map((c) => `when e.itemid = ${c.itemid} then ${c.sql.replace(/valuenum/g, 'e.valuenum')}`).join(' ');
  return cases ? `case ${cases} else e.valuenum end` : 'e.valuenum';
};
// Window rows of each source are materialised once (one scan per file), then split by variable.
const windowRows = (table: string, key: string) => `
  select c.stay_id, e.itemid, e.valuenum from ${t(table)} e join cohort c on e.${key} = c.${key}
  where e.charttime >= c.intime and e.charttime < c.intime + interval 24 hour and e.valuenum is not null`;
const events = CLINICAL_VARIABLES.map((v) => {
  const table = v.source === 'chartevents' ? 'ce' : 'le';
  return `select stay_id, '${v.name}' as name, ${valueExpr(v)} as x from ${table} e
    where e.itemid in (${v.itemids.join(', ')}) and x between ${v.plausible[0]} and ${v.plausible[1]}`;
}).join('\nunion all\n');

const sql = `
create table cohort as
  with s as (
    select i.*, a.hospital_expire_flag as label, a.deathtime, a.dischtime, p.anchor_age, p.gender,
      row_number() over (partition by i.hadm_id order by i.intime) as k
    from ${t('icu/icustays')} i join ${t('hosp/admissions')} a using (hadm_id) join ${t('hosp/patients')} p on p.subject_id = i.subject_id)
  select * from s where anchor_age >= 18 and k = 1 and los >= 1
    and dischtime > intime + interval 24 hour and coalesce(deathtime > intime + interval 24 hour, true);
create table ce as ${windowRows('icu/chartevents', 'stay_id')};
create table le as ${windowRows('hosp/labevents', 'hadm_id')};
create table values as ${events};
create table features as
  select c.stay_id, c.label, c.anchor_age as age, (c.gender = 'M')::int as male, f.* exclude (stay_id)
  from cohort c left join (
    pivot (select stay_id, name, x from values) on name using min(x) as min, max(x) as max, avg(x) as mean group by stay_id) f
  using (stay_id);
`;

const python = String.raw`
import sys, numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import roc_auc_score
import csv
rows = list(csv.reader(open(sys.argv[1])))
header, data = rows[0], rows[1:]
y = np.array([int(r[header.index('label')]) for r in data])
cols = [i for i, h in enumerate(header) if h not in ('stay_id', 'label')]
X = np.array([[float(r[i]) if r[i] != '' else np.nan for i in cols] for r in data])
X = X[:, ~np.all(np.isnan(X), axis=0)]
model = make_pipeline(SimpleImputer(strategy='median', add_indicator=True), StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
p = cross_val_predict(model, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method='predict_proba')[:, 1]
print(f'stays {len(y)}  positives {y.sum()} ({y.mean():.3f})  features {X.shape[1]}  5-fold CV AUROC {roc_auc_score(y, p):.3f}')
`;

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(sql);
const dir = mkdtempSync(join(tmpdir(), 'synth-signal-'));
try {
  const csv = join(dir, 'features.csv');
  await connection.run(`copy features to '${csv}' (header)`);
  const result = spawnSync('/usr/bin/python3', ['-c', python, csv], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
