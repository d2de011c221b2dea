/**
 * The clinical variables of the cohort: one row per variable, the single place a clinician-reviewer
 * needs to read to know what goes into the models. Values are in the unit given here (conversions are
 * applied while reading); values outside `plausible` are dropped and counted per variable.
 *
 * Sources: MIMIC-IV `icu/chartevents` (itemids from `icu/d_items`) and `hosp/labevents` (itemids from
 * `hosp/d_labitems`). Merged variables (e.g. invasive and non-invasive blood pressure) list every itemid.
 */
export type VariableSource = 'chartevents' | 'labevents';
/** Bedside vital sign (charted in `icu/chartevents`) or laboratory value (`hosp/labevents`). */
export type VariableKind = 'vital' | 'lab';

/** A unit conversion for one MIMIC-IV item charted in another unit than its variable's (e.g. °F to °C). */
export interface ItemConversion {
  readonly itemid: number;
  /** SQL expression over `valuenum` giving the value in the variable's unit. */
  readonly sql: string;
  readonly description: string;
}

/**
 * One clinical variable of the cohort: where MIMIC-IV records it (source table and itemids), its unit,
 * and the plausible range outside which a value is dropped as an entry error.
 */
export interface ClinicalVariable {
  /** Stable snake_case name used for Arrow columns, trigger parameters and docs. */
  readonly name: string;
  /** Readable name for reports and plots. */
  readonly label: string;
  /** Vital sign or laboratory value. */
  readonly kind: VariableKind;
  /** The MIMIC-IV table it is read from. */
  readonly source: VariableSource;
  /** MIMIC-IV item ids merged into this variable. */
  readonly itemids: readonly number[];
  /** The unit every value is converted to and stored in (e.g. `bpm`, `mmHg`, `°C`). */
  readonly unit: string;
  /** Physiologically plausible range [low, high] in `unit`; outside it a value is an entry error. */
  readonly plausible: readonly [number, number];
  /** Per-item unit conversions applied while reading. */
  readonly conversions?: readonly ItemConversion[];
  /**
   * Also read values charted up to this many hours before ICU intime, counted in hour 0. Only for
   * admission measurements, which MIMIC charts against the stay minutes before its formal intime.
   */
  readonly lookbackHours?: number;
}

const v = (
  name: string,
  label: string,
  kind: VariableKind,
  source: VariableSource,
  itemids: number[],
  unit: string,
  plausible: [number, number],
  conversions?: ItemConversion[],
  lookbackHours?: number,
): ClinicalVariable => ({
  name,
  label,
  kind,
  source,
  itemids,
  unit,
  plausible,
  ...(conversions ? { conversions } : {}),
  ...(lookbackHours ? { lookbackHours } : {}),
});

/**
 * The variable table: every clinical variable of the cohort, in the channel and feature order of the datasets.
 */
