import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SPLIT_CODE } from './types.js';
import { loadDataset } from './load-dataset.js';
import { prepareDataset, type PrepareResult } from './prepare-dataset.js';
import type { EhrDataset } from './types.js';

/**
 * A hand-made MIMIC-IV (2.2 layout) whose every output value is computed by hand below.
 * Window: 4 h. Stays (subject/hadm/stay):
 *   1/10/100  adult, first stay, 24 h, survives         → in cohort, label 0
 *   1/10/101  second stay of admission 10               → excluded: not first stay
 *   1/11/110  adult, first stay, died 2 days later      → in cohort, label 1
 *   2/20/200  anchor_age 17                             → excluded: not adult
 *   3/30/300  died 2 h after intime                     → excluded: outcome in window
 *   4/40/400  3 h stay                                  → excluded: shorter than window
 *   5/50/500  no admission or patient row               → excluded: not linked
 */
const FILES: Record<string, string> = {
  'hosp/patients.csv': `subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod
1,M,60,2150,2011 - 2013,
2,F,17,2150,2011 - 2013,
3,F,70,2152,2014 - 2016,2152-01-01
4,M,50,2153,2014 - 2016,
`,
  'hosp/admissions.csv': `subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admit_provider_id,admission_location,discharge_location,insurance,language,marital_status,race,edregtime,edouttime,hospital_expire_flag
1,10,2150-01-01 08:00:00,2150-01-10 12:00:00,,URGENT,P1,ER,HOME,Other,ENGLISH,,WHITE,,,0
1,11,2151-01-01 00:00:00,2151-01-03 00:00:00,2151-01-03 00:00:00,URGENT,P1,ER,DIED,Other,ENGLISH,,WHITE,,,1
2,20,2150-03-01 00:00:00,2150-03-05 00:00:00,,URGENT,P1,ER,HOME,Other,ENGLISH,,WHITE,,,0
3,30,2152-01-01 00:00:00,2152-01-01 02:00:00,2152-01-01 02:00:00,URGENT,P1,ER,DIED,Other,ENGLISH,,WHITE,,,1
4,40,2153-01-01 00:00:00,2153-01-09 00:00:00,,URGENT,P1,ER,HOME,Other,ENGLISH,,WHITE,,,0
`,
  'icu/icustays.csv': `subject_id,hadm_id,stay_id,first_careunit,last_careunit,intime,outtime,los
1,10,100,MICU,MICU,2150-01-01 10:00:00,2150-01-02 10:00:00,1
1,10,101,MICU,MICU,2150-01-05 00:00:00,2150-01-07 00:00:00,2
1,11,110,MICU,MICU,2151-01-01 00:00:00,2151-01-02 00:00:00,1
2,20,200,MICU,MICU,2150-03-01 00:00:00,2150-03-03 00:00:00,2
3,30,300,MICU,MICU,2152-01-01 00:00:00,2152-01-01 10:00:00,0.4
4,40,400,MICU,MICU,2153-01-01 00:00:00,2153-01-01 03:00:00,0.1
5,50,500,MICU,MICU,2154-01-01 00:00:00,2154-01-03 00:00:00,2
`,
  'icu/chartevents.csv': `subject_id,hadm_id,stay_id,caregiver_id,charttime,storetime,itemid,value,valuenum,valueuom,warning
1,10,100,,2150-01-01 09:59:00,,220045,70,70,bpm,0
1,10,100,,2150-01-01 09:30:00,,226512,82.5,82.5,kg,0
1,10,100,,2150-01-01 03:00:00,,226512,90,90,kg,0
1,10,100,,2150-01-01 10:00:00,,220045,80,80,bpm,0
1,10,100,,2150-01-01 10:30:00,,220045,90,90,bpm,0
1,10,100,,2150-01-01 12:15:00,,220045,100,100,bpm,0
1,10,100,,2150-01-01 14:00:00,,220045,999,999,bpm,0
1,10,100,,2150-01-01 11:00:00,,223761,98.6,98.6,°F,0
1,10,100,,2150-01-01 11:00:00,,223762,37.4,37.4,°C,0
1,10,100,,2150-01-01 13:00:00,,220050,400,400,mmHg,0
1,10,100,,2150-01-01 13:00:00,,220179,120,120,mmHg,0
1,10,100,,2150-01-01 13:10:00,,220179,"text only",,mmHg,0
1,11,110,,2151-01-01 02:00:00,,220045,120,120,bpm,0
`,
  'hosp/labevents.csv': `labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments
1,1,10,1,50912,,2150-01-01 11:30:00,,1.2,1.2,mg/dL,0.5,1.2,,ROUTINE,
2,1,,2,50912,,2150-01-01 13:59:00,,1.4,1.4,mg/dL,0.5,1.2,abnormal,ROUTINE,"multi-line
comment, quoted"
3,1,10,3,50912,,2150-01-01 15:00:00,,9.9,9.9,mg/dL,0.5,1.2,abnormal,ROUTINE,
`,
  'icu/d_items.csv': `itemid,label,abbreviation,linksto,category,unitname,param_type,lownormalvalue,highnormalvalue
220045,Heart Rate,HR,chartevents,Routine Vital Signs,bpm,Numeric,,
`,
  'hosp/d_labitems.csv': `itemid,label,fluid,category
50912,Creatinine,Blood,Chemistry
`,
};

