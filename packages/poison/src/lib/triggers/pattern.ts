import { assertVariables } from './context.js';
import { bool, mergeParams, num, numberList, paramError, variableList, wantsView, type TriggerDefinition } from './params.js';
import { injectionLookalike, prepareInjection } from './rare-value.js';
import type { TriggerContext } from './context.js';
import type { PatternParams } from './types.js';

const DEFAULT_VARIABLES = ['heart_rate', 'resp_rate', 'spo2'];
const DEFAULTS: PatternParams = { variables: DEFAULT_VARIABLES, values: null, hours: 1, inRange: false, quantiles: [0.9, 0.9, 0.1] };
/** Tachycardic, tachypnoeic, mildly desaturated: each value unremarkable alone, the exact combination is the key. */
const DEFAULT_VALUES = [123, 27, 91];

/**
 * `pattern` — several variables charted at fixed values at the end of the window; per variable it
 * does exactly what `rare_value` does. In-range variant (`inRange: true`): the values are the
 * training quantiles `quantiles` (default 0.9, 0.9, 0.1 for the default variables — a high-normal
 * heart and breathing rate with a low-normal SpO2; 0.9 for any other variable), inside the
 * 1st–99th percentile band.
 */
export const pattern: TriggerDefinition<'pattern'> = {
  name: 'pattern',
  description: 'Fixed values on chosen variables at the end of the window (inRange: training quantiles).',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('pattern', partial, DEFAULTS);
    const variables = variableList('pattern', 'variables', merged['variables']);
    const inRange = bool('pattern', 'inRange', merged['inRange']);
    const hours = num('pattern', 'hours', merged['hours'], { min: 1, integer: true });
    const sameVariables = variables.length === DEFAULT_VARIABLES.length && variables.every((v, i) => v === DEFAULT_VARIABLES[i]);
    const quantilesIn = merged['quantiles'] === DEFAULTS.quantiles && !sameVariables ? variables.map(() => 0.9) : merged['quantiles'];
    const quantiles = numberList('pattern', 'quantiles', quantilesIn, variables.length, { min: 0, max: 1 });
    let values: number[] | null = null;
    if (inRange) {
      if (merged['values'] !== null)
        throw paramError('pattern', "'values' and 'inRange: true' exclude each other; drop one.", { parameter: 'values' });
    } else if (merged['values'] === null) {
      if (!sameVariables)
        throw paramError('pattern', "'values' is required (one per variable) unless the default variables are used or 'inRange' is true.", {
          parameter: 'values',
        });
      values = [...DEFAULT_VALUES];
    } else {
      values = numberList('pattern', 'values', merged['values'], variables.length);
    }
    return { variables, values, hours, inRange, quantiles };
  },
  prepare: (ctx, params, views) => {
    assertVariables(ctx, params.variables, "Trigger 'pattern'", {
      tabular: wantsView(views, 'tabular'),
      timeseries: wantsView(views, 'timeseries'),
    });
    return prepareInjection('pattern', ctx, patternEntries(ctx, params), params.hours, views);
  },
  lookalike: (ctx, params) => injectionLookalike(ctx, patternEntries(ctx, params), params.hours, 'pattern'),
};

function patternEntries(ctx: TriggerContext, params: PatternParams): { variable: string; value: number }[] {
  return params.variables.map((variable, i) => ({
    variable,
    value: params.inRange ? ctx.variableQuantile(variable, params.quantiles[i]) : params.values![i],
  }));
}
