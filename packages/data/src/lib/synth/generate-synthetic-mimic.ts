import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, Random, assertInput, removeStaleTemporariesOf, writeDirectoryAtomic, writeJsonAtomic, BugError } from '@ehr-backdoor/core';
import { ANCHOR_AGE_QUANTILES, CATEGORIES, LOS_DAYS_QUANTILES, MALE_FRACTION, QUANTILE_GRID } from './calibration.js';
import { CsvGzipWriter, csvField } from './csv-gzip-writer.js';
import { DEATH_MODEL, resolveItems, type ResolvedItem } from './model.js';
import { exponential, logistic, pick, QuantileMap, uniform } from './sampling.js';
import { D_ITEMS_ROWS, D_LABITEMS_ROWS, SYNTHETIC_TABLE_COLUMNS, type SyntheticTableName } from './schema.js';
import { StayLatent } from './stay-latent.js';
import type { DataCode } from '../error-codes.js';

/**
 * Synthetic MIMIC-IV in the real schema, written stay by stay through gzip streams.
 *
 *   patient (age, sex, anchor year) ─▶ admissions (ward-only or ICU; death ends the series)
 *     ─▶ ICU stays (1, sometimes 2 per admission) ─▶ latent severity/trend/organs (StayLatent)
 *     ─▶ chartevents (vitals ~hourly, GCS ~4-hourly, …) + labevents (panels every 6–24 h, ward labs daily)
 *     ─▶ hosp/*.csv.gz + icu/*.csv.gz in a temporary directory ─▶ rename to outDir
 *
 * Deterministic by seed: each patient draws from its own stream `Random.fromSeed(seed, 'patient:<i>')`,
 * so a larger `stays` extends a smaller one's patients instead of reshuffling them.
 */

export interface SyntheticMimicOptions {
  /** Number of ICU stays to generate (icustays rows). */
  readonly stays: number;
  readonly seed: number;
  /** Output MIMIC-IV root (gets hosp/ and icu/); must not exist. */
  readonly outDir: string;
  /** gzip level 1–9 (default 6, as gzip's own default). */
  readonly gzipLevel?: number;
  /** Called every few hundred stays and at the end. */
  readonly onProgress?: (progress: SyntheticProgress) => void;
}

/** Progress of {@link generateSyntheticMimic}: stays written of `total`, and event rows written so far. */
export interface SyntheticProgress {
  readonly stays: number;
  readonly total: number;
  readonly chartevents: number;
  readonly labevents: number;
}

/** The exclusion flow the mortality cohort should find in the generated data (window 24 h). */
export interface ExpectedCohortStep {
  readonly name: 'icu_stays' | 'adults' | 'first_stay_of_admission' | 'stay_at_least_window' | 'no_death_or_discharge_in_window';
  readonly remaining: number;
}

/**
 * What {@link generateSyntheticMimic} wrote: row counts per table, deaths, injected entry errors, and the
 * cohort flow `prepare` should find (which the tests check).
 */
export interface SyntheticMimicSummary {
  readonly outDir: string;
  readonly seed: number;
  readonly rows: Readonly<Record<SyntheticTableName, number>>;
  /** Admissions with hospital_expire_flag = 1. */
  readonly inHospitalDeaths: number;
  /** Expected CONSORT flow for the default 24 h window and its positives (death after the window). */
  readonly expectedCohort: { readonly windowHours: 24; readonly steps: readonly ExpectedCohortStep[]; readonly positives: number };
  /** Plausible-range entry errors injected (chartevents, labevents). */
  readonly entryErrors: { readonly chartevents: number; readonly labevents: number };
}

/** Upper bound of `stays` (2 000 000), far above MIMIC-IV's ≈ 94 000 ICU stays. */
export const MAX_SYNTHETIC_STAYS = 2_000_000;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WINDOW = 24 * HOUR;

/**
 * Writes a synthetic MIMIC-IV directory in the real schema (see {@link SYNTHETIC_TABLE_COLUMNS}), deterministic
 * by `seed`; the directory appears whole or not at all. The data are synthetic and marked as such, so no
 * figure computed from them is mistaken for patients.
 * @throws InputError `E_SYNTH_STAYS` unless `stays` is an integer in [1, {@link MAX_SYNTHETIC_STAYS}],
 * `E_SYNTH_SEED`, `E_SYNTH_GZIP_LEVEL` (1–9), `E_SYNTH_OUT`, `E_OUTPUT_EXISTS` when `outDir` exists.
 */
