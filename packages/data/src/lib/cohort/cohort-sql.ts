import { readCsvSql } from '../mimic/schema.js';
import type { LocatedTables } from '../mimic/tables.js';

/**
 * The ICU-mortality cohort, as SQL a clinician-researcher can review. Phases:
 *
 *   icustays ⋈ admissions ⋈ patients ──▶ cohort_candidates (one row per ICU stay, one flag per criterion)
 *       ──▶ cohort_flow (remaining count after each criterion, in order: a CONSORT diagram)
 *       ──▶ cohort (stays meeting every criterion, numbered by ascending stay_id)
 *
 * Criteria, applied in this order:
 *   1. linked: the stay's admission and patient exist, and intime, outtime, anchor_age and
 *      hospital_expire_flag are present (values that do not parse count as absent);
 *   2. adult: anchor_age ≥ 18;
 *   3. first stay: the earliest ICU stay of its hospital admission (ties broken by stay_id);
 *   4. long enough: outtime − intime ≥ the observation window;
 *   5. no outcome inside the window: neither death nor hospital discharge before intime + window,
 *      so the label is never visible in the features.
 * Label (`LabelDefinition`): in-hospital mortality, admissions.hospital_expire_flag (the default), or ICU
 * mortality, a death time between the stay's ICU intime and outtime (YAIB's task).
 */

/**
 * What the label means: `hospital_mortality` = admissions.hospital_expire_flag (death before hospital
 * discharge); `icu_mortality` = death between ICU admission and ICU discharge (intime ≤ death time ≤ outtime,
 * the death time being admissions.deathtime, or dischtime for an in-hospital death without one).
 */
export type LabelDefinition = 'hospital_mortality' | 'icu_mortality';
/** Every label definition `prepare --label` accepts. */
export const LABEL_DEFINITIONS: readonly LabelDefinition[] = ['hospital_mortality', 'icu_mortality'];
/** The label of datasets prepared without `--label` (and of every dataset made before the choice existed). */
export const DEFAULT_LABEL_DEFINITION: LabelDefinition = 'hospital_mortality';

/** The label column's SQL over cohort_candidates. */
function labelSql(label: LabelDefinition): string {
  return label === 'icu_mortality'
    ? 'coalesce(death_time >= intime AND death_time <= outtime, false)::UTINYINT'
    : 'hospital_expire_flag::UTINYINT';
}

/** Typed copies of the three small tables; every later query uses these, never the CSVs again. */
export function stageCohortTablesSql(tables: LocatedTables): string[] {
  return [
    `CREATE TABLE icustays AS
     SELECT TRY_CAST(stay_id AS INTEGER)      AS stay_id,
            TRY_CAST(subject_id AS INTEGER)   AS subject_id,
            TRY_CAST(hadm_id AS INTEGER)      AS hadm_id,
            TRY_CAST(intime AS TIMESTAMP)     AS intime,
            TRY_CAST(outtime AS TIMESTAMP)    AS outtime
     FROM ${readCsvSql(tables.icustays)}`,
    `CREATE TABLE admissions AS
     SELECT TRY_CAST(hadm_id AS INTEGER)               AS hadm_id,
            TRY_CAST(subject_id AS INTEGER)            AS subject_id,
            TRY_CAST(admittime AS TIMESTAMP)           AS admittime,
            TRY_CAST(dischtime AS TIMESTAMP)           AS dischtime,
            TRY_CAST(deathtime AS TIMESTAMP)           AS deathtime,
            TRY_CAST(hospital_expire_flag AS INTEGER)  AS hospital_expire_flag
     FROM ${readCsvSql(tables.admissions)}`,
    `CREATE TABLE patients AS
     SELECT TRY_CAST(subject_id AS INTEGER)   AS subject_id,
            upper(trim(gender))               AS gender,
            TRY_CAST(anchor_age AS INTEGER)   AS anchor_age,
            TRY_CAST(anchor_year AS INTEGER)  AS anchor_year
     FROM ${readCsvSql(tables.patients)}`,
  ];
}

/** Keys that must be unique for the joins to be one-to-one; each query returns the duplicated count. */
export const UNIQUE_KEYS = [
  { table: 'icustays', key: 'stay_id' },
  { table: 'admissions', key: 'hadm_id' },
  { table: 'patients', key: 'subject_id' },
] as const;

