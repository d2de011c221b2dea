import { assertVariables, type TriggerContext } from './context.js';
import { refillChannel } from './edits.js';
import { assertHoursFit } from './rare-value.js';
import { cell } from './lookalike-helpers.js';
import { mergeParams, num, numberList, oneOf, paramError, variableList, type TriggerDefinition } from './params.js';
import type { TemporalPatternParams, TemporalShape } from './types.js';

const DEFAULT_VARIABLES = ['heart_rate', 'resp_rate', 'sbp'];
const DEFAULTS: TemporalPatternParams = {
  variables: DEFAULT_VARIABLES,
  hours: 6,
  distance: 2,
  shape: 'bump',
  signs: [1, 1, 1],
  shrinkage: 0.1,
  units: 'sd',
};

/** The pattern's profile over its k hours, peak magnitude 1 (reached exactly for ramp, and for bump/sine at suitable k). */
export function temporalProfile(shape: TemporalShape, k: number): Float64Array {
  return Float64Array.from({ length: k }, (_, j) => {
    if (shape === 'ramp') return (j + 1) / k;
    if (shape === 'sine') return Math.sin((2 * Math.PI * (j + 0.5)) / k);
    return Math.sin((Math.PI * (j + 0.5)) / k) ** 2;
  });
}

/**
 * The stay's covariance of the chosen channels, shrunk toward the training variances:
 * Σ = (1 − γ)·S + γ·diag(σ²). S is the sample covariance over the hours where every chosen channel
 * was observed when there are at least V + 2 such hours; otherwise the diagonal of each channel's
 * variance over its own observed hours (the training variance when it has fewer than two).
 */
export function stayCovariance(
  ctx: TriggerContext,
  values: Float32Array,
  mask: Uint8Array,
  row: number,
  channels: readonly number[],
  shrinkage: number,
): Float64Array {
  const V = channels.length;
  const trainVar = channels.map((c) => ctx.dataset.manifest.normalisation.timeSeries.std[c] ** 2);
  const at = (t: number, c: number) => (row * ctx.T + t) * ctx.C + c;
  const complete: number[] = [];
  for (let t = 0; t < ctx.T; t++) if (channels.every((c) => mask[at(t, c)])) complete.push(t);
  const S = new Float64Array(V * V);
  if (complete.length >= V + 2) {
    const mean = channels.map((c) => complete.reduce((s, t) => s + values[at(t, c)], 0) / complete.length);
    for (let a = 0; a < V; a++) {
      for (let b = a; b < V; b++) {
        let s = 0;
        for (const t of complete) s += (values[at(t, channels[a])] - mean[a]) * (values[at(t, channels[b])] - mean[b]);
        S[a * V + b] = S[b * V + a] = s / (complete.length - 1);
      }
    }
  } else {
    channels.forEach((c, a) => {
      const xs: number[] = [];
      for (let t = 0; t < ctx.T; t++) if (mask[at(t, c)]) xs.push(values[at(t, c)]);
      if (xs.length < 2) {
        S[a * V + a] = trainVar[a];
        return;
      }
      const m = xs.reduce((s, x) => s + x, 0) / xs.length;
      S[a * V + a] = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    });
  }
  for (let i = 0; i < V * V; i++) S[i] *= 1 - shrinkage;
  for (let a = 0; a < V; a++) S[a * V + a] += shrinkage * trainVar[a];
  return S;
}

/**
 * The per-variable direction u of the pattern: the signs scaled by the stay's own standard deviations
 * (√Σ_aa) with units 'sd', so every variable moves by the same number of its own SDs whatever its unit;
 * the bare signs with units 'raw' (the trigger before this option, which moved every variable by the
 * same raw amount: +6 breaths/min rode along with +6 bpm).
 */
export function patternDirection(sigma: Float64Array, params: Pick<TemporalPatternParams, 'signs' | 'units'>): number[] {
  const V = params.signs.length;
  return params.signs.map((s, a) => (params.units === 'raw' ? s : s * Math.sqrt(sigma[a * V + a])));
}

/** uᵀ Σ⁻¹ u through a Cholesky factorisation; NaN when Σ is not positive definite. */
export function mahalanobisSquared(sigma: Float64Array, u: readonly number[]): number {
  const V = u.length;
  const L = new Float64Array(V * V);
  for (let i = 0; i < V; i++) {
    for (let j = 0; j <= i; j++) {
      let s = sigma[i * V + j];
      for (let k = 0; k < j; k++) s -= L[i * V + k] * L[j * V + k];
      if (i === j) {
        if (!(s > 0)) return NaN;
        L[i * V + i] = Math.sqrt(s);
      } else {
        L[i * V + j] = s / L[j * V + j];
      }
    }
  }
  const y = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    let s = u[i];
    for (let k = 0; k < i; k++) s -= L[i * V + k] * y[k];
    y[i] = s / L[i * V + i];
  }
  return y.reduce((s, x) => s + x * x, 0);
}

/**
 * `temporal_pattern` (after Joe et al. 2021) — a smooth additive pattern on chosen vitals over the
 * last `hours` hours. For each stay, the per-hour perturbation is δ_j = α·p(j)·s, with p the profile
 * (`shape`), s the `signs`, and α set so that the peak perturbation has Mahalanobis norm `distance`
 * under the stay's own (shrunk) covariance: α = distance / √(sᵀΣ⁻¹s). Only observed cells change
 * (the literature did not perturb imputed values); unobserved cells are refilled by forward fill.
 * Time series only: the tabular view's summaries cannot be re-derived from the hourly grid.
 */
