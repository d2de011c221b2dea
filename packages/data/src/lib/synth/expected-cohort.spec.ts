import { ExpectedCohort, type StayOutcome } from './expected-cohort.js';
import { HOUR } from './time-format.js';

describe('ExpectedCohort', () => {
  const stay: StayOutcome = { firstOfAdmission: true, anchorAge: 60, intime: 0, outtime: 48 * HOUR, deathtime: NaN, dischtime: 100 * HOUR, died: false };

  it('counts each stay up to the first criterion it fails, in the cohort’s order', () => {
    const flow = new ExpectedCohort();
    flow.record(stay);
    flow.record({ ...stay, anchorAge: 16 });
    flow.record({ ...stay, firstOfAdmission: false });
    flow.record({ ...stay, outtime: 23 * HOUR });
    flow.record({ ...stay, dischtime: 24 * HOUR });
    flow.record({ ...stay, deathtime: 10 * HOUR, dischtime: 10 * HOUR, died: true });
    flow.record({ ...stay, deathtime: 30 * HOUR, dischtime: 30 * HOUR, died: true });
    expect(flow.steps().map((s) => s.remaining)).toEqual([7, 6, 5, 4, 2]);
    expect(flow.steps().map((s) => s.name)).toEqual(['icu_stays', 'adults', 'first_stay_of_admission', 'stay_at_least_window', 'no_death_or_discharge_in_window']);
    expect(flow.positives).toBe(1);
  });
});
