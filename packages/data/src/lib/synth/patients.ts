import { icuAdmission, wardAdmission, type Patient } from './admissions.js';
import { ANCHOR_AGE_QUANTILES, CATEGORIES, MALE_FRACTION, QUANTILE_GRID } from './calibration.js';
import type { Generation, PatientScope } from './generation.js';
import { itemModel } from './items.js';
import { exponential, pick, QuantileMap, uniform } from './sampling.js';
import { DAY } from './time-format.js';

/**
 * One patient: characteristics drawn from their own random stream, then their admissions in time order
 * (ward-only ones between ICU ones; an in-hospital death ends the series), then their patients row.
 */

const AGE_MAP = new QuantileMap(QUANTILE_GRID, ANCHOR_AGE_QUANTILES, 18, 91);
// The demo only covers two anchor_year_groups; full MIMIC-IV v2.2 spans four.
const ANCHOR_YEAR_GROUPS = ['2008 - 2010', '2011 - 2013', '2014 - 2016', '2017 - 2019'];

/** Writes patient `index` and all their admissions, stays and events (fewer stays once the generation is full). */
export function writePatient(generation: Generation, index: number): void {
  const random = generation.patientRandom(index);
  const scope: PatientScope = { generation, random, subjectId: generation.subjectId(index, random) };
  const r = random;
  const male = r.next() < MALE_FRACTION;
  // MIMIC-IV holds adults only; a few minors exercise the cohort's age filter.
  const minor = r.next() < 0.01;
  const anchorAge = minor ? 15 + r.int(2) : Math.round(AGE_MAP.value(r.normal()));
  const anchorYear = 2110 + r.int(101);
  const anchorYearGroup = ANCHOR_YEAR_GROUPS[r.int(ANCHOR_YEAR_GROUPS.length)];
  // Height and weight are the patient's, not the stay's: one baseline reused by every stay.
  const sexShift = male ? 0.55 : -0.7;
  const body = new Map<number, number>([
    [itemModel('height').groupIndex, sexShift + 0.8 * r.normal()],
    [itemModel('weight').groupIndex, 0.5 * sexShift + 0.85 * r.normal()],
  ]);
  const demographics = {
    race: pick(r, CATEGORIES.RACE.values, CATEGORIES.RACE.p),
    language: pick(r, CATEGORIES.LANGUAGE.values, CATEGORIES.LANGUAGE.p),
    marital: pick(r, CATEGORIES.MARITAL_STATUS.values, CATEGORIES.MARITAL_STATUS.p),
    insurance: pick(r, CATEGORIES.INSURANCE.values, CATEGORIES.INSURANCE.p),
  };
  const dod = writeAdmissions(scope, { anchorAge, anchorYear, body, demographics }, minor);
  generation.tables['hosp/patients'].push(`${scope.subjectId},${male ? 'M' : 'F'},${anchorAge},${anchorYear},${anchorYearGroup},${dod}`);
}

/**
 * The patient's admissions, in time order, and their date of death: in hospital, or out of hospital
 * within a year of the last discharge (MIMIC-IV's dod is censored at one year); '' when alive.
 */
function writeAdmissions(scope: PatientScope, patient: Patient, minor: boolean): string {
  const { random: r, generation } = scope;
  let time = Date.UTC(patient.anchorYear, 0, 1) + uniform(r, 0, 365) * DAY;
  // Minors get one admission in their anchor year, so that they are minors by any age definition.
  const icuAdmissions = minor ? 1 : 1 + (r.next() < 0.22 ? 1 + (r.next() < 0.3 ? 1 : 0) : 0);
  let lastDischarge = time;
  for (let a = 0; a < icuAdmissions && !generation.done; a++) {
    // Ward-only admissions (no ICU) sit between ICU ones, as in MIMIC-IV where most admissions have no ICU stay.
    while (!minor && r.next() < 0.45) {
      time += exponential(r, 120) * DAY;
      lastDischarge = wardAdmission(scope, patient, time);
      time = lastDischarge;
    }
    if (!minor) time += exponential(r, 150) * DAY;
    const outcome = icuAdmission(scope, patient, time);
    lastDischarge = outcome.dischtime;
    time = outcome.dischtime;
    if (outcome.died) return generation.time.date(outcome.dischtime);
  }
  return r.next() < 0.08 ? generation.time.date(lastDischarge + uniform(r, 2, 365) * DAY) : '';
}
