import type { DatasetView } from '@ehr-backdoor/data';
import { assertVariables, type TriggerContext } from './context.js';
import { appendMeasurements, overwriteLastHours } from './edits.js';
import { cell, channelStd, LOOKALIKE_SD } from './lookalike-helpers.js';
import {
  bool,
  mergeParams,
  num,
  paramError,
  variable,
  wantsView,
  type LookalikeCheck,
  type PreparedTrigger,
  type TriggerDefinition,
} from './params.js';
import type { RareValueParams } from './types.js';

/**
 * Rare but physiologically possible values, in the variable table's units: values an ICU sees in a
 * handful of stays (supraventricular tachycardia at 220 bpm, lactate 20 mmol/L, potassium 8.5 mEq/L),
 * all inside the table's plausible range so no cleaning step drops them. Variables without an entry
 * (GCS components, FiO2) have no value that is both rare and unremarkable to chart; give `value` or
 * use `inRange`.
 */
export const DEFAULT_RARE_VALUES: Readonly<Record<string, number>> = {
  heart_rate: 220,
  sbp: 240,
  dbp: 150,
  mbp: 170,
  resp_rate: 60,
  spo2: 60,
  temperature: 42,
  glucose_fingerstick: 900,
  weight: 250,
  height: 215,
  creatinine: 15,
  glucose: 1000,
  sodium: 175,
  potassium: 8.5,
  chloride: 140,
  bicarbonate: 5,
  bun: 250,
  hemoglobin: 3.5,
  hematocrit: 12,
  wbc: 150,
  platelets: 1200,
  lactate: 20,
  ph: 6.8,
  po2: 550,
  pco2: 130,
  bilirubin: 40,
  albumin: 1,
  inr: 12,
  anion_gap: 45,
  calcium: 15,
  magnesium: 7,
  phosphate: 15,
};

const DEFAULTS: RareValueParams = { variable: 'heart_rate', value: null, hours: 1, inRange: false, quantile: 0.98 };

export function resolveRareValue(partial: Record<string, unknown>, trigger = 'rare_value'): RareValueParams {
  const merged = mergeParams(trigger, partial, DEFAULTS);
  const name = variable(trigger, 'variable', merged['variable']);
  const inRange = bool(trigger, 'inRange', merged['inRange']);
  const quantile = num(trigger, 'quantile', merged['quantile'], { min: 0, max: 1 });
  const hours = num(trigger, 'hours', merged['hours'], { min: 1, integer: true });
  let value: number | null = null;
  if (inRange) {
    if (merged['value'] !== null) {
      throw paramError(
        trigger,
        `'value' and 'inRange: true' exclude each other (the in-range value is the training ${quantile} quantile); drop one.`,
        {
          parameter: 'value',
        },
      );
    }
  } else if (merged['value'] === null) {
    value = DEFAULT_RARE_VALUES[name] ?? null;
    if (value === null) {
      throw paramError(
        trigger,
        `no default rare value for '${name}'; give 'value' or set 'inRange: true'. Variables with defaults: ${Object.keys(DEFAULT_RARE_VALUES).join(', ')}.`,
        { parameter: 'value' },
      );
    }
  } else {
    value = num(trigger, 'value', merged['value']);
  }
  return { variable: name, value, hours, inRange, quantile };
}

export function assertHoursFit(trigger: string, hours: number, ctx: TriggerContext): void {
  if (hours > ctx.T) {
    throw paramError(trigger, `'hours' is ${hours} but the time-series window has only ${ctx.T} hours; use at most ${ctx.T}.`, {
      parameter: 'hours',
    });
  }
}

/**
 * Charts `value` for each (variable, value) pair: appended measurements in tabular, the last `hours` hours in
 * time series. The caller has checked the variables against the views (it needs them to find the values).
 */
