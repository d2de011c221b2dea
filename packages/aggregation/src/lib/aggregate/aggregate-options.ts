import { assertInput } from '@ehr-backdoor/core';
import type { IntervalChoice } from '../stats/describe.js';
import { DEFAULT_TEST_METRICS } from './metrics.js';
import type { AggregationCode } from '../error-codes.js';

/** How `aggregateRuns` describes the runs over seeds and tests poisoned against clean. */
export interface AggregateOptions {
  /**
   * Interval over seeds: `auto` (default: logit-scale t for metrics with a bounded range, t for the rest), or one
   * method for every metric: `t`, `logit-t` (bounded metrics only; t for the rest) or percentile `bootstrap`.
   */
  readonly interval?: IntervalChoice;
  /** Confidence level of the intervals (default 0.95). */
  readonly level?: number;
  /** Resamples of the bootstrap interval (default 2000, at least 100). */
  readonly bootstrapSamples?: number;
  /** Seed of the bootstrap resampling (default 0). */
  readonly seed?: number;
  /** Family-wise error rate for the Holm-corrected tests (default 0.05). */
  readonly alpha?: number;
  /** Metrics tested poisoned vs clean (default asr, auroc, accuracy, ece). */
  readonly testMetrics?: readonly string[];
}

/** {@link AggregateOptions} with every default filled in and checked; recorded in stats.json. */
export interface ResolvedAggregateOptions {
  readonly interval: IntervalChoice;
  readonly level: number;
  readonly bootstrapSamples: number;
  readonly seed: number;
  readonly alpha: number;
  readonly testMetrics: readonly string[];
}

/**
 * Fills in the defaults (t interval, level 0.95, alpha 0.05, 2000 bootstrap samples, seed 0, the default test
 * metrics) and checks them.
 * @throws InputError `E_LEVEL` or `E_ALPHA` outside (0, 1), `E_BOOTSTRAP_SAMPLES` below 100, `E_SEED` for a
 * negative or non-integer seed, `E_INTERVAL` for an interval other than `t` or `bootstrap`.
 */
export function resolveAggregateOptions(options: AggregateOptions = {}): ResolvedAggregateOptions {
  const level = options.level ?? 0.95;
  const alpha = options.alpha ?? 0.05;
  const bootstrapSamples = options.bootstrapSamples ?? 2000;
  const seed = options.seed ?? 0;
  assertInput<AggregationCode>(level > 0 && level < 1, 'E_LEVEL', () => `--level must be in (0, 1), got ${level}.`);
  assertInput<AggregationCode>(alpha > 0 && alpha < 1, 'E_ALPHA', () => `--alpha must be in (0, 1), got ${alpha}.`);
  assertInput<AggregationCode>(
    Number.isInteger(bootstrapSamples) && bootstrapSamples >= 100,
    'E_BOOTSTRAP_SAMPLES',
    () => `--bootstrap-samples must be an integer ≥ 100, got ${bootstrapSamples}.`,
  );
  assertInput<AggregationCode>(
    Number.isSafeInteger(seed) && seed >= 0,
    'E_SEED',
    () => `--seed must be a non-negative integer, got ${seed}.`,
  );
  assertInput<AggregationCode>(
    options.interval === undefined || ['auto', 't', 'logit-t', 'bootstrap'].includes(options.interval),
    'E_INTERVAL',
    () => `--ci must be "auto", "t", "logit-t" or "bootstrap", got ${String(options.interval)}.`,
  );
  return {
    interval: options.interval ?? 'auto',
    level,
    alpha,
    bootstrapSamples,
    seed,
    testMetrics: options.testMetrics ?? [...DEFAULT_TEST_METRICS],
  };
}
