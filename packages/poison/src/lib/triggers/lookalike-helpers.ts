import type { TriggerContext } from './context.js';

/**
 * Shared pieces of the triggers' natural look-alike tests (`TriggerDefinition.lookalike`). Values
 * closer than a quarter of the training standard deviation count as equal: about the charting
 * resolution of vitals (5 bpm of heart rate, 1 breath/min, 0.5 % SpO2 on the synthetic cohort).
 */
export const LOOKALIKE_SD = 0.25;

/** Index of stay `row`, hour `t`, channel `c` in the n × T × C arrays. */
export function cell(ctx: TriggerContext, row: number, t: number, c: number): number {
  return (row * ctx.T + t) * ctx.C + c;
}

/** Training standard deviation of a channel's hourly values (the dataset manifest's normalisation). */
export function channelStd(ctx: TriggerContext, c: number): number {
  return ctx.dataset.manifest.normalisation.timeSeries.std[c];
}

/** Observed hours of channel c in stay `row`. */
export function observedCount(ctx: TriggerContext, mask: Uint8Array, row: number, c: number): number {
  let n = 0;
  for (let t = 0; t < ctx.T; t++) n += mask[cell(ctx, row, t, c)];
  return n;
}

/** Median of numbers (NaN for none). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  return (s[Math.floor(h)] + s[Math.ceil(h)]) / 2;
}
