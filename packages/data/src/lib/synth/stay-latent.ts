import type { Random } from '@ehr-backdoor/core';
import { ORGAN_RHO, ORGANS, TERMINAL_DECLINE, TERMINAL_HOURS, TREND_PER_DAY, type ResolvedItem } from './model.js';

const HOUR = 3_600_000;

/**
 * The latent state of one ICU stay (or one ward-only admission): severity, trend, organ-system
 * offsets, per-stay item baselines, and AR(1) measurement noise per item group. `z(item, time)` gives the
 * item's latent standard-normal value at a time, advancing that group's noise process.
 */
export class StayLatent {
  private readonly organOffset: Float64Array;
  private readonly baseline: Float64Array;
  private readonly noise: Float64Array;
  private readonly noiseTime: Float64Array;

  constructor(
    private readonly random: Random,
    readonly severity: number,
    readonly trend: number,
    /** Time origin (ICU admission), ms. */
    readonly origin: number,
    /** In-hospital death time (ms), or NaN; drives the terminal decline. */
    readonly deathTime: number,
    groups: number,
    /** Baselines shared across all stays of the patient (height, weight), by group index. */
    patientBaseline?: ReadonlyMap<number, number>,
  ) {
    this.organOffset = Float64Array.from(ORGANS, () => random.normal());
    this.baseline = Float64Array.from({ length: groups }, (_, g) => patientBaseline?.get(g) ?? random.normal());
    this.noise = new Float64Array(groups);
    this.noiseTime = new Float64Array(groups).fill(NaN);
  }

  /** Overall severity S(t): baseline + capped linear trend + decline before death. */
  severityAt(time: number): number {
    const hours = (time - this.origin) / HOUR;
    let value = this.severity + (TREND_PER_DAY * this.trend * Math.min(Math.max(hours, 0), 72)) / 24;
    if (Number.isFinite(this.deathTime)) {
      const before = (this.deathTime - time) / HOUR;
      if (before < TERMINAL_HOURS) value += TERMINAL_DECLINE * (1 - Math.max(before, 0) / TERMINAL_HOURS);
    }
    return value;
  }

  /** Latent N(0, 1)-scaled value of `item` at `time`. */
  z(item: ResolvedItem, time: number, jitter = true): number {
    const g = item.groupIndex;
    const last = this.noiseTime[g];
    if (Number.isNaN(last)) this.noise[g] = this.random.normal();
    else if (time !== last) {
      const hours = Math.abs(time - last) / HOUR;
      const r = Math.pow(item.phi, hours);
      this.noise[g] = r * this.noise[g] + Math.sqrt(1 - r * r) * this.random.normal();
    }
    this.noiseTime[g] = time;
    const organIndex = ORGANS.indexOf(item.organ);
    const rho = ORGAN_RHO[item.organ];
    const organ = rho === 0 ? 0 : rho * this.severityAt(time) + Math.sqrt(1 - rho * rho) * this.organOffset[organIndex];
    const shared = item.sign * item.loading * organ + item.stay * this.baseline[g] + item.noise * this.noise[g];
    // Members of a group (systolic/diastolic/mean) move together but not in lockstep.
    return jitter && item.group ? 0.97 * shared + 0.243 * this.random.normal() : shared;
  }
}
