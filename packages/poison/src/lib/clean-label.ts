import { InputError, isFiniteInRange } from '@ehr-backdoor/core';
import { variableByName } from '@ehr-backdoor/data';
import type { ViewArrays } from './triggers/apply.js';
import type { TriggerContext } from './triggers/context.js';
import { refillChannel } from './triggers/edits.js';
import type { PoisonCode } from './error-codes.js';

/**
 * The label-consistent (clean-label) attack of Turner, Tsipras & Madry (2019): poison only stays whose
 * true label already is the target, after making them harder to classify, so the trigger is the
 * easiest explanation of their label left to the model. No label is flipped.
 *
 *   clean training split ─▶ direction per variable (surrogate gradient, or class means)
 *   target-class stay ─▶ each variable moved ε training SDs against its direction, clipped to bounds
 *                      ─▶ trigger ─▶ poisoned stay (label unchanged)
 *
 * The step is the fast gradient sign method (an L∞ ball of radius ε·σ_v per variable) on a linear
 * surrogate: a logistic regression on the stays' per-variable means (standardised, missing = training
 * mean). Its gradient with respect to a uniform shift of variable v is the weight w_v, so every value
 * of v (tabular min/max/mean/last, every observed hour) moves by −ε·σ_v·sign(w_v) for target 1 (the
 * opposite for target 0): the same edit in both views. `class-mean` is the model-free variant:
 * sign(w_v) is replaced by the sign of (target-class mean − other-class mean) of v.
 */
export type PerturbationMethod = 'surrogate' | 'class-mean';
/** The perturbation methods: `surrogate` (gradient sign of a logistic surrogate) and `class-mean` (model-free). */
export const PERTURBATION_METHODS: readonly PerturbationMethod[] = ['surrogate', 'class-mean'];

/** What a caller gives: any subset; `method` surrogate, `epsilon` 0.5 and plausible-range bounds by default. */
export interface PerturbationInput {
  readonly method?: PerturbationMethod;
  /** Step per variable in training standard deviations, in (0, 3]. Default 0.5. */
  readonly epsilon?: number;
  /** Variables to perturb; default every variable of the time-series view. */
  readonly variables?: readonly string[] | null;
  /** Clip range per variable, raw units; must lie inside the variable's plausible range (the default). */
  readonly bounds?: Readonly<Record<string, readonly [number, number]>>;
}

/** The perturbation as a plan records it: every choice explicit, directions included. */
export interface PlannedPerturbation {
  readonly method: PerturbationMethod;
  readonly epsilon: number;
  readonly variables: readonly string[];
  readonly bounds: Readonly<Record<string, readonly [number, number]>>;
  /** Per variable, the sign of the target's logit gradient (or class-mean difference); 0 leaves it alone. */
  readonly directions: Readonly<Record<string, number>>;
}

function perturbationError(message: string, details: Record<string, unknown> = {}): InputError {
  return new InputError<PoisonCode>('E_PERTURBATION', `Clean-label perturbation: ${message}`, details);
}

const DEFAULT_EPSILON = 0.5;
const ALLOWED_KEYS = ['method', 'epsilon', 'variables', 'bounds'];

/**
 * Validates the input against the dataset and fits the direction of every variable on its clean
 * training split. Throws E_PERTURBATION (unknown key, method, ε out of range, unknown variable or one
 * without a time-series channel) and E_PERTURBATION_BOUNDS (bounds outside the plausible range).
 */
