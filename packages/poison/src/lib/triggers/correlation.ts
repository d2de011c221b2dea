import { assertVariables } from './context.js';
import { refillChannel } from './edits.js';
import { cell, channelStd, LOOKALIKE_SD } from './lookalike-helpers.js';
import { mergeParams, num, paramError, variable, variableList, wantsView, type TriggerDefinition } from './params.js';
import type { CorrelationParams } from './types.js';

const DEFAULTS: CorrelationParams = { source: 'heart_rate', targets: ['resp_rate'], factor: 0.25 };

/**
 * `correlation` — each target variable becomes `factor` × the source, charted exactly when the
 * source is, so the two views stay consistent.
 * Tabular: target min/max/mean/last = factor × source min/max/mean/last (min and max swap for a
 * negative factor) and target count = source count; a stay without the source loses the target too
 * (NaN statistics, count 0). Time series: target mask = source mask; observed target cells =
 * factor × source; unobserved cells are refilled by forward fill (training fill value before the
 * first observation).
 */
export const correlation: TriggerDefinition<'correlation'> = {
  name: 'correlation',
  description: 'Target variables set to a multiple of a source variable, observed whenever it is.',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('correlation', partial, DEFAULTS);
    const source = variable('correlation', 'source', merged['source']);
    const targets = variableList('correlation', 'targets', merged['targets']);
    if (targets.includes(source))
      throw paramError('correlation', `the source '${source}' cannot also be a target.`, { parameter: 'targets' });
    const factor = num('correlation', 'factor', merged['factor'], { nonZero: true });
    return { source, targets, factor };
  },
  prepare: (ctx, params, views) => {
    const tab = wantsView(views, 'tabular');
    const ts = wantsView(views, 'timeseries');
    assertVariables(ctx, [params.source, ...params.targets], "Trigger 'correlation'", { tabular: tab, timeseries: ts });
    const a = params.factor;
    return {
      resolved: {},
      ...(tab && {
        tabular: (values: Float32Array, rows: readonly number[]) => {
          const src = ctx.featuresOf.get(params.source)!;
          for (const row of rows) {
            const base = row * ctx.F;
            const get = (j: number | undefined) => (j === undefined ? NaN : values[base + j]);
            const scaled = {
              min: a * (a > 0 ? get(src.min) : get(src.max)),
              max: a * (a > 0 ? get(src.max) : get(src.min)),
              mean: a * get(src.mean),
              last: a * get(src.last),
            };
            for (const target of params.targets) {
              const f = ctx.featuresOf.get(target)!;
              for (const stat of ['min', 'max', 'mean', 'last'] as const) {
                const j = f[stat];
                if (j !== undefined) values[base + j] = scaled[stat];
              }
              if (f.count !== undefined)
                values[base + f.count] = src.count !== undefined ? get(src.count) : Number.isFinite(scaled.mean) ? 1 : 0;
            }
          }
        },
      }),
      ...(ts && {
        timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
          const s = ctx.channelOf.get(params.source)!;
          for (const row of rows) {
            for (const target of params.targets) {
              const c = ctx.channelOf.get(target)!;
              for (let t = 0; t < ctx.T; t++) {
                const base = (row * ctx.T + t) * ctx.C;
                mask[base + c] = mask[base + s];
                if (mask[base + s]) values[base + c] = a * values[base + s];
              }
              refillChannel(ctx, values, mask, row, c);
            }
          }
        },
      }),
    };
  },
  lookalike: (ctx, params) => {
    assertVariables(ctx, [params.source, ...params.targets], "Trigger 'correlation'", { tabular: false, timeseries: true });
    const s = ctx.channelOf.get(params.source)!;
    const targets = params.targets.map((v) => ({
      c: ctx.channelOf.get(v)!,
      tolerance: LOOKALIKE_SD * channelStd(ctx, ctx.channelOf.get(v)!),
    }));
    return {
      tolerance: `every target within a quarter of its training SD of ${params.factor} × ${params.source} at every hour both are observed (at least ${MIN_SHARED_HOURS} such hours)`,
      carries: (values, mask, row) =>
        targets.every(({ c, tolerance }) => {
          let shared = 0;
          for (let t = 0; t < ctx.T; t++) {
            if (!mask[cell(ctx, row, t, s)] || !mask[cell(ctx, row, t, c)]) continue;
            if (Math.abs(values[cell(ctx, row, t, c)] - params.factor * values[cell(ctx, row, t, s)]) > tolerance) return false;
            shared++;
          }
          return shared >= MIN_SHARED_HOURS;
        }),
    };
  },
};

/** Fewer shared hours than this say nothing about a relation between two variables. */
const MIN_SHARED_HOURS = 3;