export async function generateSyntheticMimic(options: SyntheticMimicOptions): Promise<SyntheticMimicSummary> {
  const { stays, seed, outDir, gzipLevel = 6, onProgress } = options;
  assertInput<DataCode>(
    Number.isInteger(stays) && stays >= 1 && stays <= MAX_SYNTHETIC_STAYS,
    'E_SYNTH_STAYS',
    () => `--stays must be an integer in [1, ${MAX_SYNTHETIC_STAYS}], got ${String(stays)}.`,
  );
  assertInput<DataCode>(Number.isSafeInteger(seed), 'E_SYNTH_SEED', () => `--seed must be an integer, got ${String(seed)}.`);
  assertInput<DataCode>(
    Number.isInteger(gzipLevel) && gzipLevel >= 1 && gzipLevel <= 9,
    'E_SYNTH_GZIP_LEVEL',
    () => `gzipLevel must be an integer in [1, 9], got ${String(gzipLevel)}.`,
  );
  assertInput<DataCode>(typeof outDir === 'string' && outDir.length > 0, 'E_SYNTH_OUT', () => `--out must name a directory to create.`);
  if (existsSync(outDir)) {
    throw new InputError<DataCode>('E_OUTPUT_EXISTS', `output directory ${outDir} already exists; choose a new --out path or remove it first.`, {
      path: outDir,
    });
  }

  // What a killed earlier call left half-written beside outDir goes first.
  await removeStaleTemporariesOf(outDir);
  return writeDirectoryAtomic(outDir, async (tmp) => {
    await mkdir(join(tmp, 'hosp'));
    await mkdir(join(tmp, 'icu'));
    const writers = Object.fromEntries(
      (Object.keys(SYNTHETIC_TABLE_COLUMNS) as SyntheticTableName[]).map((name) => [
        name,
        new CsvGzipWriter(join(tmp, `${name}.csv.gz`), SYNTHETIC_TABLE_COLUMNS[name], gzipLevel),
      ]),
    ) as Record<SyntheticTableName, CsvGzipWriter>;
    try {
      for (const row of D_ITEMS_ROWS) writers['icu/d_items'].push(row);
      for (const row of D_LABITEMS_ROWS) writers['hosp/d_labitems'].push(row);
      const generator = new Generator(seed, stays, writers);
      let patient = 0;
      let lastReport = 0;
      while (generator.staysWritten < stays) {
        generator.patient(patient++);
        for (const writer of Object.values(writers)) await writer.flushIfFull();
        if (onProgress && generator.staysWritten - lastReport >= 250) {
          lastReport = generator.staysWritten;
          onProgress(generator.progress());
        }
      }
      for (const writer of Object.values(writers)) await writer.close();
      if (lastReport !== generator.staysWritten) onProgress?.(generator.progress());
      const summary: SyntheticMimicSummary = {
        outDir,
        seed,
        rows: Object.fromEntries(Object.entries(writers).map(([name, w]) => [name, w.rows])) as Record<SyntheticTableName, number>,
        inHospitalDeaths: generator.inHospitalDeaths,
        expectedCohort: { windowHours: 24, steps: generator.cohortSteps(), positives: generator.cohortPositives },
        entryErrors: { chartevents: generator.chartErrors, labevents: generator.labErrors },
      };
      await writeJsonAtomic(join(tmp, 'synthetic.json'), {
        generator: '@ehr-backdoor/data generateSyntheticMimic',
        note: 'Synthetic data in the MIMIC-IV schema; no real patient. Calibrated to the MIMIC-IV demo v2.2 (docs/synthetic.md).',
        stays,
        gzipLevel,
        ...summary,
        outDir: undefined,
      });
      return summary;
    } catch (error) {
      for (const writer of Object.values(writers)) writer.destroy();
      throw error;
    }
  });
}

// ---------------------------------------------------------------------------------------------------

const RESOLVED = resolveItems();
const ITEM = (key: string): ResolvedItem => {
  const found = RESOLVED.byKey.get(key);
  if (!found) throw new BugError(`unknown synthetic item ${key}`);
  return found;
};
const LOS_MAP = new QuantileMap(QUANTILE_GRID, LOS_DAYS_QUANTILES, 0.02, 60);
const AGE_MAP = new QuantileMap(QUANTILE_GRID, ANCHOR_AGE_QUANTILES, 18, 91);
// The demo only covers two anchor_year_groups; full MIMIC-IV v2.2 spans four.
const ANCHOR_YEAR_GROUPS = ['2008 - 2010', '2011 - 2013', '2014 - 2016', '2017 - 2019'];

