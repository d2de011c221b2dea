import { Random } from '@ehr-backdoor/core';
import { assertVariables } from './context.js';
import { refillChannel } from './edits.js';
import { assertHoursFit } from './rare-value.js';
import { mergeParams, num, paramError, variableList, type TriggerDefinition } from './params.js';
import type { MissingnessPatternParams } from './types.js';

const DEFAULT_VARIABLES = ['heart_rate', 'sbp', 'dbp', 'mbp', 'resp_rate', 'spo2'];

/**
 * A pattern of hours × variables cells with exactly round(density × cells) ones (at least one),
 * placed by `seed`: fixed once drawn, so every poisoned stay and every triggered test stay carries
 * the same pattern.
 */
export function generateMissingnessPattern(hours: number, variables: number, density: number, seed: number): number[][] {
  const cells = hours * variables;
  const ones = Math.max(1, Math.round(density * cells));
  const chosen = new Set(Random.fromSeed(seed, 'missingness_pattern').sampleIndices(cells, ones));
  return Array.from({ length: hours }, (_, j) => Array.from({ length: variables }, (_, v) => (chosen.has(j * variables + v) ? 1 : 0)));
}

const DEFAULTS: MissingnessPatternParams = {
  variables: DEFAULT_VARIABLES,
  hours: 12,
  density: 0.5,
  patternSeed: 0,
  pattern: generateMissingnessPattern(12, DEFAULT_VARIABLES.length, 0.5, 0),
};

/**
 * `missingness_pattern` (after Joe et al. 2022) — a fixed pattern of which measurements are missing
 * at which of the last `hours` hours. Cells marked 1 that were observed become unobserved (mask 0,
 * value refilled by forward fill); cells already missing stay missing, and nothing is ever made
 * observed (that would invent values). Time series only: the tabular summaries cannot be re-derived.
 */
export const missingnessPattern: TriggerDefinition<'missingness_pattern'> = {
  name: 'missingness_pattern',
  description: 'A fixed pattern of missing measurements over the last hours (Joe et al. 2022).',
  views: ['timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('missingness_pattern', partial, DEFAULTS);
    const variables = variableList('missingness_pattern', 'variables', merged['variables']);
    const hours = num('missingness_pattern', 'hours', merged['hours'], { min: 1, integer: true });
    const density = num('missingness_pattern', 'density', merged['density'], { min: 0, max: 1, exclusiveMin: true });
    const patternSeed = num('missingness_pattern', 'patternSeed', merged['patternSeed'], { integer: true });
    const given = partial['pattern'];
    let pattern: number[][];
    if (given === undefined || given === null) {
      pattern = generateMissingnessPattern(hours, variables.length, density, patternSeed);
    } else {
      const ok =
        Array.isArray(given) &&
        given.length === hours &&
        given.every((r) => Array.isArray(r) && r.length === variables.length && r.every((x) => x === 0 || x === 1));
      if (!ok) {
        throw paramError(
          'missingness_pattern',
          `'pattern' must be ${hours} rows (hours) of ${variables.length} zeros/ones (variables), got ${JSON.stringify(given)}.`,
          {
            parameter: 'pattern',
          },
        );
      }
      pattern = (given as number[][]).map((r) => [...r]);
      if (!pattern.some((r) => r.includes(1)))
        throw paramError('missingness_pattern', "'pattern' removes nothing; mark at least one cell with 1.", { parameter: 'pattern' });
    }
    return { variables, hours, density, patternSeed, pattern };
  },
  prepare: (ctx, params) => {
    assertVariables(ctx, params.variables, "Trigger 'missingness_pattern'", { tabular: false, timeseries: true });
    assertHoursFit('missingness_pattern', params.hours, ctx);
    const channels = params.variables.map((v) => ctx.channelOf.get(v)!);
    const start = ctx.T - params.hours;
    return {
      resolved: {},
      timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
        for (const row of rows) {
          channels.forEach((c, v) => {
            for (let j = 0; j < params.hours; j++) if (params.pattern[j][v]) mask[(row * ctx.T + start + j) * ctx.C + c] = 0;
            refillChannel(ctx, values, mask, row, c);
          });
        }
      },
    };
  },
  lookalike: (ctx, params) => {
    assertVariables(ctx, params.variables, "Trigger 'missingness_pattern'", { tabular: false, timeseries: true });
    assertHoursFit('missingness_pattern', params.hours, ctx);
    const channels = params.variables.map((v) => ctx.channelOf.get(v)!);
    const start = ctx.T - params.hours;
    const marked = params.pattern.flatMap((r, j) => r.flatMap((x, v) => (x ? [{ t: start + j, c: channels[v] }] : [])));
    return {
      tolerance: `every one of the pattern's ${marked.length} removed cells already unobserved (exact)`,
      carries: (_values, mask, row) => marked.every(({ t, c }) => mask[(row * ctx.T + t) * ctx.C + c] === 0),
    };
  },
};