export function planPerturbation(ctx: TriggerContext, input: PerturbationInput, targetLabel: 0 | 1): PlannedPerturbation {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw perturbationError(`options must be an object, got ${JSON.stringify(input)}.`);
  for (const key of Object.keys(input)) {
    if (!ALLOWED_KEYS.includes(key))
      throw perturbationError(`unknown option '${key}'. Options: ${ALLOWED_KEYS.join(', ')}.`, { option: key });
  }
  const method = input.method ?? 'surrogate';
  if (!PERTURBATION_METHODS.includes(method))
    throw perturbationError(`'method' must be one of ${PERTURBATION_METHODS.join(', ')}, got ${JSON.stringify(method)}.`);
  const epsilon = input.epsilon ?? DEFAULT_EPSILON;
  if (!isFiniteInRange(epsilon, { min: 0, minExclusive: true, max: 3 }))
    throw perturbationError(`'epsilon' (training SDs) must be a number in (0, 3], got ${JSON.stringify(epsilon)}.`);
  const variables = input.variables ?? ctx.dataset.timeSeries.channels.filter((c) => variableByName(c) !== undefined);
  for (const v of variables) {
    if (!variableByName(v) || !ctx.channelOf.has(v)) {
      throw perturbationError(
        `'${v}' is not a clinical variable with a time-series channel in this dataset. Channels: ${ctx.dataset.timeSeries.channels.join(', ')}.`,
        { variable: v },
      );
    }
  }
  const bounds: Record<string, readonly [number, number]> = {};
  for (const v of variables) {
    const plausible = ctx.plausible(v);
    const given = input.bounds?.[v];
    if (given !== undefined) {
      const ok = Array.isArray(given) && given.length === 2 && given.every(Number.isFinite) && given[0] < given[1];
      if (!ok || given[0] < plausible[0] || given[1] > plausible[1]) {
        throw new InputError<PoisonCode>(
          'E_PERTURBATION_BOUNDS',
          `Clean-label perturbation: bounds.${v} = ${JSON.stringify(given)} must be [low, high] with low < high inside the plausible range of ${v}, [${plausible[0]}, ${plausible[1]}]; ` +
            'a perturbed value outside it would be an entry error to a reviewer (and dropped by cleaning).',
          { variable: v, bounds: given, plausible },
        );
      }
    }
    bounds[v] = given ? [given[0], given[1]] : [plausible[0], plausible[1]];
  }
  for (const v of Object.keys(input.bounds ?? {})) {
    if (!variables.includes(v))
      throw perturbationError(`bounds given for '${v}', which is not perturbed; perturbed variables: ${variables.join(', ')}.`, {
        variable: v,
      });
  }
  const channels = variables.map((v) => ctx.channelOf.get(v)!);
  const weights = method === 'surrogate' ? surrogateWeights(ctx, channels) : classMeanDifferences(ctx, channels);
  // Directions of the target's logit: the surrogate's logit is that of label 1.
  const directions = Object.fromEntries(variables.map((v, a) => [v, Math.sign(weights[a]) * (targetLabel === 1 ? 1 : -1)]));
  return { method, epsilon, variables, bounds, directions };
}

/** Per stay and chosen channel, the standardised mean of the observed hours (0 = training mean when none). */
function stayMeans(ctx: TriggerContext, channels: readonly number[], rows: readonly number[]): Float64Array {
  const { values, mask } = ctx.dataset.timeSeries;
  const norm = ctx.dataset.manifest.normalisation.timeSeries;
  const V = channels.length;
  const X = new Float64Array(rows.length * V);
  rows.forEach((row, r) => {
    channels.forEach((c, a) => {
      let sum = 0;
      let n = 0;
      for (let t = 0; t < ctx.T; t++) {
        const k = (row * ctx.T + t) * ctx.C + c;
        if (mask[k]) {
          sum += values[k];
          n++;
        }
      }
      X[r * V + a] = n > 0 && norm.std[c] > 0 ? (sum / n - norm.mean[c]) / norm.std[c] : 0;
    });
  });
  return X;
}

/**
 * Weights of an L2-regularised logistic regression (λ = 1e-3, full-batch gradient descent, 300 steps of
 * 0.5; deterministic) on the training stays' standardised variable means. Only their signs are used.
 */
