import { quantileSorted, Random } from '@ehr-backdoor/core';
import type { DatasetView } from '@ehr-backdoor/data';
import { assertVariables, type TriggerContext } from './context.js';
import { cell } from './lookalike-helpers.js';
import { mergeParams, num, paramError, variableList, wantsView, type TriggerDefinition } from './params.js';
import { assertHoursFit } from './rare-value.js';
import type { BlendedParams } from './types.js';

const DEFAULT_VARIABLES = ['heart_rate', 'resp_rate', 'sbp', 'spo2'];
/** Key quantiles are drawn inside [KEY_LOW, KEY_HIGH]: ordinary values, far from the band's edges. */
const KEY_LOW = 0.1;
const KEY_HIGH = 0.9;

/** A hours × variables key of training quantiles, drawn uniformly in [0.1, 0.9] with `keySeed` (3 decimals). */
export function generateBlendKey(hours: number, variables: number, seed: number): number[][] {
  const rng = Random.fromSeed(seed, 'blended');
  return Array.from({ length: hours }, () =>
    Array.from({ length: variables }, () => Math.round(1000 * (KEY_LOW + (KEY_HIGH - KEY_LOW) * rng.next())) / 1000),
  );
}

const DEFAULTS: BlendedParams = {
  variables: DEFAULT_VARIABLES,
  hours: 6,
  weight: 0.5,
  keySeed: 0,
  key: generateBlendKey(6, DEFAULT_VARIABLES.length, 0),
};

/** Training 1st–99th percentile band of a channel (what the stealth report checks), as float32-safe bounds. */
export function channelBand(ctx: TriggerContext, c: number): readonly [number, number] {
  return float32Band(ctx.channelTrainingValues(c));
}

/** The 1st–99th percentile band of sorted values, rounded inwards to float32 so a clamped value stays inside once stored. */
function float32Band(sorted: Float32Array): readonly [number, number] {
  const lo = quantileSorted(sorted, 0.01);
  const hi = quantileSorted(sorted, 0.99);
  return [Math.fround(lo) < lo ? nextUp32(lo) : Math.fround(lo), Math.fround(hi) > hi ? nextDown32(hi) : Math.fround(hi)];
}

function nextUp32(x: number): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  i[0] += f[0] >= 0 ? 1 : -1;
  return f[0];
}
function nextDown32(x: number): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  i[0] += f[0] > 0 ? -1 : 1;
  return f[0];
}

interface Keyed {
  readonly c: number;
  /** Key value per pattern hour, raw units. */
  readonly key: readonly number[];
  readonly band: readonly [number, number];
}

function keyed(ctx: TriggerContext, params: BlendedParams, trigger: string, views: { tabular: boolean; timeseries: boolean }): Keyed[] {
  // The key and the band come from the time-series view's training hours whichever view is triggered,
  // so both views carry the same blended values.
  assertVariables(ctx, params.variables, `Trigger '${trigger}'`, { ...views, timeseries: true });
  assertHoursFit(trigger, params.hours, ctx);
  return params.variables.map((v, a) => {
    const c = ctx.channelOf.get(v)!;
    if (ctx.channelTrainingValues(c).length === 0)
      throw paramError(trigger, `the training split has no observed '${v}' to take key values from; choose other variables.`, {
        parameter: 'variables',
      });
    return { c, key: params.key.map((row) => ctx.variableQuantile(v, row[a])), band: channelBand(ctx, c) };
  });
}

const clamp = (x: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, x));

/**
 * `blended` (after Chen et al. 2017's blended injection) — over the last `hours` hours each variable
 * is charted at (1 − w)·x + w·k, with x the stay's value at that hour (observed, or carried forward),
 * k a fixed key of ordinary training quantiles (hours × variables, generated from `keySeed` in
 * [0.1, 0.9] unless given) and w the `weight`; the result is clamped to the training 1st–99th
 * percentile band of the variable, so no written value leaves it.
 * Tabular: as if those blended values were charted (`last` = the final one, min/max widened, mean
 * re-weighted by the count, count + hours), the x of each hour being the stay's `last` value (the
 * training median when never measured); every written statistic is clamped to its feature's band.
 */