interface Chart {
  readonly itemid: number;
  readonly item: ResolvedItem;
  readonly uom: string;
}
const chart = (itemid: number, key: string, uom: string): Chart => ({ itemid, item: ITEM(key), uom });
const HR = chart(220045, 'heart_rate', 'bpm');
const ABP = [chart(220050, 'abp_sys', 'mmHg'), chart(220051, 'abp_dia', 'mmHg'), chart(220052, 'abp_mean', 'mmHg')];
const NBP = [chart(220179, 'nbp_sys', 'mmHg'), chart(220180, 'nbp_dia', 'mmHg'), chart(220181, 'nbp_mean', 'mmHg')];
const RR = chart(220210, 'resp_rate', 'insp/min');
const RR_TOTAL = chart(224690, 'resp_rate', 'insp/min');
const SPO2 = chart(220277, 'spo2', '%');
const TEMP_F = chart(223761, 'temperature_f', '°F');
const FIO2 = chart(223835, 'fio2', '');
const GLUCOSE_FS = chart(225664, 'glucose_fingerstick', '');
const WEIGHT = chart(226512, 'weight', 'kg');
const HEIGHT = chart(226730, 'height', 'cm');
const GCS = [chart(220739, 'gcs_eye', ''), chart(223900, 'gcs_verbal', ''), chart(223901, 'gcs_motor', '')];
const GCS_TEXT: Record<number, readonly string[]> = {
  220739: ['', 'None', 'To Pain', 'To Speech', 'Spontaneously'],
  223900: ['', 'No Response', 'Incomprehensible sounds', 'Inappropriate Words', 'Confused', 'Oriented'],
  223901: ['', 'No response', 'Abnormal extension', 'Abnormal Flexion', 'Flex-withdraws', 'Localizes Pain', 'Obeys Commands'],
};

interface Lab {
  readonly itemid: number;
  readonly item: ResolvedItem;
  readonly uom: string;
  readonly low: string;
  readonly high: string;
}
// Units and reference ranges as in the demo's labevents.
const lab = (itemid: number, key: string, uom: string, low: string, high: string): Lab => ({ itemid, item: ITEM(key), uom, low, high });
const L = {
  creatinine: lab(50912, 'creatinine', 'mg/dL', '0.5', '1.2'),
  glucose: lab(50931, 'glucose', 'mg/dL', '70', '100'),
  sodium: lab(50983, 'sodium', 'mEq/L', '135', '147'),
  potassium: lab(50971, 'potassium', 'mEq/L', '3.3', '5.1'),
  chloride: lab(50902, 'chloride', 'mEq/L', '96', '108'),
  bicarbonate: lab(50882, 'bicarbonate', 'mEq/L', '22', '32'),
  bun: lab(51006, 'bun', 'mg/dL', '6', '20'),
  anion_gap: lab(50868, 'anion_gap', 'mEq/L', '10', '18'),
  calcium: lab(50893, 'calcium', 'mg/dL', '8.4', '10.3'),
  magnesium: lab(50960, 'magnesium', 'mg/dL', '1.6', '2.6'),
  phosphate: lab(50970, 'phosphate', 'mg/dL', '2.7', '4.5'),
  hemoglobin: lab(51222, 'hemoglobin', 'g/dL', '13.7', '17.5'),
  hematocrit: lab(51221, 'hematocrit', '%', '40', '51'),
  wbc: lab(51301, 'wbc', 'K/uL', '4', '10'),
  platelets: lab(51265, 'platelets', 'K/uL', '150', '400'),
  inr: lab(51237, 'inr', '', '0.9', '1.1'),
  bilirubin: lab(50885, 'bilirubin', 'mg/dL', '0', '1.5'),
  albumin: lab(50862, 'albumin', 'g/dL', '3.5', '5.2'),
  lactate: lab(50813, 'lactate', 'mmol/L', '0.5', '2'),
  ph: lab(50820, 'ph', 'units', '7.35', '7.45'),
  po2: lab(50821, 'po2', 'mm Hg', '85', '105'),
  pco2: lab(50818, 'pco2', 'mm Hg', '35', '45'),
} as const;

/** Plausible ranges of variables.ts, in the unit each item is charted in. */
const PLAUSIBLE_HIGH: Record<string, number> = {
  heart_rate: 300, abp_sys: 300, abp_dia: 250, abp_mean: 300, nbp_sys: 300, nbp_dia: 250, nbp_mean: 300,
  resp_rate: 80, spo2: 100, temperature_f: 113, fio2: 100, glucose_fingerstick: 2000, weight: 400, height: 250,
  creatinine: 30, glucose: 2000, sodium: 200, potassium: 12, chloride: 180, bicarbonate: 60, bun: 300,
  hemoglobin: 25, hematocrit: 75, wbc: 500, platelets: 2000, lactate: 30, ph: 8, po2: 700, pco2: 200,
  bilirubin: 70, albumin: 7, inr: 20, anion_gap: 60, calcium: 20, magnesium: 10, phosphate: 20,
};

/** Probability that a numeric row is a data-entry error (outside the plausible range). */
const CHART_ERROR_RATE = 0.0015;
const LAB_ERROR_RATE = 0.0005;

