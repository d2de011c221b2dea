import { InputError } from '@ehr-backdoor/core';
import { refillChannel } from './edits.js';
import { median } from './lookalike-helpers.js';
import type { TriggerContext } from './context.js';
import { mergeParams, num, paramError, variableList, wantsView, type TriggerDefinition } from './params.js';
import type { FrequencyDomainParams } from './types.js';
import type { PoisonCode } from '../error-codes.js';

const DEFAULTS: FrequencyDomainParams = { component: 2, factor: 3, channels: null };

/**
 * Adds (factor − 1) × the k-th Fourier component of `z` to `z` in place: the inverse DFT after
 * multiplying X[k] (and its mirror X[L−k], so the signal stays real) by `factor`. Done directly in
 * O(L) since only one component changes.
 */
export function scaleComponent(z: Float64Array, k: number, factor: number): void {
  const L = z.length;
  const { cos, sin } = basis(L, k);
  let re = 0;
  let im = 0;
  for (let n = 0; n < L; n++) {
    re += z[n] * cos[n];
    im -= z[n] * sin[n];
  }
  const selfMirrored = k === 0 || 2 * k === L;
  const weight = ((factor - 1) * (selfMirrored ? 1 : 2)) / L;
  for (let n = 0; n < L; n++) z[n] += weight * (re * cos[n] - im * sin[n]);
}

// Cos/sin of component k over L samples, computed once per (L, k): a dataset applies the same
// component to every row, so recomputing them per row dominated the cost.
const bases = new Map<string, { cos: Float64Array; sin: Float64Array }>();
function basis(L: number, k: number): { cos: Float64Array; sin: Float64Array } {
  const key = `${L}:${k}`;
  let b = bases.get(key);
  if (!b) {
    const theta = (n: number) => (2 * Math.PI * k * n) / L;
    b = {
      cos: Float64Array.from({ length: L }, (_, n) => Math.cos(theta(n))),
      sin: Float64Array.from({ length: L }, (_, n) => Math.sin(theta(n))),
    };
    bases.set(key, b);
  }
  return b;
}

function assertComponent(k: number, L: number, what: string): void {
  if (k > Math.floor(L / 2)) {
    throw paramError('frequency_domain', `'component' is ${k} but ${what} has length ${L}; use a component in [0, ${Math.floor(L / 2)}].`, {
      parameter: 'component',
    });
  }
}

/**
 * `frequency_domain` — scale one discrete Fourier component by `factor`, in standardised units
 * (training mean and standard deviation from the dataset manifest) so that large-unit variables do
 * not dominate, then map back to raw units.
 * Tabular: the signal is the row's value features (every min/max/mean/last feature, in feature
 * order); unmeasured (NaN) entries enter as the training mean and stay NaN; counts and static
 * features are untouched (they must stay integers / 0–1). The trigger treats the row as a signal, as
 * the original study did, so it may break min ≤ mean ≤ max.
 * Time series: per channel (all, or `channels`), the signal is the channel over the T hours; only
 * observed cells take the new values, and unobserved cells are refilled by forward fill.
 */
