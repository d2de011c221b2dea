/**
 * The MIMIC-IV tables the generator writes, with the real column names in the real order (v2.2 and
 * 3.x share them for these tables), and the dictionary rows of the items it charts, copied verbatim
 * from the MIMIC-IV demo's `icu/d_items` and `hosp/d_labitems`.
 */
export const SYNTHETIC_TABLE_COLUMNS = {
  'hosp/patients': ['subject_id', 'gender', 'anchor_age', 'anchor_year', 'anchor_year_group', 'dod'],
  'hosp/admissions': [
    'subject_id', 'hadm_id', 'admittime', 'dischtime', 'deathtime', 'admission_type', 'admit_provider_id',
    'admission_location', 'discharge_location', 'insurance', 'language', 'marital_status', 'race', 'edregtime',
    'edouttime', 'hospital_expire_flag',
  ],
  'hosp/labevents': [
    'labevent_id', 'subject_id', 'hadm_id', 'specimen_id', 'itemid', 'order_provider_id', 'charttime', 'storetime',
    'value', 'valuenum', 'valueuom', 'ref_range_lower', 'ref_range_upper', 'flag', 'priority', 'comments',
  ],
  'hosp/d_labitems': ['itemid', 'label', 'fluid', 'category'],
  'icu/icustays': ['subject_id', 'hadm_id', 'stay_id', 'first_careunit', 'last_careunit', 'intime', 'outtime', 'los'],
  'icu/chartevents': [
    'subject_id', 'hadm_id', 'stay_id', 'caregiver_id', 'charttime', 'storetime', 'itemid', 'value', 'valuenum',
    'valueuom', 'warning',
  ],
  'icu/d_items': [
    'itemid', 'label', 'abbreviation', 'linksto', 'category', 'unitname', 'param_type', 'lownormalvalue',
    'highnormalvalue',
  ],
} as const satisfies Record<string, readonly string[]>;

/** A table the generator writes, as `hosp/<name>` or `icu/<name>`. */
export type SyntheticTableName = keyof typeof SYNTHETIC_TABLE_COLUMNS;

/** `icu/d_items` rows of the charted items (CSV lines as in MIMIC-IV demo v2.2). */
export const D_ITEMS_ROWS: readonly string[] = [
  '220045,Heart Rate,HR,chartevents,Routine Vital Signs,bpm,Numeric,,',
  '220050,Arterial Blood Pressure systolic,ABPs,chartevents,Routine Vital Signs,mmHg,Numeric,90,140',
  '220051,Arterial Blood Pressure diastolic,ABPd,chartevents,Routine Vital Signs,mmHg,Numeric,60,90',
  '220052,Arterial Blood Pressure mean,ABPm,chartevents,Routine Vital Signs,mmHg,Numeric,,',
  '220179,Non Invasive Blood Pressure systolic,NBPs,chartevents,Routine Vital Signs,mmHg,Numeric,,',
  '220180,Non Invasive Blood Pressure diastolic,NBPd,chartevents,Routine Vital Signs,mmHg,Numeric,,',
  '220181,Non Invasive Blood Pressure mean,NBPm,chartevents,Routine Vital Signs,mmHg,Numeric,,',
  '220210,Respiratory Rate,RR,chartevents,Respiratory,insp/min,Numeric,,',
  '220277,O2 saturation pulseoxymetry,SpO2,chartevents,Respiratory,%,Numeric,,',
  '220739,GCS - Eye Opening,Eye Opening,chartevents,Neurological,,Text,,',
  '223761,Temperature Fahrenheit,Temperature F,chartevents,Routine Vital Signs,°F,Numeric,,',
  '223762,Temperature Celsius,Temperature C,chartevents,Routine Vital Signs,°C,Numeric,,',
  '223835,Inspired O2 Fraction,FiO2,chartevents,Respiratory,None,Numeric,,',
  '223900,GCS - Verbal Response,Verbal Response,chartevents,Neurological,,Text,,',
  '223901,GCS - Motor Response,Motor Response,chartevents,Neurological,,Text,,',
  '224690,Respiratory Rate (Total),Respiratory Rate (Total),chartevents,Respiratory,insp/min,Numeric,,36',
  '225664,Glucose finger stick (range 70-100),Glucose FS (range 70 -100),chartevents,Labs,None,Numeric,,',
  '226512,Admission Weight (Kg),Admission Weight (Kg),chartevents,General,kg,Numeric,,',
  '226730,Height (cm),Height (cm),chartevents,General,cm,Numeric,,',
];

/** `hosp/d_labitems` rows of the measured labs (CSV lines as in MIMIC-IV demo v2.2). */
export const D_LABITEMS_ROWS: readonly string[] = [
  '50813,Lactate,Blood,Blood Gas',
  '50818,pCO2,Blood,Blood Gas',
  '50820,pH,Blood,Blood Gas',
  '50821,pO2,Blood,Blood Gas',
  '50862,Albumin,Blood,Chemistry',
  '50868,Anion Gap,Blood,Chemistry',
  '50882,Bicarbonate,Blood,Chemistry',
  '50885,"Bilirubin, Total",Blood,Chemistry',
  '50893,"Calcium, Total",Blood,Chemistry',
  '50902,Chloride,Blood,Chemistry',
  '50912,Creatinine,Blood,Chemistry',
  '50931,Glucose,Blood,Chemistry',
  '50960,Magnesium,Blood,Chemistry',
  '50970,Phosphate,Blood,Chemistry',
  '50971,Potassium,Blood,Chemistry',
  '50983,Sodium,Blood,Chemistry',
  '51006,Urea Nitrogen,Blood,Chemistry',
  '51221,Hematocrit,Blood,Hematology',
  '51222,Hemoglobin,Blood,Hematology',
  '51237,INR(PT),Blood,Hematology',
  '51265,Platelet Count,Blood,Hematology',
  '51301,White Blood Cells,Blood,Hematology',
];
