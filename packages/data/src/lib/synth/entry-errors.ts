import type { Random } from '@ehr-backdoor/core';

/**
 * Data-entry errors, injected so that `prepare`'s plausible-range cleaning has something to remove: a
 * numeric row becomes a value outside its variable's plausible range with these probabilities.
 */
export const CHART_ERROR_RATE = 0.0015;
export const LAB_ERROR_RATE = 0.0005;

/** A value outside the plausible range: a decimal slip (×100) when that is implausible, else 999999. */
export function entryError(random: Random, value: number, plausibleHigh: number): number {
  const slipped = value * 100;
  return random.next() < 0.6 && slipped > plausibleHigh ? slipped : 999999;
}