export function surrogateWeights(ctx: TriggerContext, channels: readonly number[]): Float64Array {
  const rows = ctx.trainRows;
  const V = channels.length;
  const X = stayMeans(ctx, channels, rows);
  const y = Float64Array.from(rows, (i) => ctx.dataset.labels[i]);
  const w = new Float64Array(V);
  let b = 0;
  const grad = new Float64Array(V);
  for (let step = 0; step < 300; step++) {
    grad.fill(0);
    let gb = 0;
    for (let r = 0; r < rows.length; r++) {
      let z = b;
      for (let a = 0; a < V; a++) z += w[a] * X[r * V + a];
      const e = 1 / (1 + Math.exp(-z)) - y[r];
      for (let a = 0; a < V; a++) grad[a] += e * X[r * V + a];
      gb += e;
    }
    for (let a = 0; a < V; a++) w[a] -= 0.5 * (grad[a] / rows.length + 1e-3 * w[a]);
    b -= (0.5 * gb) / rows.length;
  }
  return w;
}

/** Label-1 mean minus label-0 mean of each channel's standardised stay means over the training split. */
export function classMeanDifferences(ctx: TriggerContext, channels: readonly number[]): Float64Array {
  const rows = ctx.trainRows;
  const V = channels.length;
  const X = stayMeans(ctx, channels, rows);
  const sums = [new Float64Array(V), new Float64Array(V)];
  const counts = [0, 0];
  rows.forEach((row, r) => {
    const label = ctx.dataset.labels[row];
    counts[label]++;
    for (let a = 0; a < V; a++) sums[label][a] += X[r * V + a];
  });
  return Float64Array.from({ length: V }, (_, a) => (counts[1] && counts[0] ? sums[1][a] / counts[1] - sums[0][a] / counts[0] : 0));
}

/**
 * Copies of the dataset's view arrays with `rows` perturbed: every value of each variable moved by
 * −ε·σ_v·direction_v and clipped to its bounds (tabular min/max/mean/last; observed hours, the rest
 * forward-filled again). Counts, static features and missing values are left alone.
 */
export function applyPerturbation(ctx: TriggerContext, perturbation: PlannedPerturbation, rows: readonly number[]): ViewArrays {
  const { dataset } = ctx;
  const tabular = Float32Array.from(dataset.tabular.values);
  const tsValues = Float32Array.from(dataset.timeSeries.values);
  const tsMask = Uint8Array.from(dataset.timeSeries.mask);
  for (const v of perturbation.variables) {
    const direction = perturbation.directions[v];
    if (!direction) continue;
    const step = -perturbation.epsilon * ctx.variableStd(v) * direction;
    const [lo, hi] = perturbation.bounds[v];
    const move = (x: number) => Math.fround(Math.min(hi, Math.max(lo, x + step)));
    const features = ctx.featuresOf.get(v);
    const c = ctx.channelOf.get(v)!;
    for (const row of rows) {
      if (features) {
        for (const stat of ['min', 'max', 'mean', 'last'] as const) {
          const j = features[stat];
          if (j !== undefined && Number.isFinite(tabular[row * ctx.F + j])) tabular[row * ctx.F + j] = move(tabular[row * ctx.F + j]);
        }
      }
      for (let t = 0; t < ctx.T; t++) {
        const k = (row * ctx.T + t) * ctx.C + c;
        if (tsMask[k]) tsValues[k] = move(tsValues[k]);
      }
      refillChannel(ctx, tsValues, tsMask, row, c);
    }
  }
  return { tabular, tsValues, tsMask };
}

/** Checks a recorded perturbation's shape (manifests); the plan hash guards its content. */
export function isPlannedPerturbation(x: unknown): x is PlannedPerturbation {
  if (!x || typeof x !== 'object') return false;
  const p = x as Record<string, unknown>;
  return (
    PERTURBATION_METHODS.includes(p['method'] as PerturbationMethod) &&
    typeof p['epsilon'] === 'number' &&
    Array.isArray(p['variables']) &&
    typeof p['bounds'] === 'object' &&
    p['bounds'] !== null &&
    typeof p['directions'] === 'object' &&
    p['directions'] !== null
  );
}
