import { InputError } from '@ehr-backdoor/core';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import { tabularStealth, timeSeriesStealth, type StealthReport } from '../stealth.js';
import { contextFor, type TriggerContext } from './context.js';
import { assertTriggerSupportsView, prepareTrigger, resolveTrigger } from './registry.js';
import type { PartialTriggerSpec, TriggerName, TriggerSpec } from './types.js';
import type { PoisonCode } from '../error-codes.js';

/**
 * Applying a trigger: resolve the spec → check it against the dataset → copy the view's arrays →
 * edit the selected rows of the copy → compare with the input for the stealth report. Inputs are
 * never written to.
 */
export interface TabularTriggerResult {
  /** n × F, a new array: the selected rows triggered, every other row identical to the input. */
  readonly values: Float32Array;
  readonly stealth: StealthReport;
  /** Dataset-dependent choices (e.g. the in-range value picked), for audit. */
  readonly resolved: Readonly<Record<string, unknown>>;
}

/**
 * A trigger applied to time-series stays: new value and observation-mask arrays (the inputs are not
 * modified), its stealth report and the dataset-dependent choices it made.
 */
export interface TimeSeriesTriggerResult {
  /** n × T × C, new arrays. */
  readonly values: Float32Array;
  readonly mask: Uint8Array;
  readonly stealth: StealthReport;
  readonly resolved: Readonly<Record<string, unknown>>;
}

export interface AppliedTrigger {
  readonly spec: TriggerSpec;
  readonly resolved: Readonly<Record<string, unknown>>;
  readonly tabular?: TabularTriggerResult;
  readonly timeseries?: TimeSeriesTriggerResult;
}

/**
 * A full spec or a `{ name, params? }` with partial parameters, both typed per trigger (any name
 * alone means its defaults, so a loop over `TRIGGER_NAMES` may pass `{ name }`). A name or
 * parameters known only at run time (a CLI flag, a config file) go through `resolveTrigger` first.
 */
export type TriggerInput = TriggerSpec | PartialTriggerSpec | { readonly name: TriggerName; readonly params?: undefined };

export function toSpec(trigger: TriggerInput): TriggerSpec {
  if (!trigger || typeof trigger !== 'object' || typeof (trigger as { name?: unknown }).name !== 'string') {
    throw new InputError<PoisonCode>('E_UNKNOWN_TRIGGER', `A trigger must be an object { name, params }, got ${JSON.stringify(trigger)}.`);
  }
  return resolveTrigger(trigger.name, trigger.params);
}

export function assertRows(dataset: EhrDataset, rows: readonly number[], what: string): void {
  const seen = new Set<number>();
  for (const row of rows) {
    if (!Number.isInteger(row) || row < 0 || row >= dataset.n || seen.has(row)) {
      throw new InputError<PoisonCode>('E_ROWS', `${what}: row ${row} is not a distinct row index in [0, ${dataset.n}).`, { row });
    }
    seen.add(row);
  }
}

/** Arrays in the dataset's row layout (any number of rows): the whole dataset, or a row subset. */
export interface ViewArrays {
  readonly tabular: Float32Array;
  readonly tsValues: Float32Array;
  readonly tsMask: Uint8Array;
}

/**
 * Internal: applies one resolved spec to the requested views with a shared context. Edits work on
 * copies of `source` (the dataset's own arrays by default; a row subset for the triggered test set,
 * so the whole dataset is not copied to trigger a fraction of it) and `rows` index `source`.
 */
export function applyTriggerViews(
  ctx: TriggerContext,
  spec: TriggerSpec,
  views: readonly DatasetView[],
  rows: readonly number[],
  source?: ViewArrays,
): AppliedTrigger {
  const prepared = prepareTrigger(ctx, spec, views);
  const { dataset } = ctx;
  const from = source ?? { tabular: dataset.tabular.values, tsValues: dataset.timeSeries.values, tsMask: dataset.timeSeries.mask };
  let tabular: TabularTriggerResult | undefined;
  let timeseries: TimeSeriesTriggerResult | undefined;
  if (views.includes('tabular') && prepared.tabular) {
    const values = Float32Array.from(from.tabular);
    prepared.tabular(values, rows);
    tabular = { values, stealth: tabularStealth(ctx, spec.name, from.tabular, values, rows), resolved: prepared.resolved };
  }
  if (views.includes('timeseries') && prepared.timeseries) {
    const values = Float32Array.from(from.tsValues);
    const mask = Uint8Array.from(from.tsMask);
    prepared.timeseries(values, mask, rows);
    const stealth = timeSeriesStealth(ctx, spec.name, { values: from.tsValues, mask: from.tsMask }, { values, mask }, rows);
    timeseries = { values, mask, stealth, resolved: prepared.resolved };
  }
  return { spec, resolved: prepared.resolved, ...(tabular && { tabular }), ...(timeseries && { timeseries }) };
}

/**
 * The tabular view with `trigger` applied to `rows` (indices into the dataset), as new arrays.
 * Throws E_TRIGGER_VIEW for a time-series-only trigger, E_ROWS for bad rows, and the trigger's
 * parameter / variable errors.
 */
export function applyTriggerToTabular(dataset: EhrDataset, trigger: TriggerInput, rows: readonly number[]): TabularTriggerResult {
  const spec = toSpec(trigger);
  assertTriggerSupportsView(spec.name, 'tabular');
  assertRows(dataset, rows, `applyTriggerToTabular(${spec.name})`);
  return applyTriggerViews(contextFor(dataset), spec, ['tabular'], rows).tabular!;
}

/** The time-series view (values and mask) with `trigger` applied to `rows`, as new arrays. */
export function applyTriggerToTimeSeries(dataset: EhrDataset, trigger: TriggerInput, rows: readonly number[]): TimeSeriesTriggerResult {
  const spec = toSpec(trigger);
  assertTriggerSupportsView(spec.name, 'timeseries');
  assertRows(dataset, rows, `applyTriggerToTimeSeries(${spec.name})`);
  return applyTriggerViews(contextFor(dataset), spec, ['timeseries'], rows).timeseries!;
}