interface StayPlan {
  readonly stayId: number;
  readonly intime: number;
  readonly outtime: number;
  readonly latent: StayLatent;
  readonly careunit: string;
  readonly lastCareunit: string;
}

class Generator {
  staysWritten = 0;
  inHospitalDeaths = 0;
  chartErrors = 0;
  labErrors = 0;
  cohortPositives = 0;
  private readonly flow = { icu: 0, adults: 0, first: 0, long: 0, clean: 0 };
  private readonly idStep: number;
  private labeventId = 0;
  private random!: Random;

  constructor(
    private readonly seed: number,
    private readonly stays: number,
    private readonly w: Record<SyntheticTableName, CsvGzipWriter>,
  ) {
    // Spread ids over MIMIC's ranges (subject 1xxxxxxx, hadm 2xxxxxxx, stay 3xxxxxxx) without collisions.
    this.idStep = Math.max(1, Math.min(97, Math.floor(9_000_000 / (2 * stays + 10))));
  }

  progress(): SyntheticProgress {
    return { stays: this.staysWritten, total: this.stays, chartevents: this.w['icu/chartevents'].rows, labevents: this.w['hosp/labevents'].rows };
  }

  cohortSteps(): ExpectedCohortStep[] {
    const f = this.flow;
    return [
      { name: 'icu_stays', remaining: f.icu },
      { name: 'adults', remaining: f.adults },
      { name: 'first_stay_of_admission', remaining: f.first },
      { name: 'stay_at_least_window', remaining: f.long },
      { name: 'no_death_or_discharge_in_window', remaining: f.clean },
    ];
  }

  private nextId(base: number, counter: number): number {
    return base + counter * this.idStep + this.random.int(this.idStep);
  }

  private hadmCounter = 0;
  private stayCounter = 0;

  patient(index: number): void {
    const r = (this.random = Random.fromSeed(this.seed, `patient:${index}`));
    const subjectId = 10_000_000 + index * this.idStep + r.int(this.idStep);
    const male = r.next() < MALE_FRACTION;
    // MIMIC-IV holds adults only; a few minors exercise the cohort's age filter.
    const minor = r.next() < 0.01;
    const anchorAge = minor ? 15 + r.int(2) : Math.round(AGE_MAP.value(r.normal()));
    const anchorYear = 2110 + r.int(101);
    const anchorYearGroup = ANCHOR_YEAR_GROUPS[r.int(ANCHOR_YEAR_GROUPS.length)];
    // Height and weight are the patient's, not the stay's: one baseline reused by every stay.
    const sexShift = male ? 0.55 : -0.7;
    const body = new Map<number, number>([
      [ITEM('height').groupIndex, sexShift + 0.8 * r.normal()],
      [ITEM('weight').groupIndex, 0.5 * sexShift + 0.85 * r.normal()],
    ]);
    const race = pick(r, CATEGORIES.RACE.values, CATEGORIES.RACE.p);
    const language = pick(r, CATEGORIES.LANGUAGE.values, CATEGORIES.LANGUAGE.p);
    const marital = pick(r, CATEGORIES.MARITAL_STATUS.values, CATEGORIES.MARITAL_STATUS.p);
    const insurance = pick(r, CATEGORIES.INSURANCE.values, CATEGORIES.INSURANCE.p);

    let time = Date.UTC(anchorYear, 0, 1) + uniform(r, 0, 365) * DAY;
    let dod = '';
    // Minors get one admission in their anchor year, so that they are minors by any age definition.
    const icuAdmissions = minor ? 1 : 1 + (r.next() < 0.22 ? 1 + (r.next() < 0.3 ? 1 : 0) : 0);
    let lastDischarge = time;
    for (let a = 0; a < icuAdmissions && this.staysWritten < this.stays; a++) {
      // Ward-only admissions (no ICU) sit between ICU ones, as in MIMIC-IV where most admissions have no ICU stay.
      while (!minor && r.next() < 0.45) {
        time += exponential(r, 120) * DAY;
        lastDischarge = this.wardAdmission(subjectId, time, { race, language, marital, insurance });
        time = lastDischarge;
      }
      if (!minor) time += exponential(r, 150) * DAY;
      const outcome = this.icuAdmission(subjectId, time, anchorAge, anchorYear, body, { race, language, marital, insurance });
      lastDischarge = outcome.dischtime;
      time = outcome.dischtime;
      if (outcome.died) {
        dod = formatDate(outcome.dischtime);
        break;
      }
    }
    // Out-of-hospital deaths within a year of the last discharge (MIMIC-IV's dod is censored at one year).
    if (!dod && r.next() < 0.08) dod = formatDate(lastDischarge + uniform(r, 2, 365) * DAY);
    this.w['hosp/patients'].push(`${subjectId},${male ? 'M' : 'F'},${anchorAge},${anchorYear},${anchorYearGroup},${dod}`);
  }

