/**
 * Calibrates the synthetic MIMIC-IV generator against the real MIMIC-IV demo, and compares a synthetic
 * directory with the demo.
 *
 *   demo (hosp/ + icu/ csv.gz) ──DuckDB──▶ ICU-stay values per variable ──▶ quantile grids / PMFs,
 *       category frequencies, stay timing ──▶ packages/data/src/lib/synth/calibration.ts (--write)
 *   demo + synthetic ──DuckDB──▶ per variable: median, IQR, two-sample KS ──▶ markdown table (--compare)
 *
 * Usage (from the repository root):
 *   npx tsx tools/scripts/calibrate-synth.ts --write                      (demo: datasets/mimic-iv-demo)
 *   npx tsx tools/scripts/calibrate-synth.ts --compare /tmp/synth-dir     (median, IQR, KS per item)
 *
 * Values are taken as the pipeline sees them: chartevents rows of an ICU stay, labevents rows of an
 * ICU admission charted between ICU admission minus 6 h and ICU discharge, inside the variable's
 * plausible range. Temperatures are calibrated on the °F item (223761), which dominates real MIMIC.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

type Connection = Awaited<ReturnType<Awaited<ReturnType<typeof DuckDBInstance.create>>['connect']>>;

/** The quantile grid of continuous variables: dense in the tails, where clinical signal lives. */
const GRID = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99,
  0.995,
];

interface CalibratedItem {
  readonly key: string;
  readonly source: 'chartevents' | 'labevents';
  readonly itemids: readonly number[];
  readonly plausible: readonly [number, number];
  /** Discrete items get a probability mass function instead of a quantile grid. */
  readonly discrete?: boolean;
  /** One value per stay (weight, height): calibrate on stays, not rows. */
  readonly perStay?: boolean;
}

// Mirrors packages/data/src/lib/variables.ts, except temperature (°F item only) and the split of blood
// pressure by device: arterial and cuff pressures differ, and real MIMIC charts both.
const ITEMS: readonly CalibratedItem[] = [
  { key: 'heart_rate', source: 'chartevents', itemids: [220045], plausible: [0, 300] },
  { key: 'abp_sys', source: 'chartevents', itemids: [220050], plausible: [0, 300] },
  { key: 'abp_dia', source: 'chartevents', itemids: [220051], plausible: [0, 250] },
  { key: 'abp_mean', source: 'chartevents', itemids: [220052], plausible: [0, 300] },
  { key: 'nbp_sys', source: 'chartevents', itemids: [220179], plausible: [0, 300] },
  { key: 'nbp_dia', source: 'chartevents', itemids: [220180], plausible: [0, 250] },
  { key: 'nbp_mean', source: 'chartevents', itemids: [220181], plausible: [0, 300] },
  { key: 'resp_rate', source: 'chartevents', itemids: [220210, 224690], plausible: [0, 80] },
  { key: 'spo2', source: 'chartevents', itemids: [220277], plausible: [0, 100] },
  { key: 'temperature_f', source: 'chartevents', itemids: [223761], plausible: [77, 113] },
  { key: 'gcs_eye', source: 'chartevents', itemids: [220739], plausible: [1, 4], discrete: true },
  { key: 'gcs_verbal', source: 'chartevents', itemids: [223900], plausible: [1, 5], discrete: true },
  { key: 'gcs_motor', source: 'chartevents', itemids: [223901], plausible: [1, 6], discrete: true },
  { key: 'fio2', source: 'chartevents', itemids: [223835], plausible: [21, 100], discrete: true },
  { key: 'glucose_fingerstick', source: 'chartevents', itemids: [225664], plausible: [10, 2000] },
  { key: 'weight', source: 'chartevents', itemids: [226512], plausible: [20, 400], perStay: true },
  { key: 'height', source: 'chartevents', itemids: [226730], plausible: [100, 250], perStay: true },
  { key: 'creatinine', source: 'labevents', itemids: [50912], plausible: [0.1, 30] },
  { key: 'glucose', source: 'labevents', itemids: [50931], plausible: [10, 2000] },
  { key: 'sodium', source: 'labevents', itemids: [50983], plausible: [90, 200] },
  { key: 'potassium', source: 'labevents', itemids: [50971], plausible: [1, 12] },
  { key: 'chloride', source: 'labevents', itemids: [50902], plausible: [50, 180] },
  { key: 'bicarbonate', source: 'labevents', itemids: [50882], plausible: [2, 60] },
  { key: 'bun', source: 'labevents', itemids: [51006], plausible: [1, 300] },
  { key: 'hemoglobin', source: 'labevents', itemids: [51222], plausible: [1, 25] },
  { key: 'hematocrit', source: 'labevents', itemids: [51221], plausible: [5, 75] },
  { key: 'wbc', source: 'labevents', itemids: [51301], plausible: [0.1, 500] },
  { key: 'platelets', source: 'labevents', itemids: [51265], plausible: [1, 2000] },
  { key: 'lactate', source: 'labevents', itemids: [50813], plausible: [0.1, 30] },
  { key: 'ph', source: 'labevents', itemids: [50820], plausible: [6.5, 8] },
  { key: 'po2', source: 'labevents', itemids: [50821], plausible: [10, 700] },
  { key: 'pco2', source: 'labevents', itemids: [50818], plausible: [5, 200] },
  { key: 'bilirubin', source: 'labevents', itemids: [50885], plausible: [0.1, 70] },
  { key: 'albumin', source: 'labevents', itemids: [50862], plausible: [0.5, 7] },
  { key: 'inr', source: 'labevents', itemids: [51237], plausible: [0.5, 20] },
  { key: 'anion_gap', source: 'labevents', itemids: [50868], plausible: [0, 60] },
  { key: 'calcium', source: 'labevents', itemids: [50893], plausible: [3, 20] },
  { key: 'magnesium', source: 'labevents', itemids: [50960], plausible: [0.3, 10] },
  { key: 'phosphate', source: 'labevents', itemids: [50970], plausible: [0.3, 20] },
];