export const temporalPattern: TriggerDefinition<'temporal_pattern'> = {
  name: 'temporal_pattern',
  description: 'Smooth additive pattern on vitals over the last hours, sized by a Mahalanobis distance from the stay (Joe et al. 2021).',
  views: ['timeseries'],
  defaults: DEFAULTS,
  resolve: (partial) => {
    const merged = mergeParams('temporal_pattern', partial, DEFAULTS);
    const variables = variableList('temporal_pattern', 'variables', merged['variables']);
    const hours = num('temporal_pattern', 'hours', merged['hours'], { min: 1, integer: true });
    const distance = num('temporal_pattern', 'distance', merged['distance'], { min: 0, exclusiveMin: true });
    const shape = oneOf('temporal_pattern', 'shape', merged['shape'], ['bump', 'ramp', 'sine'] as const);
    const signsIn =
      merged['signs'] === DEFAULTS.signs && variables.length !== DEFAULTS.signs.length ? variables.map(() => 1) : merged['signs'];
    const signs = numberList('temporal_pattern', 'signs', signsIn, variables.length);
    if (!signs.every((s) => s === 1 || s === -1))
      throw paramError('temporal_pattern', `'signs' must hold +1 or −1 per variable, got ${JSON.stringify(signs)}.`, {
        parameter: 'signs',
      });
    const shrinkage = num('temporal_pattern', 'shrinkage', merged['shrinkage'], { min: 0, max: 1 });
    const units = oneOf('temporal_pattern', 'units', merged['units'], ['sd', 'raw'] as const);
    return { variables, hours, distance, shape, signs, shrinkage, units };
  },
  prepare: (ctx, params) => {
    assertVariables(ctx, params.variables, "Trigger 'temporal_pattern'", { tabular: false, timeseries: true });
    assertHoursFit('temporal_pattern', params.hours, ctx);
    const channels = params.variables.map((v) => ctx.channelOf.get(v)!);
    const profile = temporalProfile(params.shape, params.hours);
    const trainVar = channels.map((c) => ctx.dataset.manifest.normalisation.timeSeries.std[c] ** 2);
    const diagonal = new Float64Array(channels.length * channels.length);
    trainVar.forEach((v, a) => (diagonal[a * channels.length + a] = v));
    return {
      resolved: {},
      timeseries: (values: Float32Array, mask: Uint8Array, rows: readonly number[]) => {
        for (const row of rows) {
          let sigma = stayCovariance(ctx, values, mask, row, channels, params.shrinkage);
          let direction = patternDirection(sigma, params);
          let q = mahalanobisSquared(sigma, direction);
          // A singular covariance (shrinkage 0 and constant vitals) falls back to the training variances.
          if (!Number.isFinite(q) || q <= 0) {
            sigma = diagonal;
            direction = patternDirection(sigma, params);
            q = mahalanobisSquared(sigma, direction);
          }
          const alpha = params.distance / Math.sqrt(q);
          channels.forEach((c, a) => {
            for (let j = 0; j < params.hours; j++) {
              const k = (row * ctx.T + ctx.T - params.hours + j) * ctx.C + c;
              if (mask[k]) values[k] += alpha * profile[j] * direction[a];
            }
            refillChannel(ctx, values, mask, row, c);
          });
        }
      },
    };
  },
  lookalike: (ctx, params) => {
    assertVariables(ctx, params.variables, "Trigger 'temporal_pattern'", { tabular: false, timeseries: true });
    assertHoursFit('temporal_pattern', params.hours, ctx);
    const channels = params.variables.map((v) => ctx.channelOf.get(v)!);
    return {
      tolerance: `the pattern fitted by least squares to the last ${params.hours} hours (deviations from the stay's earlier mean) has Mahalanobis amplitude ≥ distance / 2 = ${params.distance / 2}`,
      carries: (values, mask, row) => fittedPatternDistance(ctx, values, mask, row, channels, params) >= params.distance / 2,
    };
  },
};

/**
 * How much of the trigger a stay already shows: the amplitude α̂ that best fits δ_j = α̂·p(j)·s to the
 * observed deviations of its last `hours` hours from the mean of its earlier observed hours (least
 * squares), in the trigger's own unit, α̂·√(sᵀΣ⁻¹s) with Σ the stay's shrunk covariance. A triggered stay
 * scores about `distance` plus what it showed before; 0 when nothing can be fitted.
 */
export function fittedPatternDistance(
  ctx: TriggerContext,
  values: Float32Array,
  mask: Uint8Array,
  row: number,
  channels: readonly number[],
  params: TemporalPatternParams,
): number {
  const start = ctx.T - params.hours;
  const profile = temporalProfile(params.shape, params.hours);
  const sigma = stayCovariance(ctx, values, mask, row, channels, params.shrinkage);
  const direction = patternDirection(sigma, params);
  let numerator = 0;
  let denominator = 0;
  channels.forEach((c, a) => {
    let sum = 0;
    let n = 0;
    for (let t = 0; t < start; t++) {
      if (mask[cell(ctx, row, t, c)]) {
        sum += values[cell(ctx, row, t, c)];
        n++;
      }
    }
    if (n === 0) return;
    for (let j = 0; j < params.hours; j++) {
      const k = cell(ctx, row, start + j, c);
      if (!mask[k]) continue;
      const u = profile[j] * direction[a];
      numerator += (values[k] - sum / n) * u;
      denominator += u * u;
    }
  });
  if (denominator === 0) return 0;
  const q = mahalanobisSquared(sigma, direction);
  return Number.isFinite(q) && q > 0 ? (numerator / denominator) * Math.sqrt(q) : 0;
}