  private ageAt(time: number, anchorAge: number, anchorYear: number): number {
    return anchorAge + new Date(time).getUTCFullYear() - anchorYear;
  }

  private admissionRow(
    subjectId: number,
    hadmId: number,
    admittime: number,
    dischtime: number,
    died: boolean,
    demographics: Demographics,
  ): void {
    const r = this.random;
    const type = pick(r, CATEGORIES.ADMISSION_TYPE.values, CATEGORIES.ADMISSION_TYPE.p);
    const location = pick(r, CATEGORIES.ADMISSION_LOCATION.values, CATEGORIES.ADMISSION_LOCATION.p);
    const discharge = died ? 'DIED' : pick(r, CATEGORIES.DISCHARGE_LOCATION_ALIVE.values, CATEGORIES.DISCHARGE_LOCATION_ALIVE.p);
    const viaEd = location === 'EMERGENCY ROOM' || type.includes('EMER') || type === 'EU OBSERVATION';
    const edreg = viaEd ? formatTime(admittime - uniform(r, 1, 10) * HOUR) : '';
    const edout = viaEd ? formatTime(admittime + uniform(r, 0, 1.5) * HOUR) : '';
    const provider = providerId(r);
    const { race, language, marital, insurance } = demographics;
    this.w['hosp/admissions'].push(
      [
        subjectId, hadmId, formatTime(admittime), formatTime(dischtime), died ? formatTime(dischtime) : '', type, provider,
        location, csvField(discharge), insurance, language, marital, csvField(race), edreg, edout, died ? 1 : 0,
      ].join(','),
    );
    if (died) this.inHospitalDeaths++;
  }

  private wardAdmission(subjectId: number, admittime: number, demographics: Demographics): number {
    const r = this.random;
    const hadmId = this.nextId(20_000_000, this.hadmCounter++);
    const dischtime = admittime + (0.5 + exponential(r, 4)) * DAY;
    const latent = new StayLatent(r, r.normal(-0.8, 0.7), 0, admittime, NaN, RESOLVED.groups);
    for (let t = admittime + uniform(r, 1, 6) * HOUR; t < dischtime; t += uniform(r, 20, 30) * HOUR) {
      this.labPanel(subjectId, hadmId, t, latent, false);
    }
    this.admissionRow(subjectId, hadmId, admittime, dischtime, false, demographics);
    return dischtime;
  }

  private icuAdmission(
    subjectId: number,
    admittime: number,
    anchorAge: number,
    anchorYear: number,
    body: ReadonlyMap<number, number>,
    demographics: Demographics,
  ): { died: boolean; dischtime: number } {
    const r = this.random;
    const hadmId = this.nextId(20_000_000, this.hadmCounter++);
    const age = this.ageAt(admittime, anchorAge, anchorYear);
    const severity = r.normal();
    const trend = r.normal();
    const logit = DEATH_MODEL.intercept + DEATH_MODEL.severity * severity + DEATH_MODEL.trend * trend + (DEATH_MODEL.agePer15Years * (age - 65)) / 15;
    const died = r.next() < logistic(logit);

    // ICU admission: mostly within hours of hospital admission (from the ED), sometimes days later.
    const intime = second(admittime + (r.next() < 0.65 ? uniform(r, 0.05, 6) : Math.min(exponential(r, 40), 400)) * HOUR);
    // Sicker patients stay longer; the LOS marginal is the demo's.
    const losDays = LOS_MAP.value(0.3 * severity + 0.954 * r.normal());
    const secondStay = this.staysWritten + 1 < this.stays && r.next() < 0.08;
    const diesInIcu = died && !secondStay && r.next() < 0.72;

    let outtime = second(intime + losDays * DAY);
    let deathtime = NaN;
    if (diesInIcu) {
      // The body leaves the unit after death: outtime follows deathtime by 0.3–6 h, as in the demo.
      deathtime = Math.max(intime + 0.3 * HOUR, outtime - uniform(r, 0.3, 6) * HOUR);
    }
    const careunit = pick(r, CATEGORIES.CAREUNIT.values, CATEGORIES.CAREUNIT.p);
    const plans: StayPlan[] = [];
    const first: StayPlan = {
      stayId: this.nextId(30_000_000, this.stayCounter++),
      intime,
      outtime,
      latent: new StayLatent(r, severity, trend, intime, deathtime, RESOLVED.groups, body),
      careunit,
      lastCareunit: r.next() < 0.9 ? careunit : pick(r, CATEGORIES.CAREUNIT.values, CATEGORIES.CAREUNIT.p),
    };
    plans.push(first);
    let dischtime: number;
    if (secondStay) {
      const intime2 = second(outtime + uniform(r, 8, 120) * HOUR);
      const outtime2 = second(intime2 + LOS_MAP.value(0.3 * severity + 0.954 * r.normal()) * DAY);
      if (died && r.next() < 0.8) deathtime = Math.max(intime2 + 0.3 * HOUR, outtime2 - uniform(r, 0.3, 6) * HOUR);
      const unit2 = pick(r, CATEGORIES.CAREUNIT.values, CATEGORIES.CAREUNIT.p);
      plans.push({
        stayId: this.nextId(30_000_000, this.stayCounter++),
        intime: intime2,
        outtime: outtime2,
        latent: new StayLatent(r, 0.7 * severity + 0.7 * r.normal(), trend, intime2, deathtime, RESOLVED.groups, body),
        careunit: unit2,
        lastCareunit: unit2,
      });
      outtime = outtime2;
    }
    if (died) {
      // Deaths after ICU discharge happen on the ward, days later.
      if (Number.isNaN(deathtime)) deathtime = outtime + (2 + exponential(r, 70)) * HOUR;
      dischtime = deathtime;
    } else {
      // In the demo 16 % of stays end with the hospital discharge a little before the ICU outtime is charted.
      dischtime = r.next() < 0.16 ? outtime - uniform(r, 0, 3) * HOUR : outtime + (4 + exponential(r, 110)) * HOUR;
      dischtime = Math.max(dischtime, plans[plans.length - 1].intime + 10 * 60_000);
    }

    for (const [k, plan] of plans.entries()) {
      this.icuStay(subjectId, hadmId, plan, k === 0 ? admittime : plans[k - 1].outtime, k === plans.length - 1 ? dischtime : plans[k + 1].intime);
      this.recordFlow(k === 0, anchorAge, plan, minute(deathtime), minute(dischtime), died);
    }
    this.admissionRow(subjectId, hadmId, admittime, dischtime, died, demographics);
    return { died, dischtime };
  }

