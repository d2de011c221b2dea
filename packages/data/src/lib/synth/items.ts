import { BugError } from '@ehr-backdoor/core';
import { CLINICAL_VARIABLES } from '../variables.js';
import { resolveItems, type ResolvedItem } from './model.js';

/**
 * The MIMIC-IV items the generator writes: chartevents items with their unit, labevents items with their
 * unit and reference range as in the demo, each tied to its generative item model (model.ts) and to the
 * upper plausible bound of its clinical variable (variables.ts), beyond which an injected entry error lies.
 */

/** The item models with their calibrated value maps, resolved once. */
export const RESOLVED = resolveItems();

/** The resolved item model of `key` (a key of model.ts's ITEM_MODELS). */
export function itemModel(key: string): ResolvedItem {
  const found = RESOLVED.byKey.get(key);
  if (!found) throw new BugError(`unknown synthetic item ${key}`);
  return found;
}

/**
 * The upper plausible bound of the clinical variable that reads `itemid` (variables.ts), in the unit the
 * item is charted in: variables.ts converts °F to °C while reading, so a °F item's bound is converted back.
 */
export function plausibleHigh(itemid: number, uom: string): number {
  const variable = CLINICAL_VARIABLES.find((v) => v.itemids.includes(itemid));
  if (!variable) throw new BugError(`synthetic item ${itemid} belongs to no clinical variable`);
  const high = variable.plausible[1];
  return variable.unit === '°C' && uom === '°F' ? (high * 9) / 5 + 32 : high;
}

/** A chartevents item: its itemid, generative model, unit, and the plausible bound in that unit. */
export interface Chart {
  readonly itemid: number;
  readonly item: ResolvedItem;
  readonly uom: string;
  readonly plausibleHigh: number;
}
const chart = (itemid: number, key: string, uom: string): Chart => ({ itemid, item: itemModel(key), uom, plausibleHigh: plausibleHigh(itemid, uom) });

export const HR = chart(220045, 'heart_rate', 'bpm');
export const ABP = [chart(220050, 'abp_sys', 'mmHg'), chart(220051, 'abp_dia', 'mmHg'), chart(220052, 'abp_mean', 'mmHg')];
export const NBP = [chart(220179, 'nbp_sys', 'mmHg'), chart(220180, 'nbp_dia', 'mmHg'), chart(220181, 'nbp_mean', 'mmHg')];
export const RR = chart(220210, 'resp_rate', 'insp/min');
export const RR_TOTAL = chart(224690, 'resp_rate', 'insp/min');
export const SPO2 = chart(220277, 'spo2', '%');
export const TEMP_F = chart(223761, 'temperature_f', '°F');
/** Temperature charted in °C: the same latent as °F, converted when written. */
export const TEMP_C = chart(223762, 'temperature_f', '°C');
export const FIO2 = chart(223835, 'fio2', '');
export const GLUCOSE_FS = chart(225664, 'glucose_fingerstick', '');
export const WEIGHT = chart(226512, 'weight', 'kg');
export const HEIGHT = chart(226730, 'height', 'cm');
export const GCS = [chart(220739, 'gcs_eye', ''), chart(223900, 'gcs_verbal', ''), chart(223901, 'gcs_motor', '')];
/** The text MIMIC charts for each GCS score (index = score), beside the score in valuenum. */
export const GCS_TEXT: Readonly<Record<number, readonly string[]>> = {
  220739: ['', 'None', 'To Pain', 'To Speech', 'Spontaneously'],
  223900: ['', 'No Response', 'Incomprehensible sounds', 'Inappropriate Words', 'Confused', 'Oriented'],
  223901: ['', 'No response', 'Abnormal extension', 'Abnormal Flexion', 'Flex-withdraws', 'Localizes Pain', 'Obeys Commands'],
};

/** A labevents item: itemid, generative model, unit and the demo's reference range (as text), and the plausible bound. */
export interface Lab {
  readonly itemid: number;
  readonly item: ResolvedItem;
  readonly uom: string;
  readonly low: string;
  readonly high: string;
  readonly plausibleHigh: number;
}
// Units and reference ranges as in the demo's labevents.
const lab = (itemid: number, key: string, uom: string, low: string, high: string): Lab => ({
  itemid,
  item: itemModel(key),
  uom,
  low,
  high,
  plausibleHigh: plausibleHigh(itemid, uom),
});
export const LABS = {
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