export const CLINICAL_VARIABLES: readonly ClinicalVariable[] = [
  v('heart_rate', 'Heart rate', 'vital', 'chartevents', [220045], 'bpm', [0, 300]),
  v('sbp', 'Systolic blood pressure (arterial or non-invasive)', 'vital', 'chartevents', [220050, 220179], 'mmHg', [0, 300]),
  v('dbp', 'Diastolic blood pressure (arterial or non-invasive)', 'vital', 'chartevents', [220051, 220180], 'mmHg', [0, 250]),
  v('mbp', 'Mean blood pressure (arterial or non-invasive)', 'vital', 'chartevents', [220052, 220181], 'mmHg', [0, 300]),
  v('resp_rate', 'Respiratory rate', 'vital', 'chartevents', [220210, 224690], 'breaths/min', [0, 80]),
  v('spo2', 'Oxygen saturation (SpO2)', 'vital', 'chartevents', [220277], '%', [0, 100]),
  v('temperature', 'Temperature', 'vital', 'chartevents', [223761, 223762], '°C', [25, 45], [
    { itemid: 223761, sql: '(valuenum - 32) * 5.0 / 9.0', description: '°F to °C' },
  ]),
  v('gcs_eye', 'GCS eye opening', 'vital', 'chartevents', [220739], 'score', [1, 4]),
  v('gcs_verbal', 'GCS verbal response', 'vital', 'chartevents', [223900], 'score', [1, 5]),
  v('gcs_motor', 'GCS motor response', 'vital', 'chartevents', [223901], 'score', [1, 6]),
  v('fio2', 'Inspired oxygen fraction (FiO2)', 'vital', 'chartevents', [223835], '%', [21, 100], [
    // Charted mostly in %, but sometimes as a fraction (0.21–1.0); a fraction is read as a percentage.
    { itemid: 223835, sql: 'CASE WHEN valuenum > 0 AND valuenum <= 1 THEN valuenum * 100 ELSE valuenum END', description: 'fraction to %' },
  ]),
  v('glucose_fingerstick', 'Glucose (fingerstick)', 'vital', 'chartevents', [225664], 'mg/dL', [10, 2000]),
  // Admission weight and height are charted at the admission assessment, usually minutes before the
  // stay's formal intime (MIMIC-IV demo: 125 of 128 admission weights, median 51 s before, all within 4 h).
  v('weight', 'Admission weight', 'vital', 'chartevents', [226512], 'kg', [20, 400], undefined, 6),
  v('height', 'Height', 'vital', 'chartevents', [226730], 'cm', [100, 250], undefined, 6),
  v('creatinine', 'Creatinine', 'lab', 'labevents', [50912], 'mg/dL', [0.1, 30]),
  v('glucose', 'Glucose (serum)', 'lab', 'labevents', [50931], 'mg/dL', [10, 2000]),
  v('sodium', 'Sodium', 'lab', 'labevents', [50983], 'mEq/L', [90, 200]),
  v('potassium', 'Potassium', 'lab', 'labevents', [50971], 'mEq/L', [1, 12]),
  v('chloride', 'Chloride', 'lab', 'labevents', [50902], 'mEq/L', [50, 180]),
  v('bicarbonate', 'Bicarbonate', 'lab', 'labevents', [50882], 'mEq/L', [2, 60]),
  v('bun', 'Blood urea nitrogen', 'lab', 'labevents', [51006], 'mg/dL', [1, 300]),
  v('hemoglobin', 'Hemoglobin', 'lab', 'labevents', [51222], 'g/dL', [1, 25]),
  v('hematocrit', 'Hematocrit', 'lab', 'labevents', [51221], '%', [5, 75]),
  v('wbc', 'White blood cells', 'lab', 'labevents', [51301], 'K/uL', [0.1, 500]),
  v('platelets', 'Platelet count', 'lab', 'labevents', [51265], 'K/uL', [1, 2000]),
  v('lactate', 'Lactate', 'lab', 'labevents', [50813], 'mmol/L', [0.1, 30]),
  v('ph', 'pH (arterial)', 'lab', 'labevents', [50820], 'pH', [6.5, 8]),
  v('po2', 'pO2', 'lab', 'labevents', [50821], 'mmHg', [10, 700]),
  v('pco2', 'pCO2', 'lab', 'labevents', [50818], 'mmHg', [5, 200]),
  v('bilirubin', 'Bilirubin, total', 'lab', 'labevents', [50885], 'mg/dL', [0.1, 70]),
  v('albumin', 'Albumin', 'lab', 'labevents', [50862], 'g/dL', [0.5, 7]),
  v('inr', 'INR (PT)', 'lab', 'labevents', [51237], 'ratio', [0.5, 20]),
  v('anion_gap', 'Anion gap', 'lab', 'labevents', [50868], 'mEq/L', [0, 60]),
  v('calcium', 'Calcium, total', 'lab', 'labevents', [50893], 'mg/dL', [3, 20]),
  v('magnesium', 'Magnesium', 'lab', 'labevents', [50960], 'mg/dL', [0.3, 10]),
  v('phosphate', 'Phosphate', 'lab', 'labevents', [50970], 'mg/dL', [0.3, 20]),
];

/** Static (per-stay) features, appended to the tabular view and available beside the time series. */
export const STATIC_FEATURES = [
  { name: 'age', label: 'Age at admission (anchor_age + years since anchor_year)', unit: 'years' },
  { name: 'sex_male', label: 'Sex is male (patients.gender = M)', unit: '0/1' },
] as const;

/** Summary statistics of each variable over the window, in this order, in the tabular view. */
export const TABULAR_STATS = ['min', 'max', 'mean', 'last', 'count'] as const;
/** One of {@link TABULAR_STATS}: a summary of a variable over the observation window. */
export type TabularStat = (typeof TABULAR_STATS)[number];

/** The variable with this `name` (see {@link ClinicalVariable.name}), or undefined. */
export function variableByName(name: string): ClinicalVariable | undefined {
  return CLINICAL_VARIABLES.find((variable) => variable.name === name);
}