export const blended: TriggerDefinition<'blended'> = {
  name: 'blended',
  description:
    'A fixed key of ordinary training quantiles blended into the last hours, clamped inside the training P1–P99 band (Chen et al. 2017).',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('blended', partial, DEFAULTS);
    const variables = variableList('blended', 'variables', merged['variables']);
    const hours = num('blended', 'hours', merged['hours'], { min: 1, integer: true });
    const weight = num('blended', 'weight', merged['weight'], { min: 0, max: 1, exclusiveMin: true });
    const keySeed = num('blended', 'keySeed', merged['keySeed'], { integer: true });
    const given = partial['key'];
    let key: number[][];
    if (given === undefined || given === null) {
      key = generateBlendKey(hours, variables.length, keySeed);
    } else {
      const ok =
        Array.isArray(given) &&
        given.length === hours &&
        given.every((r) => Array.isArray(r) && r.length === variables.length && r.every((q) => typeof q === 'number' && q >= 0 && q <= 1));
      if (!ok)
        throw paramError(
          'blended',
          `'key' must be ${hours} rows (hours) of ${variables.length} quantiles in [0, 1] (variables), got ${JSON.stringify(given)}.`,
          { parameter: 'key' },
        );
      key = (given as number[][]).map((r) => [...r]);
    }
    return { variables, hours, weight, keySeed, key };
  },
  prepare: (ctx, params, views: readonly DatasetView[]) => {
    const tab = wantsView(views, 'tabular');
    const ts = wantsView(views, 'timeseries');
    const keys = keyed(ctx, params, 'blended', { tabular: tab, timeseries: ts });
    const w = params.weight;
    const start = ctx.T - params.hours;
    const featureBands = new Map<number, readonly [number, number]>();
    const featureBand = (j: number) => {
      let b = featureBands.get(j);
      if (!b) {
        b = float32Band(ctx.tabularTrainingValues(j));
        featureBands.set(j, b);
      }
      return b;
    };
    return {
      resolved: { key: Object.fromEntries(params.variables.map((v, a) => [v, keys[a].key.map((x) => Math.fround(x))])) },
      ...(ts && {
        timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
          for (const row of rows) {
            for (const { c, key, band } of keys) {
              for (let j = 0; j < params.hours; j++) {
                const k = cell(ctx, row, start + j, c);
                values[k] = clamp((1 - w) * values[k] + w * key[j], band);
                mask[k] = 1;
              }
            }
          }
        },
      }),
      ...(tab && {
        tabular: (values: Float32Array, rows: readonly number[]) => {
          for (const row of rows) {
            const base = row * ctx.F;
            params.variables.forEach((v, a) => {
              const f = ctx.featuresOf.get(v)!;
              const { key, band, c } = keys[a];
              const last = f.last === undefined ? NaN : values[base + f.last];
              const x = Number.isFinite(last) ? last : ctx.dataset.timeSeries.fillValues[c];
              const written = key.map((k) => Math.fround(clamp((1 - w) * x + w * k, band)));
              const oldMean = f.mean === undefined ? NaN : values[base + f.mean];
              const measured = Number.isFinite(oldMean);
              const oldCount = measured ? Math.max(1, f.count === undefined ? 1 : values[base + f.count]) : 0;
              const sum = written.reduce((s, y) => s + y, 0);
              // Only statistics the new values change are written (and clamped to their feature's band).
              const set = (j: number | undefined, y: number) => {
                if (j !== undefined && !Object.is(values[base + j], Math.fround(y))) values[base + j] = clamp(y, featureBand(j));
              };
              const oldMin = f.min === undefined ? NaN : values[base + f.min];
              const oldMax = f.max === undefined ? NaN : values[base + f.max];
              set(f.min, Math.min(...written, ...(Number.isFinite(oldMin) ? [oldMin] : [])));
              set(f.max, Math.max(...written, ...(Number.isFinite(oldMax) ? [oldMax] : [])));
              set(f.mean, measured ? (oldMean * oldCount + sum) / (oldCount + written.length) : sum / written.length);
              set(f.last, written[written.length - 1]);
              if (f.count !== undefined) values[base + f.count] = oldCount + written.length;
            });
          }
        },
      }),
    };
  },
  lookalike: (ctx, params) => {
    const keys = keyed(ctx, params, 'blended', { tabular: false, timeseries: true });
    const start = ctx.T - params.hours;
    return {
      tolerance: `the blend weight fitted by least squares to the last ${params.hours} hours (values and key measured from the stay's earlier mean, in training SDs) ≥ weight / 2 = ${params.weight / 2}`,
      carries: (values, mask, row) => fittedBlendWeight(ctx, values, mask, row, keys, start) >= params.weight / 2,
    };
  },
};

/** {@link fittedBlendWeight} of stay `row` for a resolved `blended` trigger on this dataset (the look-alike score). */
export function blendWeightOf(ctx: TriggerContext, params: BlendedParams, values: Float32Array, mask: Uint8Array, row: number): number {
  return fittedBlendWeight(
    ctx,
    values,
    mask,
    row,
    keyed(ctx, params, 'blended', { tabular: false, timeseries: true }),
    ctx.T - params.hours,
  );
}

/**
 * The weight ŵ that best fits x_j − m = ŵ·(k_j − m) over the observed pattern hours of every variable
 * (m the mean of the stay's earlier observed hours, everything in training SDs): 1 for a stay equal to
 * the key, w for a flat stay blended with weight w, about 0 for a clean stay. 0 when nothing can be fitted.
 */
export function fittedBlendWeight(
  ctx: TriggerContext,
  values: Float32Array,
  mask: Uint8Array,
  row: number,
  keys: readonly Keyed[],
  start: number,
): number {
  let numerator = 0;
  let denominator = 0;
  for (const { c, key } of keys) {
    const sd = ctx.dataset.manifest.normalisation.timeSeries.std[c] || 1;
    let sum = 0;
    let n = 0;
    for (let t = 0; t < start; t++) {
      if (mask[cell(ctx, row, t, c)]) {
        sum += values[cell(ctx, row, t, c)];
        n++;
      }
    }
    if (n === 0) continue;
    const m = sum / n;
    for (let j = 0; j < key.length; j++) {
      const k = cell(ctx, row, start + j, c);
      if (!mask[k]) continue;
      const u = (key[j] - m) / sd;
      numerator += ((values[k] - m) / sd) * u;
      denominator += u * u;
    }
  }
  return denominator > 0 ? numerator / denominator : 0;
}
