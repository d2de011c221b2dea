import type { TriggerContext, VariableFeatures } from './context.js';

/**
 * Cell edits shared by the triggers. They write into arrays the caller has already copied (the
 * public apply functions copy first, so no trigger ever touches its input) and keep each view
 * internally consistent: tabular statistics agree with each other, and time-series values agree with
 * the mask under the view's own construction rule (forward fill, training fill value before the
 * first observation).
 */

/** Rebuilds the unobserved cells of one stay's channel from its observed cells, as the view builder does. */
export function refillChannel(ctx: TriggerContext, values: Float32Array, mask: Uint8Array, row: number, c: number): void {
  const { T, C } = ctx;
  let last = ctx.dataset.timeSeries.fillValues[c];
  for (let t = 0; t < T; t++) {
    const k = (row * T + t) * C + c;
    if (mask[k]) last = values[k];
    else values[k] = last;
  }
}

/** The channel is never measured: mask 0 everywhere and the fill value the view uses before a first observation. */
export function clearChannel(ctx: TriggerContext, values: Float32Array, mask: Uint8Array, row: number, c: number): void {
  const { T, C } = ctx;
  const fill = ctx.dataset.timeSeries.fillValues[c];
  for (let t = 0; t < T; t++) {
    const k = (row * T + t) * C + c;
    mask[k] = 0;
    values[k] = fill;
  }
}

/** The variable is never measured: every value statistic NaN and `count` 0. */
export function clearTabular(ctx: TriggerContext, values: Float32Array, row: number, f: VariableFeatures): void {
  const base = row * ctx.F;
  for (const stat of ['min', 'max', 'mean', 'last'] as const) {
    const j = f[stat];
    if (j !== undefined) values[base + j] = NaN;
  }
  if (f.count !== undefined) values[base + f.count] = 0;
}

/** The last `hours` hours of the channel carry `value`, observed (any measurement there is overwritten). */
export function overwriteLastHours(
  ctx: TriggerContext,
  values: Float32Array,
  mask: Uint8Array,
  row: number,
  c: number,
  value: number,
  hours: number,
): void {
  const { T, C } = ctx;
  for (let t = Math.max(0, T - hours); t < T; t++) {
    const k = (row * T + t) * C + c;
    values[k] = value;
    mask[k] = 1;
  }
}

/**
 * The summary statistics as if `times` more measurements of `value` were charted at the end of the
 * window: last = value, min/max widened, mean re-weighted by the count, count + times. A variable
 * never measured before gets min = max = mean = last = value and count = times. Without a count
 * feature the previous mean is weighted as one measurement.
 */
export function appendMeasurements(
  ctx: TriggerContext,
  values: Float32Array,
  row: number,
  f: VariableFeatures,
  value: number,
  times: number,
): void {
  const base = row * ctx.F;
  const get = (j: number | undefined) => (j === undefined ? NaN : values[base + j]);
  const set = (j: number | undefined, x: number) => {
    if (j !== undefined) values[base + j] = x;
  };
  const oldMean = get(f.mean);
  const measured = Number.isFinite(oldMean) || Number.isFinite(get(f.last));
  const oldCount = f.count !== undefined ? get(f.count) : measured ? 1 : 0;
  const count = measured ? Math.max(oldCount, 1) : 0;
  set(f.min, measured && Number.isFinite(get(f.min)) ? Math.min(get(f.min), value) : value);
  set(f.max, measured && Number.isFinite(get(f.max)) ? Math.max(get(f.max), value) : value);
  set(f.mean, measured && Number.isFinite(oldMean) ? (oldMean * count + value * times) / (count + times) : value);
  set(f.last, value);
  set(f.count, count + times);
}
