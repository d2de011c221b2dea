import { CATEGORIES, LOS_DAYS_QUANTILES, QUANTILE_GRID } from './calibration.js';
import { csvField } from './csv-gzip-writer.js';
import type { PatientScope } from './generation.js';
import { writeIcuStay, type StayPlan } from './icu-stay.js';
import { RESOLVED } from './items.js';
import { labPanel } from './labs.js';
import { DEATH_MODEL } from './model.js';
import { exponential, logistic, pick, providerId, QuantileMap, uniform } from './sampling.js';
import { StayLatent } from './stay-latent.js';
import { DAY, HOUR, minute, second } from './time-format.js';

/**
 * Hospital admissions of a patient: ward-only ones (no ICU, daily labs) and ICU ones, whose severity,
 * trend and death are drawn here and handed to their one or two ICU stays; each ends in its admissions row.
 */

/** A patient's characteristics every admission reads. */
export interface Patient {
  readonly anchorAge: number;
  readonly anchorYear: number;
  /** Height and weight baselines by item group: the patient's, reused by every stay. */
  readonly body: ReadonlyMap<number, number>;
  readonly demographics: Demographics;
}

export interface Demographics {
  readonly race: string;
  readonly language: string;
  readonly marital: string;
  readonly insurance: string;
}

const LOS_MAP = new QuantileMap(QUANTILE_GRID, LOS_DAYS_QUANTILES, 0.02, 60);

/** A ward-only admission (no ICU stay): daily lab panels of a mildly ill patient. Returns its discharge time. */
export function wardAdmission(scope: PatientScope, patient: Patient, admittime: number): number {
  const { random: r, generation } = scope;
  const hadmId = generation.nextHadmId(r);
  const dischtime = admittime + (0.5 + exponential(r, 4)) * DAY;
  const latent = new StayLatent(r, r.normal(-0.8, 0.7), 0, admittime, NaN, RESOLVED.groups);
  for (let t = admittime + uniform(r, 1, 6) * HOUR; t < dischtime; t += uniform(r, 20, 30) * HOUR) {
    labPanel(scope, hadmId, t, latent, false);
  }
  admissionRow(scope, hadmId, admittime, dischtime, false, patient.demographics);
  return dischtime;
}

/** What an ICU admission's latent draws decided. */
interface IcuCourse {
  readonly severity: number;
  readonly trend: number;
  readonly died: boolean;
}

/**
 * An ICU admission: severity, trend and death drawn from the death model, its ICU stays planned, the
 * discharge (or death) time, then the stays and the admissions row written.
 */
export function icuAdmission(scope: PatientScope, patient: Patient, admittime: number): { died: boolean; dischtime: number } {
  const { random: r, generation } = scope;
  const hadmId = generation.nextHadmId(r);
  const age = patient.anchorAge + new Date(admittime).getUTCFullYear() - patient.anchorYear;
  const severity = r.normal();
  const trend = r.normal();
  const logit = DEATH_MODEL.intercept + DEATH_MODEL.severity * severity + DEATH_MODEL.trend * trend + (DEATH_MODEL.agePer15Years * (age - 65)) / 15;
  const course: IcuCourse = { severity, trend, died: r.next() < logistic(logit) };
  const stays = planIcuStays(scope, course, admittime, patient.body);
  const { dischtime, deathtime } = hospitalEnd(scope, course.died, stays.plans, stays.deathtime);

  const { plans } = stays;
  for (const [k, plan] of plans.entries()) {
    writeIcuStay(scope, hadmId, plan, k === 0 ? admittime : plans[k - 1].outtime, k === plans.length - 1 ? dischtime : plans[k + 1].intime);
    generation.cohort.record({
      firstOfAdmission: k === 0,
      anchorAge: patient.anchorAge,
      intime: plan.intime,
      outtime: plan.outtime,
      deathtime: minute(deathtime),
      dischtime: minute(dischtime),
      died: course.died,
    });
  }
  admissionRow(scope, hadmId, admittime, dischtime, course.died, patient.demographics);
  return { died: course.died, dischtime };
}

/**
 * The admission's ICU stays (8 % have a second one) and, when the patient dies in the ICU, the death
 * time (NaN otherwise): the body leaves the unit 0.3–6 h after death, as in the demo.
 */