function table(root: string, name: string): string {
  return `read_csv('${join(root, name).replace(/'/g, "''")}.csv.gz', header = true, sample_size = -1)`;
}

/**
 * Loads the rows every item needs from one MIMIC-IV root into two small tables, `<prefix>_ce` and
 * `<prefix>_le`, so that each file is scanned once rather than once per item.
 */
async function loadSource(connection: Connection, root: string, prefix: string): Promise<void> {
  const chartIds = ITEMS.filter((i) => i.source === 'chartevents')
    .flatMap((i) => i.itemids)
    .join(', ');
  const labIds = ITEMS.filter((i) => i.source === 'labevents')
    .flatMap((i) => i.itemids)
    .join(', ');
  await connection.run(`create or replace table ${prefix}_ce as
    select stay_id, charttime, itemid, valuenum from ${table(root, 'icu/chartevents')}
    where itemid in (${chartIds}) and stay_id is not null and valuenum is not null`);
  await connection.run(`create or replace table ${prefix}_le as
    select l.itemid, l.valuenum
    from ${table(root, 'hosp/labevents')} l
    join ${table(root, 'icu/icustays')} i on l.hadm_id = i.hadm_id
      and l.charttime between i.intime - interval 6 hour and i.outtime
    where l.itemid in (${labIds}) and l.valuenum is not null`);
}

/** ICU-stay values of one item, in plausible range, as a SQL relation with one column `x`. */
function valuesSql(prefix: string, item: CalibratedItem): string {
  const ids = item.itemids.join(', ');
  const [lo, hi] = item.plausible;
  if (item.source === 'chartevents') {
    const rows = `select stay_id, charttime, valuenum from ${prefix}_ce where itemid in (${ids}) and valuenum between ${lo} and ${hi}`;
    return item.perStay
      ? `select arg_min(valuenum, charttime) as x from (${rows}) group by stay_id`
      : `select valuenum as x from (${rows})`;
  }
  return `select valuenum as x from ${prefix}_le where itemid in (${ids}) and valuenum between ${lo} and ${hi}`;
}

