import { Random } from '@ehr-backdoor/core';
import { ExpectedCohort } from './expected-cohort.js';
import type { SyntheticTables } from './synthetic-tables.js';
import { TimeFormatter } from './time-format.js';

/** Progress of a generation: stays written of `total`, and event rows written so far. */
export interface SyntheticProgress {
  readonly stays: number;
  readonly total: number;
  readonly chartevents: number;
  readonly labevents: number;
}

/**
 * The state of one `generateSyntheticMimic` call, passed explicitly to every phase: the open tables,
 * the id counters, the running totals of the summary, the expected cohort flow and the time formatter.
 * Nothing outlives the call.
 */
export class Generation {
  staysWritten = 0;
  inHospitalDeaths = 0;
  chartErrors = 0;
  labErrors = 0;
  readonly cohort = new ExpectedCohort();
  readonly time = new TimeFormatter();
  private readonly idStep: number;
  private hadmCounter = 0;
  private stayCounter = 0;
  private labeventId = 0;

  constructor(
    readonly seed: number,
    /** Stays to write in all. */
    readonly stays: number,
    readonly tables: SyntheticTables,
  ) {
    // Spread ids over MIMIC's ranges (subject 1xxxxxxx, hadm 2xxxxxxx, stay 3xxxxxxx) without collisions.
    this.idStep = Math.max(1, Math.min(97, Math.floor(9_000_000 / (2 * stays + 10))));
  }

  /** True once every requested stay is written. */
  get done(): boolean {
    return this.staysWritten >= this.stays;
  }

  /**
   * Patient `index`'s own random stream (`Random.fromSeed(seed, 'patient:<i>')`), so a larger `stays`
   * extends a smaller one's patients instead of reshuffling them.
   */
  patientRandom(index: number): Random {
    return Random.fromSeed(this.seed, `patient:${index}`);
  }

  subjectId(index: number, random: Random): number {
    return 10_000_000 + index * this.idStep + random.int(this.idStep);
  }

  nextHadmId(random: Random): number {
    return 20_000_000 + this.hadmCounter++ * this.idStep + random.int(this.idStep);
  }

  nextStayId(random: Random): number {
    return 30_000_000 + this.stayCounter++ * this.idStep + random.int(this.idStep);
  }

  nextLabeventId(): number {
    return ++this.labeventId;
  }

  progress(): SyntheticProgress {
    return { stays: this.staysWritten, total: this.stays, chartevents: this.tables['icu/chartevents'].rows, labevents: this.tables['hosp/labevents'].rows };
  }
}

/** What every row of one patient is written with: the generation, the patient's random stream and subject_id. */
export interface PatientScope {
  readonly generation: Generation;
  readonly random: Random;
  readonly subjectId: number;
}