function planIcuStays(scope: PatientScope, course: IcuCourse, admittime: number, body: ReadonlyMap<number, number>): { plans: StayPlan[]; deathtime: number } {
  const { random: r, generation } = scope;
  const { severity, trend, died } = course;
  // ICU admission: mostly within hours of hospital admission (from the ED), sometimes days later.
  const intime = second(admittime + (r.next() < 0.65 ? uniform(r, 0.05, 6) : Math.min(exponential(r, 40), 400)) * HOUR);
  // Sicker patients stay longer; the LOS marginal is the demo's.
  const losDays = LOS_MAP.value(0.3 * severity + 0.954 * r.normal());
  const secondStay = generation.staysWritten + 1 < generation.stays && r.next() < 0.08;
  const diesInIcu = died && !secondStay && r.next() < 0.72;

  const outtime = second(intime + losDays * DAY);
  let deathtime = NaN;
  if (diesInIcu) deathtime = Math.max(intime + 0.3 * HOUR, outtime - uniform(r, 0.3, 6) * HOUR);
  const careunit = pick(r, CATEGORIES.CAREUNIT.values, CATEGORIES.CAREUNIT.p);
  const plans: StayPlan[] = [
    {
      stayId: generation.nextStayId(r),
      intime,
      outtime,
      latent: new StayLatent(r, severity, trend, intime, deathtime, RESOLVED.groups, body),
      careunit,
      lastCareunit: r.next() < 0.9 ? careunit : pick(r, CATEGORIES.CAREUNIT.values, CATEGORIES.CAREUNIT.p),
    },
  ];
  if (secondStay) {
    const intime2 = second(outtime + uniform(r, 8, 120) * HOUR);
    const outtime2 = second(intime2 + LOS_MAP.value(0.3 * severity + 0.954 * r.normal()) * DAY);
    if (died && r.next() < 0.8) deathtime = Math.max(intime2 + 0.3 * HOUR, outtime2 - uniform(r, 0.3, 6) * HOUR);
    const unit2 = pick(r, CATEGORIES.CAREUNIT.values, CATEGORIES.CAREUNIT.p);
    plans.push({
      stayId: generation.nextStayId(r),
      intime: intime2,
      outtime: outtime2,
      latent: new StayLatent(r, 0.7 * severity + 0.7 * r.normal(), trend, intime2, deathtime, RESOLVED.groups, body),
      careunit: unit2,
      lastCareunit: unit2,
    });
  }
  return { plans, deathtime };
}

/** When the admission ends: death (on the ward days after the ICU unless it happened there) or discharge. */
function hospitalEnd(scope: PatientScope, died: boolean, plans: readonly StayPlan[], icuDeathtime: number): { dischtime: number; deathtime: number } {
  const r = scope.random;
  const outtime = plans[plans.length - 1].outtime;
  if (died) {
    // Deaths after ICU discharge happen on the ward, days later.
    const deathtime = Number.isNaN(icuDeathtime) ? outtime + (2 + exponential(r, 70)) * HOUR : icuDeathtime;
    return { dischtime: deathtime, deathtime };
  }
  // In the demo 16 % of stays end with the hospital discharge a little before the ICU outtime is charted.
  const dischtime = r.next() < 0.16 ? outtime - uniform(r, 0, 3) * HOUR : outtime + (4 + exponential(r, 110)) * HOUR;
  return { dischtime: Math.max(dischtime, plans[plans.length - 1].intime + 10 * 60_000), deathtime: icuDeathtime };
}

/** The admissions row: type, locations (ED times when it came through the ED), provider, demographics, outcome. */
function admissionRow(scope: PatientScope, hadmId: number, admittime: number, dischtime: number, died: boolean, demographics: Demographics): void {
  const { random: r, generation } = scope;
  const clock = generation.time;
  const type = pick(r, CATEGORIES.ADMISSION_TYPE.values, CATEGORIES.ADMISSION_TYPE.p);
  const location = pick(r, CATEGORIES.ADMISSION_LOCATION.values, CATEGORIES.ADMISSION_LOCATION.p);
  const discharge = died ? 'DIED' : pick(r, CATEGORIES.DISCHARGE_LOCATION_ALIVE.values, CATEGORIES.DISCHARGE_LOCATION_ALIVE.p);
  const viaEd = location === 'EMERGENCY ROOM' || type.includes('EMER') || type === 'EU OBSERVATION';
  const edreg = viaEd ? clock.format(admittime - uniform(r, 1, 10) * HOUR) : '';
  const edout = viaEd ? clock.format(admittime + uniform(r, 0, 1.5) * HOUR) : '';
  const provider = providerId(r);
  const { race, language, marital, insurance } = demographics;
  generation.tables['hosp/admissions'].push(
    [
      scope.subjectId, hadmId, clock.format(admittime), clock.format(dischtime), died ? clock.format(dischtime) : '', type, provider,
      location, csvField(discharge), insurance, language, marital, csvField(race), edreg, edout, died ? 1 : 0,
    ].join(','),
  );
  if (died) generation.inHospitalDeaths++;
}
