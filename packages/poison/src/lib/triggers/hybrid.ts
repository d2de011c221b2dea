import { missingnessLookalike, prepareMissingness, resolveMissingness } from './missingness.js';
import { mergeParams, paramError, type TriggerDefinition } from './params.js';
import { injectionLookalike, prepareInjection, rareValueOf, resolveRareValue } from './rare-value.js';
import { assertVariables } from './context.js';
import type { HybridParams } from './types.js';

const DEFAULTS: HybridParams = {
  rare: { variable: 'heart_rate', value: null, hours: 1, inRange: false, quantile: 0.98 },
  missing: { variables: ['hemoglobin', 'platelets', 'wbc'] },
};

/**
 * `hybrid` — `missingness` on `missing.variables`, then `rare_value` on `rare.variable` (which must
 * not be among the missing ones). Each view gets exactly what the two triggers do on their own.
 * Nested parameters are filled from the nested defaults, so `{ rare: { value: 200 } }` keeps
 * heart_rate and the default missing set.
 */
export const hybrid: TriggerDefinition<'hybrid'> = {
  name: 'hybrid',
  description: 'rare_value on one variable plus missingness on others.',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('hybrid', partial, DEFAULTS);
    const rareIn = merged['rare'] === DEFAULTS.rare ? {} : merged['rare'];
    const missingIn = merged['missing'] === DEFAULTS.missing ? {} : merged['missing'];
    const rare = resolveRareValue(asObject(rareIn, 'rare'), 'hybrid.rare');
    const missing = resolveMissingness(asObject(missingIn, 'missing'), 'hybrid.missing');
    if (missing.variables.includes(rare.variable)) {
      throw paramError('hybrid', `'${rare.variable}' is both the rare-value variable and a missing one; choose distinct variables.`, {
        parameter: 'rare.variable',
      });
    }
    return { rare, missing };
  },
  prepare: (ctx, params, views) => {
    const both = { tabular: views.includes('tabular'), timeseries: views.includes('timeseries') };
    assertVariables(ctx, [params.rare.variable], "Trigger 'hybrid'", both);
    const missing = prepareMissingness('hybrid', ctx, params.missing, views);
    const rare = prepareInjection(
      'hybrid',
      ctx,
      [{ variable: params.rare.variable, value: rareValueOf(ctx, params.rare) }],
      params.rare.hours,
      views,
    );
    return {
      resolved: rare.resolved,
      ...(missing.tabular && {
        tabular: (values: Float32Array, rows: readonly number[]) => {
          missing.tabular!(values, rows);
          rare.tabular!(values, rows);
        },
      }),
      ...(missing.timeseries && {
        timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
          missing.timeseries!(values, mask, rows);
          rare.timeseries!(values, mask, rows);
        },
      }),
    };
  },
  lookalike: (ctx, params) => {
    const missing = missingnessLookalike(ctx, params.missing, 'hybrid');
    const rare = injectionLookalike(
      ctx,
      [{ variable: params.rare.variable, value: rareValueOf(ctx, params.rare) }],
      params.rare.hours,
      'hybrid',
    );
    return {
      tolerance: `${missing.tolerance}, and ${rare.tolerance}`,
      carries: (values, mask, row) => missing.carries(values, mask, row) && rare.carries(values, mask, row),
    };
  },
};

function asObject(value: unknown, key: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw paramError(
      'hybrid',
      `'${key}' must be an object of ${key === 'rare' ? 'rare_value' : 'missingness'} parameters, got ${JSON.stringify(value)}.`,
      { parameter: key },
    );
  }
  return value as Record<string, unknown>;
}
