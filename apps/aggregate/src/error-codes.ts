/**
 * Every `E_*` code that the aggregate app's own errors carry, with its meaning (the aggregation
 * package's codes are in its own catalogue). Throw sites are typed by {@link AggregateAppCode}.
 */
export const AGGREGATE_APP_CODES = {
  E_USAGE: 'a command line yargs refused: an unknown flag, a missing value',
  E_RUNS_NOT_FOUND: 'the runs directory does not exist',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link AGGREGATE_APP_CODES}. */
export type AggregateAppCode = keyof typeof AGGREGATE_APP_CODES;
