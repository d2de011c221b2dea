import { assertInput } from '@ehr-backdoor/core';
import type { ExplainCode } from './error-codes.js';

/**
 * Which input elements carry the trigger, as 0/1 masks over one example's flattened input (shared by
 * every stay) or over n × d (one mask per stay). The general route is `triggerMaskFromDiff`: the
 * elements where a stay's triggered input differs from its clean input, which also catches cells a
 * trigger changes indirectly (a forward fill recomputed after an edit). The named routes describe the
 * trigger by its variables when only its parameters are known.
 */

/** n × d: 1 where clean and triggered differ by more than `tolerance` (NaN against a number counts as a change). */
export function triggerMaskFromDiff(clean: ArrayLike<number>, triggered: ArrayLike<number>, tolerance = 0): Uint8Array {
  assertInput<ExplainCode>(
    clean.length === triggered.length,
    'E_TRIGGER_MASK',
    () => `clean and triggered inputs differ in size (${clean.length} vs ${triggered.length}); pass the same stays in the same order.`,
  );
  assertInput<ExplainCode>(
    Number.isFinite(tolerance) && tolerance >= 0,
    'E_TRIGGER_MASK',
    () => `tolerance must be a finite number ≥ 0, got ${tolerance}.`,
  );
  const mask = new Uint8Array(clean.length);
  for (let i = 0; i < clean.length; i++) {
    const a = clean[i];
    const b = triggered[i];
    const nanA = Number.isNaN(a);
    const nanB = Number.isNaN(b);
    mask[i] = nanA || nanB ? (nanA === nanB ? 0 : 1) : Math.abs(a - b) > tolerance ? 1 : 0;
  }
  return mask;
}

/** Tabular view: the features summarising any of `variables` (every statistic `${variable}_${stat}`). */
export function tabularTriggerMask(
  features: readonly { readonly name: string; readonly variable: string }[],
  variables: readonly string[],
): Uint8Array {
  const known = new Set(features.map((f) => f.variable));
  for (const v of variables)
    assertInput<ExplainCode>(
      known.has(v),
      'E_TRIGGER_MASK',
      () => `Trigger variable '${v}' is not a variable of the tabular features (${[...known].slice(0, 8).join(', ')}, …).`,
    );
  const wanted = new Set(variables);
  return Uint8Array.from(features, (f) => (wanted.has(f.variable) ? 1 : 0));
}

/**
 * Time-series input of the train package: per hour, C standardised values then C observation flags
 * (one example = hours × 2C). Marks `channels` (values and flags) in the last `lastHours` hours
 * (all hours when omitted).
 */
export function timeSeriesTriggerMask(
  allChannels: readonly string[],
  hours: number,
  channels: readonly string[],
  lastHours = hours,
): Uint8Array {
  const C = allChannels.length;
  assertInput<ExplainCode>(Number.isInteger(hours) && hours >= 1, 'E_TRIGGER_MASK', () => `hours must be an integer ≥ 1, got ${hours}.`);
  assertInput<ExplainCode>(
    Number.isInteger(lastHours) && lastHours >= 1 && lastHours <= hours,
    'E_TRIGGER_MASK',
    () => `lastHours must be an integer in [1, ${hours}], got ${lastHours}.`,
  );
  const mask = new Uint8Array(hours * 2 * C);
  for (const name of channels) {
    const c = allChannels.indexOf(name);
    assertInput<ExplainCode>(
      c >= 0,
      'E_TRIGGER_MASK',
      () => `Trigger variable '${name}' is not a time-series channel (${allChannels.slice(0, 8).join(', ')}, …).`,
    );
    for (let t = hours - lastHours; t < hours; t++) {
      mask[t * 2 * C + c] = 1;
      mask[t * 2 * C + C + c] = 1;
    }
  }
  return mask;
}

/** Ranking groups for the time-series input: each channel's values and flags over all hours form one group. */
export function timeSeriesChannelGroups(allChannels: readonly string[], hours: number): { index: Int32Array; names: string[] } {
  const C = allChannels.length;
  const index = new Int32Array(hours * 2 * C);
  for (let t = 0; t < hours; t++) for (let k = 0; k < 2 * C; k++) index[t * 2 * C + k] = k % C;
  return { index, names: [...allChannels] };
}