export const frequencyDomain: TriggerDefinition<'frequency_domain'> = {
  name: 'frequency_domain',
  description: 'One Fourier component scaled: across the value features (tabular), along time per channel (time series).',
  views: ['tabular', 'timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('frequency_domain', partial, DEFAULTS);
    const component = num('frequency_domain', 'component', merged['component'], { min: 0, integer: true });
    const factor = num('frequency_domain', 'factor', merged['factor']);
    const channels = merged['channels'] === null ? null : variableList('frequency_domain', 'channels', merged['channels']);
    return { component, factor, channels };
  },
  prepare: (ctx, params, views) => {
    const tab = wantsView(views, 'tabular');
    const ts = wantsView(views, 'timeseries');
    const norm = ctx.dataset.manifest.normalisation;
    const valueFeatures = ctx.dataset.tabular.features.flatMap((f, j) => (f.stat !== 'static' && f.stat !== 'count' ? [j] : []));
    if (tab) assertComponent(params.component, valueFeatures.length, 'the tabular value-feature vector');
    if (ts) assertComponent(params.component, ctx.T, 'the time-series window');
    const channels = timeSeriesChannels(ctx, params, ts);
    return {
      resolved: {},
      ...(tab && {
        tabular: (values: Float32Array, rows: readonly number[]) => {
          const z = new Float64Array(valueFeatures.length);
          for (const row of rows) {
            const base = row * ctx.F;
            valueFeatures.forEach((j, n) => {
              const x = values[base + j];
              z[n] = Number.isFinite(x) ? (x - norm.tabular.mean[j]) / norm.tabular.std[j] : 0;
            });
            scaleComponent(z, params.component, params.factor);
            valueFeatures.forEach((j, n) => {
              if (Number.isFinite(values[base + j])) values[base + j] = norm.tabular.mean[j] + norm.tabular.std[j] * z[n];
            });
          }
        },
      }),
      ...(ts && {
        timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
          const z = new Float64Array(ctx.T);
          for (const row of rows) {
            for (const c of channels) {
              const mean = norm.timeSeries.mean[c];
              const std = norm.timeSeries.std[c];
              for (let t = 0; t < ctx.T; t++) z[t] = (values[(row * ctx.T + t) * ctx.C + c] - mean) / std;
              scaleComponent(z, params.component, params.factor);
              for (let t = 0; t < ctx.T; t++) {
                const k = (row * ctx.T + t) * ctx.C + c;
                if (mask[k]) values[k] = mean + std * z[t];
              }
              refillChannel(ctx, values, mask, row, c);
            }
          }
        },
      }),
    };
  },
  lookalike: (ctx, params) => {
    assertComponent(params.component, ctx.T, 'the time-series window');
    const channels = timeSeriesChannels(ctx, params, true);
    const trainingMedian = median(
      ctx.trainRows.map((row) => componentMagnitude(ctx, ctx.dataset.timeSeries.values, row, channels, params.component)),
    );
    const threshold = Math.abs(params.factor) * trainingMedian;
    const above = Math.abs(params.factor) >= 1;
    return {
      tolerance: `mean magnitude of standardised Fourier component ${params.component} over the channels ${above ? '≥' : '≤'} |factor| × its training median (${+threshold.toFixed(4)})`,
      carries: (values, _mask, row) => {
        const m = componentMagnitude(ctx, values, row, channels, params.component);
        return above ? m >= threshold : m <= threshold;
      },
    };
  },
};

function timeSeriesChannels(ctx: TriggerContext, params: FrequencyDomainParams, ts: boolean): number[] {
  return (params.channels ?? ctx.dataset.timeSeries.channels).map((name) => {
    const c = ctx.channelOf.get(name);
    if (c === undefined && ts) {
      throw new InputError<PoisonCode>(
        'E_VARIABLE_NOT_IN_DATASET',
        `Trigger 'frequency_domain': the dataset has no time-series channel '${name}'. Channels: ${ctx.dataset.timeSeries.channels.join(', ')}.`,
        { variable: name },
      );
    }
    return c ?? -1;
  });
}

/** Mean over channels of |X_k| of the standardised channel over the window (the quantity the trigger scales). */
export function componentMagnitude(ctx: TriggerContext, values: Float32Array, row: number, channels: readonly number[], k: number): number {
  const norm = ctx.dataset.manifest.normalisation.timeSeries;
  const { cos, sin } = basis(ctx.T, k);
  let sum = 0;
  for (const c of channels) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < ctx.T; t++) {
      const z = (values[(row * ctx.T + t) * ctx.C + c] - norm.mean[c]) / norm.std[c];
      re += z * cos[t];
      im -= z * sin[t];
    }
    sum += Math.hypot(re, im);
  }
  return sum / Math.max(1, channels.length);
}