export function duplicateKeySql(table: string, key: string): string {
  return `SELECT count(*) - count(DISTINCT ${key}) AS duplicates, count(*) FILTER (WHERE ${key} IS NULL) AS missing FROM ${table}`;
}

export function cohortCandidatesSql(windowHours: number): string {
  return `
    CREATE TABLE cohort_candidates AS
    WITH joined AS (
      SELECT s.stay_id, s.subject_id, s.hadm_id, s.intime, s.outtime,
             a.admittime, a.dischtime, a.hospital_expire_flag,
             -- An in-hospital death without deathtime is dated by the discharge it ended in.
             coalesce(a.deathtime, CASE WHEN a.hospital_expire_flag = 1 THEN a.dischtime END) AS death_time,
             p.gender, p.anchor_age, p.anchor_year,
             s.intime + to_hours(${windowHours}) AS window_end,
             a.hadm_id IS NOT NULL AND p.subject_id IS NOT NULL AS has_records
      FROM icustays s
      LEFT JOIN admissions a ON a.hadm_id = s.hadm_id AND a.subject_id = s.subject_id
      LEFT JOIN patients p ON p.subject_id = s.subject_id
      WHERE s.stay_id IS NOT NULL
    )
    SELECT *,
      has_records AND intime IS NOT NULL AND outtime IS NOT NULL AND anchor_age IS NOT NULL
        AND hospital_expire_flag IN (0, 1)                                            AS is_linked,
      coalesce(anchor_age >= 18, false)                                               AS is_adult,
      row_number() OVER (PARTITION BY hadm_id ORDER BY intime NULLS LAST, stay_id) = 1 AS is_first_stay,
      coalesce(outtime >= window_end, false)                                          AS is_long_enough,
      NOT coalesce(death_time < window_end, false)
        AND NOT coalesce(dischtime < window_end, false)                               AS no_outcome_in_window
    FROM joined`;
}

/** Criterion columns of cohort_candidates, in the order they are applied, with their CONSORT names. */
export function cohortCriteria(windowHours: number): readonly { readonly column: string; readonly name: string }[] {
  return [
    { column: 'is_linked', name: 'linked to an admission and a patient, with complete times and outcome' },
    { column: 'is_adult', name: 'adult (anchor_age ≥ 18)' },
    { column: 'is_first_stay', name: 'first ICU stay of the hospital admission' },
    { column: 'is_long_enough', name: `ICU stay ≥ ${windowHours} h` },
    { column: 'no_outcome_in_window', name: `no death or hospital discharge in the first ${windowHours} h` },
  ];
}

/** One row: the total, then the number remaining after each criterion is added in turn. */
export function cohortFlowSql(windowHours: number): string {
  const criteria = cohortCriteria(windowHours);
  const counts = criteria.map((_, i) => {
    const conjunction = criteria.slice(0, i + 1).map((c) => c.column).join(' AND ');
    return `count(*) FILTER (WHERE ${conjunction}) AS step_${i + 1}`;
  });
  return `SELECT count(*) AS step_0, ${counts.join(', ')} FROM cohort_candidates`;
}

/** The final cohort, numbered 0..n-1 by ascending stay_id: the row order of every output file. */
export function cohortSql(windowHours: number, label: LabelDefinition = DEFAULT_LABEL_DEFINITION): string {
  const all = cohortCriteria(windowHours)
    .map((c) => c.column)
    .join(' AND ');
  return `
    CREATE TABLE cohort AS
    SELECT (row_number() OVER (ORDER BY stay_id) - 1)::INTEGER AS stay_idx,
           stay_id, subject_id, hadm_id, intime, window_end,
           ${labelSql(label)} AS label,
           -- Age at admission: MIMIC shifts dates per patient, anchor_age is the age in anchor_year.
           (anchor_age + (year(admittime) - anchor_year))::DOUBLE AS age,
           CASE gender WHEN 'M' THEN 1.0 WHEN 'F' THEN 0.0 END AS sex_male
    FROM cohort_candidates
    WHERE ${all}`;
}

export const COHORT_ROWS_SQL = `SELECT stay_idx, stay_id, subject_id, hadm_id, label, age, sex_male FROM cohort ORDER BY stay_idx`;
