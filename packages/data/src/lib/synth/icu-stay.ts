import { csvField } from './csv-gzip-writer.js';
import type { PatientScope } from './generation.js';
import { stayLabs } from './labs.js';
import type { StayLatent } from './stay-latent.js';
import { DAY } from './time-format.js';
import { chartVitals, drawMonitoring } from './vitals.js';

/** An ICU stay planned by its admission: ids, times, latent state and care units. */
export interface StayPlan {
  readonly stayId: number;
  readonly intime: number;
  readonly outtime: number;
  readonly latent: StayLatent;
  readonly careunit: string;
  readonly lastCareunit: string;
}

/**
 * One ICU stay: its icustays row, how it is monitored, its charted vitals, and its labs from the
 * previous boundary (`labsFrom`: admission or the previous stay's outtime) to the next (`labsUntil`).
 */
export function writeIcuStay(scope: PatientScope, hadmId: number, plan: StayPlan, labsFrom: number, labsUntil: number): void {
  const { generation } = scope;
  const { stayId, intime, outtime, latent } = plan;
  const los = (outtime - intime) / DAY;
  const clock = generation.time;
  generation.tables['icu/icustays'].push(
    `${scope.subjectId},${hadmId},${stayId},${csvField(plan.careunit)},${csvField(plan.lastCareunit)},${clock.format(intime, true)},${clock.format(outtime, true)},${los}`,
  );
  generation.staysWritten++;

  const monitoring = drawMonitoring(scope, latent.severity);
  chartVitals(scope, { hadmId, stayId, intime, outtime, latent }, monitoring);
  stayLabs(scope, { hadmId, intime, outtime, latent, ventilated: monitoring.ventilated, labsFrom, labsUntil });
}