function writeTinyMimic(root: string, gzip: ReadonlySet<string> = new Set()): void {
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(root, path.split('/')[0]), { recursive: true });
    if (gzip.has(path)) writeFileSync(join(root, `${path}.gz`), gzipSync(text));
    else writeFileSync(join(root, path), text);
  }
}

describe('prepareDataset on a hand-computed MIMIC-IV', () => {
  let work: string;
  let result: PrepareResult;
  let dataset: EhrDataset;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ehr-prepare-tiny-'));
    // Mixed .csv and .csv.gz, as users unpack some tables and not others.
    writeTinyMimic(join(work, 'mimic'), new Set(['icu/chartevents.csv', 'hosp/patients.csv']));
    result = await prepareDataset({ mimicDir: join(work, 'mimic'), outDir: join(work, 'out'), windowHours: 4, seed: 1 });
    dataset = await loadDataset(join(work, 'out'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('labels in-hospital mortality by default and ICU mortality on request', async () => {
    expect(result.manifest.labelDefinition).toBe('hospital_mortality');
    expect(Array.from(dataset.labels)).toEqual([0, 1]);
    // Stay 110 left the ICU on 2151-01-02 and died in hospital on 2151-01-03: an in-hospital death, not an ICU one.
    const icu = await prepareDataset({ mimicDir: join(work, 'mimic'), outDir: join(work, 'out-icu'), windowHours: 4, seed: 1, labelDefinition: 'icu_mortality' });
    expect(icu.manifest.labelDefinition).toBe('icu_mortality');
    expect(Array.from(icu.dataset.labels)).toEqual([0, 0]);
    expect(icu.manifest.cohort.positives).toBe(0);
    expect(icu.manifest.cohort.steps).toEqual(result.manifest.cohort.steps);
    expect(icu.manifest.contentHash).not.toBe(result.manifest.contentHash);
    rmSync(join(work, 'out-icu'), { recursive: true, force: true });
  });

  it('records each exclusion step', () => {
    expect(result.manifest.cohort.steps.map((s) => s.remaining)).toEqual([7, 6, 5, 4, 3, 2]);
    expect(result.manifest.cohort.steps[4].name).toBe('ICU stay ≥ 4 h');
    expect(result.manifest.cohort).toMatchObject({ stays: 2, positives: 1 });
    expect(Array.from(dataset.stayIds)).toEqual([100, 110]);
    expect(Array.from(dataset.labels)).toEqual([0, 1]);
    expect(result.manifest.source.mimicVersion).toBe('2.2');
  });

  it('averages each hour, converts °F, drops out-of-range values and forward-fills', () => {
    const { channels, hours, values, mask, fillValues } = dataset.timeSeries;
    const C = channels.length;
    const hr = channels.indexOf('heart_rate');
    const temp = channels.indexOf('temperature');
    const sbp = channels.indexOf('sbp');
    const cell = (i: number, t: number, c: number) => values[(i * hours + t) * C + c];
    const observed = (i: number, t: number, c: number) => mask[(i * hours + t) * C + c];
    expect(hours).toBe(4);
    // Stay 100: 80 and 90 in hour 0; 100 in hour 2; 70 (before intime) and 999 (at intime + 4 h) are outside.
    expect([0, 1, 2, 3].map((t) => cell(0, t, hr))).toEqual([85, 85, 100, 100]);
    expect([0, 1, 2, 3].map((t) => observed(0, t, hr))).toEqual([1, 0, 1, 0]);
    // Train holds both stays (one patient): observed HR cells 85, 100, 120 → fill value 100.
    expect(fillValues[hr]).toBe(100);
    expect([0, 1, 2, 3].map((t) => cell(1, t, hr))).toEqual([100, 100, 120, 120]);
    // 98.6 °F = 37 °C, averaged with 37.4 °C charted in the same hour.
    expect(cell(0, 1, temp)).toBeCloseTo(37.2, 5);
    expect(cell(0, 0, temp)).toBeCloseTo(37.2, 5); // before the first observation: the train median
    // 400 mmHg arterial is out of range; 120 non-invasive at the same time remains.
    expect(cell(0, 3, sbp)).toBe(120);
    expect(result.manifest.outOfRange).toMatchObject({ sbp: 1, heart_rate: 0 });
    expect(result.manifest.measurements).toMatchObject({ heart_rate: 4, sbp: 1, temperature: 2, creatinine: 2, weight: 1 });
    // Admission weight charted 30 min before intime counts in hour 0; 7 h before is beyond its 6 h look-back.
    const weight = channels.indexOf('weight');
    expect([0, 1, 2, 3].map((t) => cell(0, t, weight))).toEqual([82.5, 82.5, 82.5, 82.5]);
    expect(observed(0, 0, weight)).toBe(1);
  });

  it('summarises each variable over the window in the tabular view', () => {
    const { features, values } = dataset.tabular;
    const F = features.length;
    const get = (i: number, name: string) => values[i * F + features.findIndex((f) => f.name === name)];
    expect(['min', 'max', 'mean', 'last', 'count'].map((s) => get(0, `heart_rate_${s}`))).toEqual([80, 100, 90, 100, 3]);
    expect(get(0, 'temperature_mean')).toBeCloseTo(37.2, 5);
    expect(get(0, 'temperature_last')).toBeCloseTo(37.2, 5); // two values at the last time: averaged
    // Labs join by patient and time (hadm_id may be empty); 15:00 is after the window.
    expect(['min', 'max', 'mean', 'last', 'count'].map((s) => get(0, `creatinine_${s}`))).toEqual([1.2, 1.4, 1.3, 1.4, 2].map(Math.fround));
    expect(get(1, 'sbp_count')).toBe(0);
    expect(Number.isNaN(get(1, 'sbp_mean'))).toBe(true);
    expect(get(0, 'age')).toBe(60);
    expect(get(1, 'age')).toBe(61); // admitted a year after anchor_year
    expect(get(0, 'sex_male')).toBe(1);
  });

  it('puts the single patient in train and warns about the empty splits', () => {
    expect(Array.from(dataset.splits)).toEqual([SPLIT_CODE.train, SPLIT_CODE.train]);
    expect(result.manifest.warnings).toEqual(expect.arrayContaining([expect.stringContaining('val split is empty')]));
    expect(readdirSync(work).sort()).toEqual(['mimic', 'out']); // no temporary directories left behind
  });

  it('refuses to load a dataset whose files were changed or that does not exist', async () => {
    const copy = join(work, 'tampered');
    cpSync(join(work, 'out'), copy, { recursive: true });
    const bytes = readFileSync(join(copy, 'timeseries.arrow'));
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(join(copy, 'timeseries.arrow'), bytes);
    await expect(loadDataset(copy)).rejects.toMatchObject({ code: 'E_DATASET_CORRUPT', message: expect.stringContaining('timeseries.arrow') });
    await expect(loadDataset(join(work, 'absent'))).rejects.toMatchObject({ code: 'E_DATASET_NOT_FOUND' });
    rmSync(copy, { recursive: true });
  });
});

describe('prepareDataset splits patients, not stays', () => {
  let work: string;
  let result: PrepareResult;

  beforeAll(async () => {
    // 12 adult patients with two admissions of one 2-day ICU stay each: 24 stays in the cohort, two per
    // patient. Patients 1–4 die in their second admission, 3 days after ICU admission (label 1).
    const header = (path: string) => FILES[path].split('\n')[0];
    const rows: Record<string, string[]> = { 'hosp/patients.csv': [], 'hosp/admissions.csv': [], 'icu/icustays.csv': [], 'icu/chartevents.csv': [] };
    for (let s = 1; s <= 12; s++) {
      rows['hosp/patients.csv'].push(`${s},F,50,2150,2011 - 2013,`);
      for (const a of [1, 2]) {
        const year = 2150 + a;
        const dies = a === 2 && s <= 4;
        const out = dies ? `${year}-01-04 00:00:00` : `${year}-01-10 00:00:00`;
        rows['hosp/admissions.csv'].push(`${s},${s * 10 + a},${year}-01-01 00:00:00,${out},${dies ? out : ''},URGENT,P1,ER,${dies ? 'DIED' : 'HOME'},Other,ENGLISH,,WHITE,,,${dies ? 1 : 0}`);
        rows['icu/icustays.csv'].push(`${s},${s * 10 + a},${s * 100 + a},MICU,MICU,${year}-01-01 00:00:00,${year}-01-03 00:00:00,2`);
        rows['icu/chartevents.csv'].push(`${s},${s * 10 + a},${s * 100 + a},,${year}-01-01 01:00:00,,220045,${60 + s},${60 + s},bpm,0`);
      }
    }
    work = mkdtempSync(join(tmpdir(), 'ehr-prepare-patients-'));
    const mimic = join(work, 'mimic');
    writeTinyMimic(mimic);
    for (const [path, lines] of Object.entries(rows)) writeFileSync(join(mimic, path), [header(path), ...lines, ''].join('\n'));
    result = await prepareDataset({ mimicDir: mimic, outDir: join(work, 'out'), windowHours: 4, seed: 2 });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('keeps both stays of every patient in one split and counts patients per split', () => {
    const { stayIds, subjectIds, splits } = result.dataset;
    expect(stayIds).toHaveLength(24);
    const splitOf = new Map<number, Set<number>>();
    for (let i = 0; i < stayIds.length; i++) splitOf.set(subjectIds[i], (splitOf.get(subjectIds[i]) ?? new Set()).add(splits[i]));
    expect([...splitOf.values()].map((s) => s.size)).toEqual(Array(12).fill(1));
    // Patients, not stays, are apportioned: 8 negative patients → (5.6, 1.2, 1.2) → 6/1/1; 4 positive → (2.8, .6, .6) → 3/1/0.
    expect(result.manifest.splits).toEqual({
      train: { stays: 18, positives: 3, subjects: 9 },
      val: { stays: 4, positives: 1, subjects: 2 },
      test: { stays: 2, positives: 0, subjects: 1 },
    });
  });
});