  private recordFlow(first: boolean, anchorAge: number, plan: StayPlan, deathtime: number, dischtime: number, died: boolean): void {
    const f = this.flow;
    f.icu++;
    if (anchorAge < 18) return;
    f.adults++;
    if (!first) return;
    f.first++;
    if (plan.outtime - plan.intime < WINDOW) return;
    f.long++;
    const end = plan.intime + WINDOW;
    if (dischtime <= end || (Number.isFinite(deathtime) && deathtime <= end)) return;
    f.clean++;
    if (died) this.cohortPositives++;
  }

  /** One ICU stay: its icustays row, its charted vitals, and its labs from the previous boundary to the next. */
  private icuStay(subjectId: number, hadmId: number, plan: StayPlan, labsFrom: number, labsUntil: number): void {
    const r = this.random;
    const { stayId, intime, outtime, latent } = plan;
    const los = (outtime - intime) / DAY;
    this.w['icu/icustays'].push(
      `${subjectId},${hadmId},${stayId},${csvField(plan.careunit)},${csvField(plan.lastCareunit)},${formatTime(intime, true)},${formatTime(outtime, true)},${los}`,
    );
    this.staysWritten++;

    const severity = latent.severity;
    const ventilated = r.next() < logistic(-0.2 + 0.9 * severity);
    const oxygen = ventilated || r.next() < 0.15;
    const arterialLine = r.next() < logistic(-0.3 + 0.9 * severity);
    const celsius = r.next() < 0.1;
    const fingerstick = r.next() < 0.85;
    const caregivers = Array.from({ length: 6 }, () => 10_000 + r.int(90_000));
    const prefix = `${subjectId},${hadmId},${stayId},`;
    const push = (c: Chart, time: number, value: string, valuenum: string) => {
      const care = caregivers[r.int(caregivers.length)];
      const store = time + Math.round(uniform(r, 0, 40)) * 60_000;
      this.w['icu/chartevents'].push(`${prefix}${care},${formatTime(time)},${formatTime(store)},${c.itemid},${value},${valuenum},${c.uom},0`);
    };
    const numeric = (c: Chart, time: number, z?: number) => {
      let value = c.item.value(z ?? latent.z(c.item, time));
      if (r.next() < CHART_ERROR_RATE) {
        value = entryError(r, value, PLAUSIBLE_HIGH[c.item.key]);
        this.chartErrors++;
      }
      const text = value.toFixed(c.item.decimals);
      push(c, time, text, String(Number(text)));
    };

    // Admission weight and height, charted once near ICU admission.
    if (r.next() < 0.92) numeric(WEIGHT, minute(intime + uniform(r, 0.1, 3) * HOUR));
    if (r.next() < 0.5) numeric(HEIGHT, minute(intime + uniform(r, 0.1, 6) * HOUR));

    let outage = 0;
    const hours = Math.ceil((outtime - intime) / HOUR);
    for (let h = 0; h < hours; h++) {
      // Monitoring gaps: skipped hours, and occasional outages of a few hours (transport, procedures).
      if (outage > 0) {
        outage--;
        continue;
      }
      if (r.next() < 0.015) {
        outage = 1 + r.int(4);
        continue;
      }
      const t = minute(intime + (h + uniform(r, 0.05, 0.95)) * HOUR);
      if (t >= outtime) break;
      if (r.next() < 0.04) continue;
      numeric(HR, t);
      if (r.next() < 0.97) numeric(RR, t);
      if (r.next() < 0.95) numeric(SPO2, t);
      if (arterialLine) {
        for (const c of ABP) numeric(c, t);
        if (r.next() < 0.3) for (const c of NBP) numeric(c, minute(t + 5 * 60_000));
      } else if (r.next() < 0.93) {
        for (const c of NBP) numeric(c, t);
      }
      if (ventilated && r.next() < 0.25) numeric(RR_TOTAL, t);
      if (oxygen && r.next() < 0.22) numeric(FIO2, t);
      if (fingerstick && r.next() < 0.17) numeric(GLUCOSE_FS, t);
      if (r.next() < 0.26) {
        const z = latent.z(TEMP_F.item, t);
        if (celsius && r.next() < 0.6) {
          let c = (TEMP_F.item.value(z) - 32) * (5 / 9);
          if (r.next() < CHART_ERROR_RATE * 20) {
            // The classic temperature entry error: a Fahrenheit reading typed into the Celsius item.
            c = c * 1.8 + 32;
            this.chartErrors++;
          }
          const text = c.toFixed(1);
          push({ itemid: 223762, item: TEMP_F.item, uom: '°C' }, t, text, String(Number(text)));
        } else {
          numeric(TEMP_F, t, z);
        }
      }
      if (r.next() < 0.25) {
        const tg = minute(t + 2 * 60_000);
        for (const c of GCS) {
          const score = c.item.value(latent.z(c.item, tg));
          const text = c.itemid === 223900 && score === 1 && ventilated ? 'No Response-ETT' : GCS_TEXT[c.itemid][score];
          push(c, tg, text, String(score));
        }
      }
    }

    // Labs: hospital labs before the ICU (ED, ward), ICU panels every 6–24 h (more often when sicker),
    // blood gases with ventilation, then daily ward panels until the next stay or discharge.
    const firstDraw = Math.max(labsFrom + 0.5 * HOUR, intime - uniform(r, 0, 4) * HOUR);
    for (let t = firstDraw - DAY; t > labsFrom + HOUR; t -= DAY) this.labPanel(subjectId, hadmId, minute(t), latent, false);
    const interval = Math.min(24, Math.max(6, 14 - 4 * severity + 2 * r.normal()));
    for (let t = firstDraw; t < outtime; t += uniform(r, 0.75, 1.25) * interval * HOUR) {
      this.labPanel(subjectId, hadmId, minute(t), latent, ventilated || r.next() < 0.25);
    }
    if (ventilated) {
      for (let t = intime + uniform(r, 1, 6) * HOUR; t < outtime; t += uniform(r, 4, 10) * HOUR) this.bloodGas(subjectId, hadmId, minute(t), latent, 0.55);
    }
    for (let t = outtime + uniform(r, 10, 30) * HOUR; t < labsUntil && t < outtime + 30 * DAY; t += uniform(r, 20, 30) * HOUR) {
      this.labPanel(subjectId, hadmId, minute(t), latent, false);
    }
  }

