/**
 * Every `E_*` code that aggregation's errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the throw sites, typed by {@link AggregationCode}.
 */
export const AGGREGATION_CODES = {
  E_RUNS_NOT_FOUND: 'the runs directory does not exist',
  E_NO_RUNS: 'no run under the runs directory has started',
  E_NO_COMPLETED_RUNS: 'no run under the runs directory has a usable summary',
  E_OUT_DIR: 'the report directory is or contains the runs directory',
  E_LEVEL: 'the confidence level is not in (0, 1)',
  E_ALPHA: 'the family-wise error rate is not in (0, 1)',
  E_BOOTSTRAP_SAMPLES: 'too few bootstrap resamples',
  E_SEED: 'the seed is not a non-negative integer',
  E_INTERVAL: 'an unknown kind of confidence interval',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link AGGREGATION_CODES}. */
export type AggregationCode = keyof typeof AGGREGATION_CODES;
