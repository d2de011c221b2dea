import { quantileSorted } from '@ehr-backdoor/core';
import type { DatasetView } from '@ehr-backdoor/data';
import type { TriggerContext } from './triggers/context.js';
import type { TriggerName } from './triggers/types.js';

/**
 * How visible a trigger application is to a reviewer who checks values against clinical limits and
 * against the training data: of the values the trigger wrote, the share outside the variable's
 * plausible range and the share outside the training split's 1st–99th percentile band (per tabular
 * feature; per channel over observed training hours).
 *
 * "Values the trigger wrote" are finite value statistics that changed (tabular min/max/mean/last;
 * counts are not values) and observed time-series cells that changed or became observed; cells
 * only refilled by forward fill are not measurements and are not counted. Values made missing are
 * counted apart (`removedValues`). With nothing written, the shares are NaN and `reason` says why.
 */
export interface VariableStealth {
  readonly changed: number;
  readonly outsidePlausible: number;
  readonly outsideTrainingP1P99: number;
}

/**
 * How visible one trigger application is (see {@link VariableStealth} for which values count): counts of
 * rows and values changed, and the shares of written values outside the plausible range and outside the
 * training 1st–99th percentile band. Shares are NaN, with a `reason`, when nothing was written.
 */
export interface StealthReport {
  readonly trigger: TriggerName;
  readonly view: DatasetView;
  /** Rows the trigger was applied to, and how many of them changed at all. */
  readonly rows: number;
  readonly changedRows: number;
  /** Values the trigger wrote (see above for which count). */
  readonly changedValues: number;
  /** Written values outside the variable's plausible range (an entry error to a reviewer). */
  readonly outsidePlausible: number;
  /** Written values outside the training split's 1st–99th percentile band. */
  readonly outsideTrainingP1P99: number;
  /** outsidePlausible / changedValues, in [0, 1]; NaN when nothing was written. */
  readonly shareOutsidePlausible: number;
  /** outsideTrainingP1P99 / changedValues, in [0, 1]; NaN when nothing was written. */
  readonly shareOutsideTrainingP1P99: number;
  /** Values made missing (tabular: finite → NaN; time series: mask 1 → 0). */
  readonly removedValues: number;
  /** The same counts per clinical variable. */
  readonly perVariable: Readonly<Record<string, VariableStealth>>;
  /** Why the shares are NaN, when they are. */
  readonly reason?: string;
}

class Tally {
  readonly perVariable: Record<string, { changed: number; outsidePlausible: number; outsideTrainingP1P99: number }> = {};
  changed = 0;
  outsidePlausible = 0;
  outsideTraining = 0;
  removed = 0;
  changedRows = 0;
  add(variable: string, value: number, plausible: readonly [number, number], band: readonly [number, number]): void {
    const entry = (this.perVariable[variable] ??= { changed: 0, outsidePlausible: 0, outsideTrainingP1P99: 0 });
    this.changed++;
    entry.changed++;
    if (value < plausible[0] || value > plausible[1]) {
      this.outsidePlausible++;
      entry.outsidePlausible++;
    }
    // An empty training distribution gives a NaN band: every value then counts as outside it.
    if (!(value >= band[0] && value <= band[1])) {
      this.outsideTraining++;
      entry.outsideTrainingP1P99++;
    }
  }
  report(trigger: TriggerName, view: DatasetView, rows: number): StealthReport {
    const base = {
      trigger,
      view,
      rows,
      changedRows: this.changedRows,
      changedValues: this.changed,
      outsidePlausible: this.outsidePlausible,
      outsideTrainingP1P99: this.outsideTraining,
      shareOutsidePlausible: this.changed > 0 ? this.outsidePlausible / this.changed : NaN,
      shareOutsideTrainingP1P99: this.changed > 0 ? this.outsideTraining / this.changed : NaN,
      removedValues: this.removed,
      perVariable: this.perVariable,
    };
    return this.changed > 0
      ? base
      : { ...base, reason: this.removed > 0 ? 'the trigger only removed values' : 'the trigger changed no value' };
  }
}

function band(sorted: Float32Array): readonly [number, number] {
  return [quantileSorted(sorted, 0.01), quantileSorted(sorted, 0.99)];
}

export function tabularStealth(
  ctx: TriggerContext,
  trigger: TriggerName,
  before: Float32Array,
  after: Float32Array,
  rows: readonly number[],
): StealthReport {
  const tally = new Tally();
  const features = ctx.dataset.tabular.features;
  const bands = new Map<number, readonly [number, number]>();
  for (const row of rows) {
    let rowChanged = false;
    for (let j = 0; j < ctx.F; j++) {
      const k = row * ctx.F + j;
      const a = before[k];
      const b = after[k];
      if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) continue;
      rowChanged = true;
      const f = features[j];
      if (f.stat === 'count' || f.stat === 'static') continue;
      if (Number.isNaN(b)) {
        tally.removed++;
        continue;
      }
      if (!bands.has(j)) bands.set(j, band(ctx.tabularTrainingValues(j)));
      tally.add(f.variable, b, ctx.plausible(f.variable), bands.get(j)!);
    }
    if (rowChanged) tally.changedRows++;
  }
  return tally.report(trigger, 'tabular', rows.length);
}

export function timeSeriesStealth(
  ctx: TriggerContext,
  trigger: TriggerName,
  before: { values: Float32Array; mask: Uint8Array },
  after: { values: Float32Array; mask: Uint8Array },
  rows: readonly number[],
): StealthReport {
  const tally = new Tally();
  const channels = ctx.dataset.timeSeries.channels;
  const bands = new Map<number, readonly [number, number]>();
  const stride = ctx.T * ctx.C;
  for (const row of rows) {
    let rowChanged = false;
    for (let k = row * stride; k < (row + 1) * stride; k++) {
      const valueChanged = !Object.is(before.values[k], after.values[k]);
      const maskChanged = before.mask[k] !== after.mask[k];
      if (!valueChanged && !maskChanged) continue;
      rowChanged = true;
      if (!after.mask[k]) {
        if (before.mask[k]) tally.removed++;
        continue;
      }
      const c = k % ctx.C;
      if (!bands.has(c)) bands.set(c, band(ctx.channelTrainingValues(c)));
      tally.add(channels[c], after.values[k], ctx.plausible(channels[c]), bands.get(c)!);
    }
    if (rowChanged) tally.changedRows++;
  }
  return tally.report(trigger, 'timeseries', rows.length);
}