async function rows(connection: Connection, sql: string): Promise<Record<string, unknown>[]> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

const round = (x: number, digits = 4): number => Number(x.toFixed(digits));

async function calibrate(connection: Connection, demo: string): Promise<string> {
  const out: string[] = [];
  out.push('// Generated by tools/scripts/calibrate-synth.ts --write from the MIMIC-IV Clinical Database Demo v2.2');
  out.push('// (PhysioNet, ODbL; see docs/synthetic.md). Do not edit by hand: re-run the script.');
  out.push('');
  out.push('/** Quantile grid (probabilities) shared by every continuous item below. */');
  out.push(`export const QUANTILE_GRID = ${JSON.stringify(GRID)} as const;`);
  out.push('');
  out.push('export interface ItemCalibration {');
  out.push('  /** Values at QUANTILE_GRID (continuous items). */');
  out.push('  readonly quantiles?: readonly number[];');
  out.push('  /** Support and probabilities (discrete items). */');
  out.push('  readonly pmf?: { readonly values: readonly number[]; readonly p: readonly number[] };');
  out.push('  readonly n: number;');
  out.push('}');
  out.push('');
  out.push('export const ITEM_CALIBRATION: Readonly<Record<string, ItemCalibration>> = {');
  await loadSource(connection, demo, 'demo');
  for (const item of ITEMS) {
    const values = valuesSql('demo', item);
    if (item.discrete) {
      const pmf = await rows(connection, `select round(x) as v, count(*) as n from (${values}) group by 1 order by 1`);
      const total = pmf.reduce((sum, r) => sum + Number(r.n), 0);
      const support = pmf.map((r) => Number(r.v));
      const p = pmf.map((r) => round(Number(r.n) / total));
      out.push(`  ${item.key}: { pmf: { values: ${JSON.stringify(support)}, p: ${JSON.stringify(p)} }, n: ${total} },`);
    } else {
      const [q] = await rows(connection, `select quantile_cont(x, ${JSON.stringify(GRID)}) as q, count(*) as n from (${values})`);
      const quantiles = (q.q as number[]).map((x) => round(x));
      out.push(`  ${item.key}: { quantiles: ${JSON.stringify(quantiles)}, n: ${Number(q.n)} },`);
    }
  }
  out.push('};');
  out.push('');

  // Categorical columns of admissions and icustays: frequencies, so the synthetic tables look like MIMIC's.
  const categorical: [string, string, string][] = [
    ['ADMISSION_TYPE', 'hosp/admissions', 'admission_type'],
    ['ADMISSION_LOCATION', 'hosp/admissions', 'admission_location'],
    ['DISCHARGE_LOCATION_ALIVE', 'hosp/admissions', 'discharge_location'],
    ['INSURANCE', 'hosp/admissions', 'insurance'],
    ['LANGUAGE', 'hosp/admissions', 'language'],
    ['MARITAL_STATUS', 'hosp/admissions', 'marital_status'],
    ['RACE', 'hosp/admissions', 'race'],
    ['CAREUNIT', 'icu/icustays', 'first_careunit'],
    ['ANCHOR_YEAR_GROUP', 'hosp/patients', 'anchor_year_group'],
  ];
  out.push('/** Category frequencies (empty string = NULL in the CSV). */');
  out.push('export const CATEGORIES: Readonly<Record<string, { readonly values: readonly string[]; readonly p: readonly number[] }>> = {');
  for (const [name, source, column] of categorical) {
    const where = name === 'DISCHARGE_LOCATION_ALIVE' ? 'where hospital_expire_flag = 0' : '';
    const freq = await rows(
      connection,
      `select coalesce(${column}, '') as v, count(*) as n from ${table(demo, source)} ${where} group by 1 order by 2 desc, 1`,
    );
    const total = freq.reduce((sum, r) => sum + Number(r.n), 0);
    out.push(
      `  ${name}: { values: ${JSON.stringify(freq.map((r) => String(r.v)))}, p: ${JSON.stringify(freq.map((r) => round(Number(r.n) / total)))} },`,
    );
  }
  out.push('};');
  out.push('');

  const [los] = await rows(connection, `select quantile_cont(los, ${JSON.stringify(GRID)}) as q from ${table(demo, 'icu/icustays')}`);
  out.push('/** ICU length of stay in days at QUANTILE_GRID. */');
  out.push(`export const LOS_DAYS_QUANTILES = ${JSON.stringify((los.q as number[]).map((x) => round(x)))} as const;`);
  const [age] = await rows(
    connection,
    `select quantile_cont(anchor_age, ${JSON.stringify(GRID)}) as q from ${table(demo, 'hosp/patients')}`,
  );
  out.push('/** anchor_age at QUANTILE_GRID. */');
  out.push(`export const ANCHOR_AGE_QUANTILES = ${JSON.stringify((age.q as number[]).map((x) => round(x)))} as const;`);
  const [sex] = await rows(connection, `select avg((gender = 'M')::int) as m from ${table(demo, 'hosp/patients')}`);
  out.push(`export const MALE_FRACTION = ${round(Number(sex.m))};`);
  return out.join('\n') + '\n';
}

