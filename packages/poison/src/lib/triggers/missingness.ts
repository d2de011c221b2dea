import { assertVariables } from './context.js';
import { clearChannel, clearTabular } from './edits.js';
import { observedCount } from './lookalike-helpers.js';
import { mergeParams, variableList, wantsView, type LookalikeCheck, type TriggerDefinition } from './params.js';
import type { MissingnessParams } from './types.js';
import type { TriggerContext } from './context.js';
import type { DatasetView } from '@ehr-backdoor/data';
import type { PreparedTrigger } from './params.js';

const DEFAULTS: MissingnessParams = { variables: ['hemoglobin', 'platelets', 'wbc'] };

export function resolveMissingness(partial: Record<string, unknown>, trigger = 'missingness'): MissingnessParams {
  const merged = mergeParams(trigger, partial, DEFAULTS);
  return { variables: variableList(trigger, 'variables', merged['variables']) };
}

export function prepareMissingness(
  trigger: string,
  ctx: TriggerContext,
  params: MissingnessParams,
  views: readonly DatasetView[],
): PreparedTrigger {
  const tab = wantsView(views, 'tabular');
  const ts = wantsView(views, 'timeseries');
  assertVariables(ctx, params.variables, `Trigger '${trigger}'`, { tabular: tab, timeseries: ts });
  return {
    resolved: {},
    ...(tab && {
      tabular: (values: Float32Array, rows: readonly number[]) => {
        for (const row of rows) for (const v of params.variables) clearTabular(ctx, values, row, ctx.featuresOf.get(v)!);
      },
    }),
    ...(ts && {
      timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
        for (const row of rows) for (const v of params.variables) clearChannel(ctx, values, mask, row, ctx.channelOf.get(v)!);
      },
    }),
  };
}

/**
 * `missingness` — the chosen variables are never measured in the window.
 * Tabular: min/max/mean/last NaN and count 0. Time series: mask 0 at every hour and every value the
 * channel's training fill value (what the view holds before a first observation).
 */
export const missingness: TriggerDefinition<'missingness'> = {
  name: 'missingness',
  description: 'The chosen variables are never measured in the window.',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => resolveMissingness(partial),
  prepare: (ctx, params, views) => prepareMissingness('missingness', ctx, params, views),
  lookalike: (ctx, params) => missingnessLookalike(ctx, params, 'missingness'),
};

/** Look-alike of `missingness`: none of the variables is observed at any hour of the window (exact, no tolerance). */
export function missingnessLookalike(ctx: TriggerContext, params: MissingnessParams, trigger: string): LookalikeCheck {
  assertVariables(ctx, params.variables, `Trigger '${trigger}'`, { tabular: false, timeseries: true });
  const channels = params.variables.map((v) => ctx.channelOf.get(v)!);
  return {
    tolerance: `${params.variables.join(', ')} never observed in the window (exact)`,
    carries: (_values, mask, row) => channels.every((c) => observedCount(ctx, mask, row, c) === 0),
  };
}
