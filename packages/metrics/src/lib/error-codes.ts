/**
 * Every `E_*` code that metrics' errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the `check` sites, typed by {@link MetricsErrorCode}.
 */
export const METRICS_CODES = {
  E_METRICS_LENGTH_MISMATCH: 'arrays that must pair up (labels and scores) differ in length',
  E_METRICS_INVALID_LABEL: 'a label other than 0 or 1, or labels that are not an array',
  E_METRICS_INVALID_PROBABILITY: 'a probability outside [0, 1], NaN, or probabilities that are not an array',
  E_METRICS_INVALID_OPTION: 'an option out of range (bins, seed, level, resamples, a threshold rule)',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link METRICS_CODES}. */
export type MetricsErrorCode = keyof typeof METRICS_CODES;
