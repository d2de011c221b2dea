import { entryError, LAB_ERROR_RATE } from './entry-errors.js';
import type { PatientScope } from './generation.js';
import { LABS as L, type Lab } from './items.js';
import { providerId, uniform } from './sampling.js';
import type { StayLatent } from './stay-latent.js';
import { DAY, HOUR, minute } from './time-format.js';

/**
 * labevents rows: panels drawn from a stay's (or ward admission's) latent state. A chemistry panel, a blood
 * count, an INR and, when asked, a blood gas share a time; the items of one panel share a specimen_id.
 */

/** One draw of the labs ordered together: chemistry (≈ 97 %), blood count (≈ 93 %), INR (≈ 55 %), and a blood gas when `gas`. */
export function labPanel(scope: PatientScope, hadmId: number, time: number, latent: StayLatent, gas: boolean): void {
  const r = scope.random;
  const stat = r.next() < 0.35 ? 'STAT' : 'ROUTINE';
  if (r.next() < 0.97) chemistry(scope, hadmId, time, latent, stat);
  if (r.next() < 0.93) bloodCount(scope, hadmId, time, latent, stat);
  if (r.next() < 0.55) labRow(scope, hadmId, specimenId(scope), L.inr, time, labValue(L.inr, time, latent), stat);
  if (gas) bloodGas(scope, hadmId, time, latent, 0.7);
}

function chemistry(scope: PatientScope, hadmId: number, time: number, latent: StayLatent, stat: string): void {
  const r = scope.random;
  const specimen = specimenId(scope);
  const na = labValue(L.sodium, time, latent);
  const hco3 = labValue(L.bicarbonate, time, latent);
  const gap = labValue(L.anion_gap, time, latent);
  const k = labValue(L.potassium, time, latent);
  // Chloride follows from the anion gap as the hospital's lab computes it (AG = Na + K − Cl − HCO3,
  // which is why MIMIC's median gap is 15), so every chemistry panel is internally consistent.
  const cl = Math.min(140, Math.max(60, Math.round(na + k - hco3 - gap)));
  for (const [labItem, value] of [
    [L.creatinine, labValue(L.creatinine, time, latent)],
    [L.glucose, labValue(L.glucose, time, latent)],
    [L.sodium, na],
    [L.potassium, k],
    [L.chloride, cl],
    [L.bicarbonate, hco3],
    [L.bun, labValue(L.bun, time, latent)],
    [L.anion_gap, gap],
  ] as const) {
    labRow(scope, hadmId, specimen, labItem, time, value, stat);
  }
  if (r.next() < 0.82) {
    for (const labItem of [L.calcium, L.magnesium, L.phosphate]) labRow(scope, hadmId, specimen, labItem, time, labValue(labItem, time, latent), stat);
  }
  if (r.next() < 0.3) labRow(scope, hadmId, specimen, L.bilirubin, time, labValue(L.bilirubin, time, latent), stat);
  if (r.next() < 0.12) labRow(scope, hadmId, specimen, L.albumin, time, labValue(L.albumin, time, latent), stat);
}

function bloodCount(scope: PatientScope, hadmId: number, time: number, latent: StayLatent, stat: string): void {
  const specimen = specimenId(scope);
  const hb = labValue(L.hemoglobin, time, latent);
  for (const [labItem, value] of [
    [L.hemoglobin, hb],
    [L.hematocrit, labValue(L.hematocrit, time, latent)],
    [L.wbc, labValue(L.wbc, time, latent)],
    [L.platelets, labValue(L.platelets, time, latent)],
  ] as const) {
    labRow(scope, hadmId, specimen, labItem, time, value, stat);
  }
}

/** pH, pO2, pCO2 and, with probability `lactateRate`, lactate; blood gases have no priority in MIMIC. */
export function bloodGas(scope: PatientScope, hadmId: number, time: number, latent: StayLatent, lactateRate: number): void {
  const specimen = specimenId(scope);
  for (const labItem of [L.ph, L.po2, L.pco2]) labRow(scope, hadmId, specimen, labItem, time, labValue(labItem, time, latent), '');
  if (scope.random.next() < lactateRate) labRow(scope, hadmId, specimen, L.lactate, time, labValue(L.lactate, time, latent), '');
}

function labValue(labItem: Lab, time: number, latent: StayLatent): number {
  return labItem.item.value(latent.z(labItem.item, time));
}

function specimenId(scope: PatientScope): number {
  return 1 + scope.random.int(99_999_999);
}

/** One labevents row: the value (now and then an entry error), its flag against the reference range, a storetime and maybe a provider. */
function labRow(scope: PatientScope, hadmId: number, specimen: number, labItem: Lab, time: number, raw: number, priority: string): void {
  const { random: r, generation } = scope;
  let value = raw;
  if (r.next() < LAB_ERROR_RATE) {
    value = entryError(r, value, labItem.plausibleHigh);
    generation.labErrors++;
  }
  const text = value.toFixed(labItem.item.decimals);
  const num = Number(text);
  const flag = num < Number(labItem.low) || num > Number(labItem.high) ? 'abnormal' : '';
  const store = time + Math.round(uniform(r, 25, 150)) * 60_000;
  const provider = r.next() < 0.3 ? providerId(r) : '';
  const clock = generation.time;
  generation.tables['hosp/labevents'].push(
    `${generation.nextLabeventId()},${scope.subjectId},${hadmId},${specimen},${labItem.itemid},${provider},${clock.format(time)},${clock.format(store)},${text},${num},${labItem.uom},${labItem.low},${labItem.high},${flag},${priority},`,
  );
}

/** The labs of one ICU stay, from the previous boundary (`labsFrom`) to the next (`labsUntil`). */
export interface StayLabs {
  readonly hadmId: number;
  readonly intime: number;
  readonly outtime: number;
  readonly latent: StayLatent;
  readonly ventilated: boolean;
  /** Admission time or the previous stay's outtime. */
  readonly labsFrom: number;
  /** Discharge time or the next stay's intime. */
  readonly labsUntil: number;
}

/**
 * Hospital labs before the ICU (ED, ward), ICU panels every 6–24 h (more often when sicker), blood gases
 * with ventilation, then daily ward panels until the next stay or discharge.
 */
export function stayLabs(scope: PatientScope, stay: StayLabs): void {
  const r = scope.random;
  const { hadmId, intime, outtime, latent, ventilated, labsFrom, labsUntil } = stay;
  const firstDraw = Math.max(labsFrom + 0.5 * HOUR, intime - uniform(r, 0, 4) * HOUR);
  for (let t = firstDraw - DAY; t > labsFrom + HOUR; t -= DAY) labPanel(scope, hadmId, minute(t), latent, false);
  const interval = Math.min(24, Math.max(6, 14 - 4 * latent.severity + 2 * r.normal()));
  for (let t = firstDraw; t < outtime; t += uniform(r, 0.75, 1.25) * interval * HOUR) {
    labPanel(scope, hadmId, minute(t), latent, ventilated || r.next() < 0.25);
  }
  if (ventilated) {
    for (let t = intime + uniform(r, 1, 6) * HOUR; t < outtime; t += uniform(r, 4, 10) * HOUR) bloodGas(scope, hadmId, minute(t), latent, 0.55);
  }
  for (let t = outtime + uniform(r, 10, 30) * HOUR; t < labsUntil && t < outtime + 30 * DAY; t += uniform(r, 20, 30) * HOUR) {
    labPanel(scope, hadmId, minute(t), latent, false);
  }
}