export function prepareInjection(
  trigger: string,
  ctx: TriggerContext,
  entries: readonly { variable: string; value: number }[],
  hours: number,
  views: readonly DatasetView[],
): PreparedTrigger {
  const tab = wantsView(views, 'tabular');
  const ts = wantsView(views, 'timeseries');
  if (ts) assertHoursFit(trigger, hours, ctx);
  // Values are stored as float32; record the value the data actually carries.
  const stored = entries.map((e) => ({ variable: e.variable, value: Math.fround(e.value) }));
  return {
    resolved: { values: Object.fromEntries(stored.map((e) => [e.variable, e.value])) },
    ...(tab && {
      tabular: (values: Float32Array, rows: readonly number[]) => {
        for (const row of rows)
          for (const e of stored) appendMeasurements(ctx, values, row, ctx.featuresOf.get(e.variable)!, e.value, hours);
      },
    }),
    ...(ts && {
      timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
        for (const row of rows)
          for (const e of stored) overwriteLastHours(ctx, values, mask, row, ctx.channelOf.get(e.variable)!, e.value, hours);
      },
    }),
  };
}

/**
 * Look-alike of charted values (rare_value, pattern, hybrid's rare part): at least `hours` hours in
 * which every variable is observed at its value or beyond it, away from the training median (a heart
 * rate of 230 carries a 220 trigger), within a quarter of the training standard deviation; a value
 * equal to the median must be met within that tolerance on both sides.
 */
export function injectionLookalike(
  ctx: TriggerContext,
  entries: readonly { variable: string; value: number }[],
  hours: number,
  trigger: string,
): LookalikeCheck {
  assertVariables(
    ctx,
    entries.map((e) => e.variable),
    `Trigger '${trigger}'`,
    { tabular: false, timeseries: true },
  );
  // As applying the trigger does: a carrier needs `hours` hours, which a shorter window cannot hold.
  assertHoursFit(trigger, hours, ctx);
  const keys = entries.map((e) => {
    const c = ctx.channelOf.get(e.variable)!;
    const value = Math.fround(e.value);
    return { c, value, direction: Math.sign(value - ctx.variableQuantile(e.variable, 0.5)), tolerance: LOOKALIKE_SD * channelStd(ctx, c) };
  });
  const meets = (x: number, k: (typeof keys)[number]) =>
    k.direction === 0 ? Math.abs(x - k.value) <= k.tolerance : k.direction * (x - k.value) >= -k.tolerance;
  const described = entries.map(
    (e, i) =>
      `${e.variable} ${keys[i].direction > 0 ? '≥' : keys[i].direction < 0 ? '≤' : '='} ${+keys[i].value.toFixed(3)} ± ${+keys[i].tolerance.toFixed(3)}`,
  );
  return {
    tolerance: `at least ${hours} hour(s) with ${described.join(' and ')} (a quarter of the training SD)${entries.length > 1 ? ' at once' : ''}`,
    carries: (values, mask, row) => {
      let n = 0;
      for (let t = 0; t < ctx.T; t++) {
        if (keys.every((k) => mask[cell(ctx, row, t, k.c)] === 1 && meets(values[cell(ctx, row, t, k.c)], k)) && ++n >= hours) return true;
      }
      return false;
    },
  };
}

export function rareValueOf(ctx: TriggerContext, params: RareValueParams): number {
  return params.inRange ? ctx.variableQuantile(params.variable, params.quantile) : (params.value as number);
}

/**
 * `rare_value` — one variable charted at a rare value at the end of the window.
 * Tabular: as if the value were charted `hours` more times (last = value, min/max widened, mean
 * re-weighted by count, count + hours). Time series: the last `hours` hours of the channel hold the
 * value with mask 1. In-range variant: the value is the training split's `quantile` (default 0.98) of
 * the variable's observed hourly values — high but inside the 1st–99th percentile band.
 */
export const rareValue: TriggerDefinition<'rare_value'> = {
  name: 'rare_value',
  description: 'One variable set to a rare value (or, with inRange, a training quantile) at the end of the window.',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => resolveRareValue(partial),
  prepare: (ctx, params, views) => {
    assertVariables(ctx, [params.variable], "Trigger 'rare_value'", {
      tabular: wantsView(views, 'tabular'),
      timeseries: wantsView(views, 'timeseries'),
    });
    return prepareInjection('rare_value', ctx, [{ variable: params.variable, value: rareValueOf(ctx, params) }], params.hours, views);
  },
  lookalike: (ctx, params) =>
    injectionLookalike(ctx, [{ variable: params.variable, value: rareValueOf(ctx, params) }], params.hours, 'rare_value'),
};
