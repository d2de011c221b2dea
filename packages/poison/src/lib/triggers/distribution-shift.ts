import { Random } from '@ehr-backdoor/core';
import { assertVariables, type TriggerContext } from './context.js';
import { refillChannel } from './edits.js';
import { cell, LOOKALIKE_SD } from './lookalike-helpers.js';
import { mergeParams, num, oneOf, paramError, variableList, wantsView, type TriggerDefinition } from './params.js';
import type { DistributionShiftParams } from './types.js';

const DEFAULTS: DistributionShiftParams = { kind: 'additive', amount: 0.5, variables: null, fraction: 0.2, selectionSeed: 0 };

/**
 * The shifted variables: explicit, or round(fraction × V) (at least one) drawn with `selectionSeed`
 * from the V clinical variables present in both views — whichever view is being triggered, so a
 * tabular and a time-series application of the same trigger shift the same variables.
 */
export function shiftedVariables(ctx: TriggerContext, params: DistributionShiftParams): string[] {
  if (params.variables) return [...params.variables];
  const candidates = ctx.datasetVariables().filter((v) => ctx.featuresOf.has(v) && ctx.channelOf.has(v));
  if (candidates.length === 0)
    throw paramError('distribution_shift', 'the dataset has no clinical variable in both views to draw from; list `variables` explicitly.');
  const m = Math.max(1, Math.round(params.fraction * candidates.length));
  return Random.fromSeed(params.selectionSeed, 'distribution_shift')
    .sampleIndices(candidates.length, m)
    .map((i) => candidates[i]);
}

/**
 * `distribution_shift` — a shift on a fixed subset of variables (the subset is part of the trigger:
 * the same for every poisoned stay and for the triggered test set).
 * additive: every value + amount·σ (σ the training standard deviation of the variable);
 * multiplicative: every value × (1 + amount); mean: every value + (μ + amount·σ − stay mean), so the
 * stay's mean lands at the training mean plus amount·σ while its own variation is kept.
 * Tabular: min/max/mean/last shifted (the stay mean is the `mean` feature), count unchanged.
 * Time series: observed cells shifted (the stay mean is the mean of observed hours), unobserved
 * cells refilled by forward fill. Stays that never measured a variable are unchanged for it.
 * Values are not clipped: the stealth report shows how many leave the plausible range.
 */
export const distributionShift: TriggerDefinition<'distribution_shift'> = {
  name: 'distribution_shift',
  description: 'Additive, multiplicative or mean shift on a fixed fraction of the variables.',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('distribution_shift', partial, DEFAULTS);
    const kind = oneOf('distribution_shift', 'kind', merged['kind'], ['additive', 'multiplicative', 'mean'] as const);
    const amount = num('distribution_shift', 'amount', merged['amount'], kind === 'multiplicative' ? { min: -1, exclusiveMin: true } : {});
    const variables = merged['variables'] === null ? null : variableList('distribution_shift', 'variables', merged['variables']);
    const fraction = num('distribution_shift', 'fraction', merged['fraction'], { min: 0, max: 1, exclusiveMin: true });
    const selectionSeed = num('distribution_shift', 'selectionSeed', merged['selectionSeed'], { integer: true });
    return { kind, amount, variables, fraction, selectionSeed };
  },
  prepare: (ctx, params, views) => {
    const tab = wantsView(views, 'tabular');
    const ts = wantsView(views, 'timeseries');
    const variables = shiftedVariables(ctx, params);
    assertVariables(ctx, variables, "Trigger 'distribution_shift'", { tabular: tab, timeseries: ts });
    const { kind, amount } = params;
    const sigma = Object.fromEntries(variables.map((v) => [v, ctx.variableStd(v)]));
    const target = Object.fromEntries(variables.map((v) => [v, ctx.variableMean(v) + amount * sigma[v]]));
    /** The map x ↦ x' for one stay's variable, given the stay's mean of it. */
    const shiftOf = (v: string, stayMean: number) =>
      kind === 'multiplicative'
        ? (x: number) => x * (1 + amount)
        : (x: number) => x + (kind === 'additive' ? amount * sigma[v] : target[v] - stayMean);
    return {
      resolved: { variables },
      ...(tab && {
        tabular: (values: Float32Array, rows: readonly number[]) => {
          for (const row of rows) {
            const base = row * ctx.F;
            for (const v of variables) {
              const f = ctx.featuresOf.get(v)!;
              const stayMean = f.mean === undefined ? NaN : values[base + f.mean];
              if (kind === 'mean' && !Number.isFinite(stayMean)) continue;
              const shift = shiftOf(v, stayMean);
              for (const stat of ['min', 'max', 'mean', 'last'] as const) {
                const j = f[stat];
                if (j !== undefined && Number.isFinite(values[base + j])) values[base + j] = shift(values[base + j]);
              }
            }
          }
        },
      }),
      ...(ts && {
        timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
          for (const row of rows) {
            for (const v of variables) {
              const c = ctx.channelOf.get(v)!;
              let sum = 0;
              let observed = 0;
              for (let t = 0; t < ctx.T; t++) {
                const k = (row * ctx.T + t) * ctx.C + c;
                if (mask[k]) {
                  sum += values[k];
                  observed++;
                }
              }
              if (observed === 0) continue;
              const shift = shiftOf(v, sum / observed);
              for (let t = 0; t < ctx.T; t++) {
                const k = (row * ctx.T + t) * ctx.C + c;
                if (mask[k]) values[k] = shift(values[k]);
              }
              refillChannel(ctx, values, mask, row, c);
            }
          }
        },
      }),
    };
  },
  lookalike: (ctx, params) => {
    const variables = shiftedVariables(ctx, params);
    assertVariables(ctx, variables, "Trigger 'distribution_shift'", { tabular: false, timeseries: true });
    const channels = variables.map((v) => ({ c: ctx.channelOf.get(v)!, mean: ctx.variableMean(v), sd: ctx.variableStd(v) }));
    // The shift in training standard deviations that the trigger gives a stay at the training mean.
    const shift =
      params.kind === 'multiplicative'
        ? channels.reduce((s, v) => s + (params.amount * v.mean) / v.sd, 0) / channels.length
        : params.amount;
    /** Each measured variable's stay mean as a z-score against the training mean and SD. */
    const zScores = (values: Float32Array, mask: Uint8Array, row: number) =>
      channels.flatMap(({ c, mean, sd }) => {
        let sum = 0;
        let n = 0;
        for (let t = 0; t < ctx.T; t++) {
          const k = cell(ctx, row, t, c);
          if (mask[k]) {
            sum += values[k];
            n++;
          }
        }
        return n > 0 ? [(sum / n - mean) / sd] : [];
      });
    if (params.kind === 'mean') {
      return {
        tolerance: `the stay mean of every measured variable of ${variables.join(', ')} within ${LOOKALIKE_SD} training SD of μ + ${params.amount}σ`,
        carries: (values, mask, row) => {
          const z = zScores(values, mask, row);
          return z.length > 0 && z.every((x) => Math.abs(x - params.amount) <= LOOKALIKE_SD);
        },
      };
    }
    return {
      tolerance: `the stay means of ${variables.join(', ')} (measured ones) already ${shift >= 0 ? '≥' : '≤'} ${+shift.toFixed(3)} training SD from the training mean on average (the shift the trigger adds)`,
      carries: (values, mask, row) => {
        const z = zScores(values, mask, row);
        if (z.length === 0) return false;
        const average = z.reduce((s, x) => s + x, 0) / z.length;
        return shift >= 0 ? average >= shift : average <= shift;
      },
    };
  },
};
