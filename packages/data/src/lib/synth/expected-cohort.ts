import { HOUR } from './time-format.js';

/** The exclusion flow the mortality cohort should find in the generated data (window 24 h). */
export interface ExpectedCohortStep {
  readonly name: 'icu_stays' | 'adults' | 'first_stay_of_admission' | 'stay_at_least_window' | 'no_death_or_discharge_in_window';
  readonly remaining: number;
}

/** One written ICU stay as the cohort criteria see it (times in ms; `deathtime` NaN when the patient lives). */
export interface StayOutcome {
  readonly firstOfAdmission: boolean;
  readonly anchorAge: number;
  readonly intime: number;
  readonly outtime: number;
  readonly deathtime: number;
  readonly dischtime: number;
  readonly died: boolean;
}

const WINDOW = 24 * HOUR;

/**
 * The CONSORT flow `prepare` should report for a 24 h window, counted while the stays are written: the
 * generator knows the truth, so the tests compare `prepare`'s flow with it.
 */
export class ExpectedCohort {
  private icu = 0;
  private adults = 0;
  private first = 0;
  private long = 0;
  private clean = 0;
  /** Stays in the final cohort whose patient died in hospital. */
  positives = 0;

  /** Counts one stay through the criteria, in the cohort's order; it stops at the first it fails. */
  record(stay: StayOutcome): void {
    this.icu++;
    if (stay.anchorAge < 18) return;
    this.adults++;
    if (!stay.firstOfAdmission) return;
    this.first++;
    if (stay.outtime - stay.intime < WINDOW) return;
    this.long++;
    const end = stay.intime + WINDOW;
    if (stay.dischtime <= end || (Number.isFinite(stay.deathtime) && stay.deathtime <= end)) return;
    this.clean++;
    if (stay.died) this.positives++;
  }

  steps(): ExpectedCohortStep[] {
    return [
      { name: 'icu_stays', remaining: this.icu },
      { name: 'adults', remaining: this.adults },
      { name: 'first_stay_of_admission', remaining: this.first },
      { name: 'stay_at_least_window', remaining: this.long },
      { name: 'no_death_or_discharge_in_window', remaining: this.clean },
    ];
  }
}