/** Two-sample Kolmogorov–Smirnov statistic sup |F_demo − F_synth| computed in DuckDB over the pooled support. */
function ksSql(demoValues: string, synthValues: string): string {
  return `with pooled as (
      select x, 1 as d, 0 as s from (${demoValues}) union all select x, 0, 1 from (${synthValues})),
    counts as (select x, sum(d) as d, sum(s) as s from pooled group by x),
    ecdf as (select sum(d) over (order by x) / sum(d) over () as fd, sum(s) over (order by x) / sum(s) over () as fs from counts)
    select max(abs(fd - fs)) as ks from ecdf`;
}

async function compare(connection: Connection, demo: string, synth: string): Promise<string> {
  const lines = [
    '| item | itemids | demo n | demo median [IQR] | synthetic n | synthetic median [IQR] | KS |',
    '|---|---|---:|---|---:|---|---:|',
  ];
  const summary = (values: string) =>
    `select count(*) as n, median(x) as m, quantile_cont(x, 0.25) as q1, quantile_cont(x, 0.75) as q3 from (${values})`;
  const fmt = (r: Record<string, unknown>) => `${round(Number(r.m), 3)} [${round(Number(r.q1), 3)}–${round(Number(r.q3), 3)}]`;
  await loadSource(connection, demo, 'demo');
  await loadSource(connection, synth, 'synth');
  for (const item of ITEMS) {
    const d = valuesSql('demo', item);
    const s = valuesSql('synth', item);
    const [dr] = await rows(connection, summary(d));
    const [sr] = await rows(connection, summary(s));
    const [ks] = await rows(connection, ksSql(d, s));
    lines.push(`| ${item.key} | ${item.itemids.join(', ')} | ${dr.n} | ${fmt(dr)} | ${sr.n} | ${fmt(sr)} | ${round(Number(ks.ks), 3)} |`);
    process.stderr.write(`  ${item.key}: KS ${round(Number(ks.ks), 3)}\n`);
  }
  return lines.join('\n') + '\n';
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const demo = resolve(option('demo') ?? 'datasets/mimic-iv-demo');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const synth = option('compare');
  if (synth) {
    process.stdout.write(await compare(connection, demo, resolve(synth)));
    return;
  }
  const text = await calibrate(connection, demo);
  if (process.argv.includes('--write')) {
    const target = resolve('packages/data/src/lib/synth/calibration.ts');
    writeFileSync(target, text);
    process.stderr.write(`wrote ${target}\n`);
  } else {
    process.stdout.write(text);
  }
}

await main();