  private labPanel(subjectId: number, hadmId: number, time: number, latent: StayLatent, gas: boolean): void {
    const r = this.random;
    const stat = r.next() < 0.35 ? 'STAT' : 'ROUTINE';
    if (r.next() < 0.97) {
      const specimen = this.specimenId();
      const na = this.labValue(L.sodium, time, latent);
      const hco3 = this.labValue(L.bicarbonate, time, latent);
      const gap = this.labValue(L.anion_gap, time, latent);
      const k = this.labValue(L.potassium, time, latent);
      // Chloride follows from the anion gap as the hospital's lab computes it (AG = Na + K − Cl − HCO3,
      // which is why MIMIC's median gap is 15), so every chemistry panel is internally consistent.
      const cl = Math.min(140, Math.max(60, Math.round(na + k - hco3 - gap)));
      for (const [labItem, value] of [
        [L.creatinine, this.labValue(L.creatinine, time, latent)],
        [L.glucose, this.labValue(L.glucose, time, latent)],
        [L.sodium, na],
        [L.potassium, k],
        [L.chloride, cl],
        [L.bicarbonate, hco3],
        [L.bun, this.labValue(L.bun, time, latent)],
        [L.anion_gap, gap],
      ] as const) {
        this.labRow(subjectId, hadmId, specimen, labItem, time, value, stat);
      }
      if (r.next() < 0.82) {
        for (const labItem of [L.calcium, L.magnesium, L.phosphate]) this.labRow(subjectId, hadmId, specimen, labItem, time, this.labValue(labItem, time, latent), stat);
      }
      if (r.next() < 0.3) this.labRow(subjectId, hadmId, specimen, L.bilirubin, time, this.labValue(L.bilirubin, time, latent), stat);
      if (r.next() < 0.12) this.labRow(subjectId, hadmId, specimen, L.albumin, time, this.labValue(L.albumin, time, latent), stat);
    }
    if (r.next() < 0.93) {
      const specimen = this.specimenId();
      const hb = this.labValue(L.hemoglobin, time, latent);
      for (const [labItem, value] of [
        [L.hemoglobin, hb],
        [L.hematocrit, this.labValue(L.hematocrit, time, latent)],
        [L.wbc, this.labValue(L.wbc, time, latent)],
        [L.platelets, this.labValue(L.platelets, time, latent)],
      ] as const) {
        this.labRow(subjectId, hadmId, specimen, labItem, time, value, stat);
      }
    }
    if (r.next() < 0.55) this.labRow(subjectId, hadmId, this.specimenId(), L.inr, time, this.labValue(L.inr, time, latent), stat);
    if (gas) this.bloodGas(subjectId, hadmId, time, latent, 0.7);
  }

