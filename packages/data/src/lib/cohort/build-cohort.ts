import { DataError } from '@ehr-backdoor/core';
import type { CohortStep } from '../dataset/types.js';
import type { DuckDbSession } from '../mimic/duckdb-session.js';
import { relativeName } from '../mimic/schema.js';
import type { LocatedTables } from '../mimic/tables.js';
import {
  COHORT_ROWS_SQL,
  UNIQUE_KEYS,
  cohortCandidatesSql,
  cohortCriteria,
  cohortFlowSql,
  cohortSql,
  duplicateKeySql,
  stageCohortTablesSql,
  type LabelDefinition,
} from './cohort-sql.js';
import type { DataCode } from '../error-codes.js';

/**
 * The ICU-mortality cohort of a MIMIC-IV directory, built in DuckDB from the SQL of cohort-sql.ts:
 *
 *   stage icustays, admissions, patients (typed) ─▶ check their keys are unique
 *     ─▶ candidates and their CONSORT flow (refused when a criterion leaves no stay)
 *     ─▶ cohort table ─▶ per-stay arrays, numbered by ascending stay_id
 *
 * Leaves the `cohort` table in the session for the event scans that follow.
 */
export interface CohortArrays {
  readonly steps: CohortStep[];
  readonly stayIds: Int32Array;
  readonly subjectIds: Int32Array;
  readonly hadmIds: Int32Array;
  readonly labels: Uint8Array;
  readonly age: Float32Array;
  readonly sexMale: Float32Array;
}

/**
 * @throws DataError `E_DUPLICATE_KEY` when a key of icustays, admissions or patients repeats,
 * `E_EMPTY_COHORT` when the exclusions leave no stay (the message names the criterion and a remedy).
 */
export async function buildCohort(session: DuckDbSession, tables: LocatedTables, windowHours: number, label: LabelDefinition): Promise<CohortArrays> {
  await stageCohortTables(session, tables);
  await assertUniqueKeys(session, tables);
  const steps = await cohortFlow(session, tables, windowHours);
  await session.run(cohortSql(windowHours, label), { step: 'selecting the cohort', files: [] });
  return readCohort(session, steps);
}

async function stageCohortTables(session: DuckDbSession, tables: LocatedTables): Promise<void> {
  const [icustays, admissions, patients] = stageCohortTablesSql(tables);
  await session.run(icustays, { step: `reading ${relativeName(tables.icustays)}`, files: [tables.icustays.path] });
  await session.run(admissions, { step: `reading ${relativeName(tables.admissions)}`, files: [tables.admissions.path] });
  await session.run(patients, { step: `reading ${relativeName(tables.patients)}`, files: [tables.patients.path] });
}

async function assertUniqueKeys(session: DuckDbSession, tables: LocatedTables): Promise<void> {
  for (const { table, key } of UNIQUE_KEYS) {
    const [row] = await session.rows(duplicateKeySql(table, key), { step: `checking ${table}.${key}`, files: [] });
    if (Number(row.duplicates) > 0) {
      const file = tables[table].path;
      throw new DataError<DataCode>(
        'E_DUPLICATE_KEY',
        `${file} has ${Number(row.duplicates)} duplicated ${key} value(s); each ${key} must appear once. The file may have been ` +
          `concatenated twice or edited: replace it with the release file.`,
        { file, key },
      );
    }
  }
}

/** The candidates table and the remaining count after each criterion; an empty cohort is refused with the criterion that emptied it. */
async function cohortFlow(session: DuckDbSession, tables: LocatedTables, windowHours: number): Promise<CohortStep[]> {
  await session.run(cohortCandidatesSql(windowHours), { step: 'applying the cohort criteria', files: [] });
  const [flow] = await session.rows(cohortFlowSql(windowHours), { step: 'counting the cohort flow', files: [] });
  const criteria = cohortCriteria(windowHours);
  const steps: CohortStep[] = [
    { name: 'ICU stays (icu/icustays)', remaining: Number(flow.step_0) },
    ...criteria.map((c, i) => ({ name: c.name, remaining: Number(flow[`step_${i + 1}`]) })),
  ];
  const emptiedAt = steps.findIndex((s) => s.remaining === 0);
  if (emptiedAt >= 0) {
    const flowText = steps.map((s) => `${s.name}: ${s.remaining}`).join('; ');
    const hint =
      emptiedAt === 0
        ? `${tables.icustays.path} has no rows.`
        : steps[emptiedAt].name.includes(`${windowHours} h`)
          ? `No stay passes "${steps[emptiedAt].name}": try a shorter --window-hours.`
          : `No stay passes "${steps[emptiedAt].name}": check that icustays, admissions and patients come from the same MIMIC-IV release.`;
    throw new DataError<DataCode>('E_EMPTY_COHORT', `The cohort is empty after exclusions (${flowText}). ${hint}`, { steps });
  }
  return steps;
}

async function readCohort(session: DuckDbSession, steps: CohortStep[]): Promise<CohortArrays> {
  const rows = await session.rows(COHORT_ROWS_SQL, { step: 'reading the cohort', files: [] });
  const n = rows.length;
  const cohort: CohortArrays = {
    steps,
    stayIds: new Int32Array(n),
    subjectIds: new Int32Array(n),
    hadmIds: new Int32Array(n),
    labels: new Uint8Array(n),
    age: new Float32Array(n),
    sexMale: new Float32Array(n),
  };
  rows.forEach((row, i) => {
    cohort.stayIds[i] = Number(row.stay_id);
    cohort.subjectIds[i] = Number(row.subject_id);
    cohort.hadmIds[i] = Number(row.hadm_id);
    cohort.labels[i] = Number(row.label);
    cohort.age[i] = row.age === null ? Number.NaN : Number(row.age);
    cohort.sexMale[i] = row.sex_male === null ? Number.NaN : Number(row.sex_male);
  });
  return cohort;
}
