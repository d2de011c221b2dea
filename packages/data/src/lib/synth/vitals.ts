import { CHART_ERROR_RATE, entryError } from './entry-errors.js';
import type { PatientScope } from './generation.js';
import { ABP, FIO2, GCS, GCS_TEXT, GLUCOSE_FS, HEIGHT, HR, NBP, RR, RR_TOTAL, SPO2, TEMP_C, TEMP_F, WEIGHT, type Chart } from './items.js';
import { logistic, uniform } from './sampling.js';
import type { StayLatent } from './stay-latent.js';
import { HOUR, minute } from './time-format.js';

/**
 * chartevents rows of one ICU stay: admission weight and height once, then about hourly vitals with
 * monitoring gaps, temperature about every 4 h and GCS about every 4 h, each from the stay's latent state.
 */

/** How a stay is monitored, drawn once from its severity: the sicker, the likelier ventilation and an arterial line. */
export interface Monitoring {
  readonly ventilated: boolean;
  readonly oxygen: boolean;
  readonly arterialLine: boolean;
  /** Part of the temperatures go to the °C item. */
  readonly celsius: boolean;
  readonly fingerstick: boolean;
  /** The stay's caregivers; each row names one of them. */
  readonly caregivers: readonly number[];
}

export function drawMonitoring(scope: PatientScope, severity: number): Monitoring {
  const r = scope.random;
  const ventilated = r.next() < logistic(-0.2 + 0.9 * severity);
  const oxygen = ventilated || r.next() < 0.15;
  const arterialLine = r.next() < logistic(-0.3 + 0.9 * severity);
  const celsius = r.next() < 0.1;
  const fingerstick = r.next() < 0.85;
  const caregivers = Array.from({ length: 6 }, () => 10_000 + r.int(90_000));
  return { ventilated, oxygen, arterialLine, celsius, fingerstick, caregivers };
}

/** The ICU stay being charted: who, when, and its latent state. */
export interface ChartedStay {
  readonly hadmId: number;
  readonly stayId: number;
  readonly intime: number;
  readonly outtime: number;
  readonly latent: StayLatent;
}

/** Writes the stay's chartevents: weight and height near admission, then the hourly vitals. */
export function chartVitals(scope: PatientScope, stay: ChartedStay, monitoring: Monitoring): void {
  const r = scope.random;
  const chart = new StayChart(scope, stay, monitoring.caregivers);
  const { intime, outtime } = stay;
  // Admission weight and height, charted once near ICU admission.
  if (r.next() < 0.92) chart.numeric(WEIGHT, minute(intime + uniform(r, 0.1, 3) * HOUR));
  if (r.next() < 0.5) chart.numeric(HEIGHT, minute(intime + uniform(r, 0.1, 6) * HOUR));

  let outage = 0;
  const hours = Math.ceil((outtime - intime) / HOUR);
  for (let h = 0; h < hours; h++) {
    // Monitoring gaps: skipped hours, and occasional outages of a few hours (transport, procedures).
    if (outage > 0) {
      outage--;
      continue;
    }
    if (r.next() < 0.015) {
      outage = 1 + r.int(4);
      continue;
    }
    const t = minute(intime + (h + uniform(r, 0.05, 0.95)) * HOUR);
    if (t >= outtime) break;
    if (r.next() < 0.04) continue;
    chartHour(chart, t, monitoring);
  }
}

/** One hour's round: heart rate, respiration, SpO2, blood pressure, and the less frequent items. */
function chartHour(chart: StayChart, t: number, monitoring: Monitoring): void {
  const r = chart.random;
  chart.numeric(HR, t);
  if (r.next() < 0.97) chart.numeric(RR, t);
  if (r.next() < 0.95) chart.numeric(SPO2, t);
  if (monitoring.arterialLine) {
    for (const c of ABP) chart.numeric(c, t);
    if (r.next() < 0.3) for (const c of NBP) chart.numeric(c, minute(t + 5 * 60_000));
  } else if (r.next() < 0.93) {
    for (const c of NBP) chart.numeric(c, t);
  }
  if (monitoring.ventilated && r.next() < 0.25) chart.numeric(RR_TOTAL, t);
  if (monitoring.oxygen && r.next() < 0.22) chart.numeric(FIO2, t);
  if (monitoring.fingerstick && r.next() < 0.17) chart.numeric(GLUCOSE_FS, t);
  if (r.next() < 0.26) chartTemperature(chart, t, monitoring.celsius);
  if (r.next() < 0.25) chartGcs(chart, minute(t + 2 * 60_000), monitoring.ventilated);
}

function chartTemperature(chart: StayChart, t: number, celsius: boolean): void {
  const r = chart.random;
  const z = chart.latent.z(TEMP_F.item, t);
  if (!(celsius && r.next() < 0.6)) {
    chart.numeric(TEMP_F, t, z);
    return;
  }
  let c = (TEMP_F.item.value(z) - 32) * (5 / 9);
  if (r.next() < CHART_ERROR_RATE * 20) {
    // The classic temperature entry error: a Fahrenheit reading typed into the Celsius item.
    c = c * 1.8 + 32;
    chart.scope.generation.chartErrors++;
  }
  const text = c.toFixed(1);
  chart.push(TEMP_C, t, text, String(Number(text)));
}

/** The three GCS components, as MIMIC's text with the score in valuenum (a ventilated stay's verbal 1 is 'No Response-ETT'). */
function chartGcs(chart: StayChart, tg: number, ventilated: boolean): void {
  for (const c of GCS) {
    const score = c.item.value(chart.latent.z(c.item, tg));
    const text = c.itemid === 223900 && score === 1 && ventilated ? 'No Response-ETT' : GCS_TEXT[c.itemid][score];
    chart.push(c, tg, text, String(score));
  }
}

/** The chartevents writer of one stay: every row names the stay, a caregiver and a storetime up to 40 min later. */
class StayChart {
  readonly random: PatientScope['random'];
  readonly latent: StayLatent;
  private readonly prefix: string;

  constructor(
    readonly scope: PatientScope,
    stay: ChartedStay,
    private readonly caregivers: readonly number[],
  ) {
    this.random = scope.random;
    this.latent = stay.latent;
    this.prefix = `${scope.subjectId},${stay.hadmId},${stay.stayId},`;
  }

  push(c: Chart, time: number, value: string, valuenum: string): void {
    const r = this.random;
    const care = this.caregivers[r.int(this.caregivers.length)];
    const store = time + Math.round(uniform(r, 0, 40)) * 60_000;
    const { time: clock, tables } = this.scope.generation;
    tables['icu/chartevents'].push(`${this.prefix}${care},${clock.format(time)},${clock.format(store)},${c.itemid},${value},${valuenum},${c.uom},0`);
  }

  /** A numeric item at `time` from the latent (or the given `z`), now and then replaced by an entry error. */
  numeric(c: Chart, time: number, z?: number): void {
    let value = c.item.value(z ?? this.latent.z(c.item, time));
    if (this.random.next() < CHART_ERROR_RATE) {
      value = entryError(this.random, value, c.plausibleHigh);
      this.scope.generation.chartErrors++;
    }
    const text = value.toFixed(c.item.decimals);
    this.push(c, time, text, String(Number(text)));
  }
}