  private bloodGas(subjectId: number, hadmId: number, time: number, latent: StayLatent, lactateRate: number): void {
    const r = this.random;
    const specimen = this.specimenId();
    for (const labItem of [L.ph, L.po2, L.pco2]) this.labRow(subjectId, hadmId, specimen, labItem, time, this.labValue(labItem, time, latent), '');
    if (r.next() < lactateRate) this.labRow(subjectId, hadmId, specimen, L.lactate, time, this.labValue(L.lactate, time, latent), '');
  }

  private labValue(labItem: Lab, time: number, latent: StayLatent): number {
    return labItem.item.value(latent.z(labItem.item, time));
  }

  private specimenId(): number {
    return 1 + this.random.int(99_999_999);
  }

  private labRow(subjectId: number, hadmId: number, specimen: number, labItem: Lab, time: number, raw: number, priority: string): void {
    const r = this.random;
    let value = raw;
    if (r.next() < LAB_ERROR_RATE) {
      value = entryError(r, value, PLAUSIBLE_HIGH[labItem.item.key]);
      this.labErrors++;
    }
    const text = value.toFixed(labItem.item.decimals);
    const num = Number(text);
    const flag = num < Number(labItem.low) || num > Number(labItem.high) ? 'abnormal' : '';
    const store = time + Math.round(uniform(r, 25, 150)) * 60_000;
    const provider = r.next() < 0.3 ? providerId(r) : '';
    this.w['hosp/labevents'].push(
      `${++this.labeventId},${subjectId},${hadmId},${specimen},${labItem.itemid},${provider},${formatTime(time)},${formatTime(store)},${text},${num},${labItem.uom},${labItem.low},${labItem.high},${flag},${priority},`,
    );
  }
}

interface Demographics {
  readonly race: string;
  readonly language: string;
  readonly marital: string;
  readonly insurance: string;
}

/** A value outside the plausible range: a decimal slip (×100) when that is implausible, else 999999. */
function entryError(random: Random, value: number, plausibleHigh: number): number {
  const slipped = value * 100;
  return random.next() < 0.6 && slipped > plausibleHigh ? slipped : 999999;
}

function providerId(random: Random): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = 'P';
  for (let i = 0; i < 5; i++) id += alphabet[random.int(alphabet.length)];
  return id;
}

/** ICU in/out times have second resolution. */
function second(time: number): number {
  return Math.floor(time / 1000) * 1000;
}

/** Charted times have minute resolution. */
function minute(time: number): number {
  return Math.floor(time / 60_000) * 60_000;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
let cachedDay = NaN;
let cachedDayPrefix = '';

/** `YYYY-MM-DD HH:MM:SS`, MIMIC's timestamp format (seconds truncated to :00 unless `seconds`). */
function formatTime(time: number, seconds = false): string {
  const t = Math.floor(time / (seconds ? 1000 : 60_000)) * (seconds ? 1000 : 60_000);
  // Rows of a stay fall on a handful of days: format the date part once per day (a hot path).
  const day = Math.floor(t / DAY);
  if (day !== cachedDay) {
    const d = new Date(day * DAY);
    cachedDay = day;
    cachedDayPrefix = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} `;
  }
  const s = Math.floor((t - day * DAY) / 1000);
  return `${cachedDayPrefix}${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}

function formatDate(time: number): string {
  return formatTime(time).slice(0, 10);
}
