import { assertInput } from '@ehr-backdoor/core';
import { SPLIT_CODE, type EhrDataset } from '@ehr-backdoor/data';
import { toSpec, type TriggerInput } from './triggers/apply.js';
import { contextFor } from './triggers/context.js';
import { triggerLookalike } from './triggers/registry.js';
import type { TriggerName, TriggerSpec } from './triggers/types.js';
import type { PoisonCode } from './error-codes.js';

/**
 * The other half of stealth: how many clean stays already carry the trigger (its natural look-alikes).
 * A look-alike among stays whose label is not the target is a false trigger: a backdoored model sends
 * it to the target label though nobody tampered with it.
 *
 *   clean dataset ─▶ trigger's look-alike test (its own tolerance) per stay ─▶ share, overall and per label
 *
 * Judged on the time-series view, which both views are built from; the training statistics the test
 * uses (quantiles, standard deviations) come from the same dataset.
 */
export interface LookalikeCount {
  readonly stays: number;
  readonly carriers: number;
  /** carriers / stays; NaN when there are no stays. */
  readonly rate: number;
}

/** What {@link lookalikeRate} returns: the counts overall and per label, and the tolerance used. */
export interface LookalikeReport extends LookalikeCount {
  readonly trigger: TriggerName;
  readonly params: TriggerSpec['params'];
  /** Which stays were examined: a split name or 'all'. */
  readonly split: LookalikeSplit;
  /** What the trigger counts as carrying it. */
  readonly tolerance: string;
  /** Per true label: label 0 (survivors) and label 1 (deaths). */
  readonly byLabel: readonly [LookalikeCount, LookalikeCount];
  /** Why the rate is NaN, when it is. */
  readonly reason?: string;
}

/** Which stays `lookalikeRate` examines: every stay, or one split. */
export type LookalikeSplit = 'all' | 'train' | 'val' | 'test';
const SPLITS: readonly LookalikeSplit[] = ['all', 'train', 'val', 'test'];

function count(stays: number, carriers: number): LookalikeCount {
  return { stays, carriers, rate: stays > 0 ? carriers / stays : NaN };
}

/**
 * The share of stays of `dataset` (all, or one split) that already carry `trigger` under the trigger's
 * own tolerance. Pass a clean dataset: on a poisoned one the poisoned stays count as carriers too.
 */
export function lookalikeRate(dataset: EhrDataset, trigger: TriggerInput, split: LookalikeSplit = 'all'): LookalikeReport {
  assertInput<PoisonCode>(
    SPLITS.includes(split),
    'E_LOOKALIKE_SPLIT',
    () => `lookalikeRate: split must be one of ${SPLITS.join(', ')}, got ${String(split)}.`,
  );
  const spec = toSpec(trigger);
  const ctx = contextFor(dataset);
  const check = triggerLookalike(ctx, spec);
  const base = { trigger: spec.name, params: spec.params, split };
  if (!check) {
    return {
      ...base,
      ...count(0, 0),
      tolerance: 'none',
      byLabel: [count(0, 0), count(0, 0)],
      reason: `'${spec.name}' changes nothing, so no stay can carry it`,
    };
  }
  const stays = [0, 0];
  const carriers = [0, 0];
  const { values, mask } = dataset.timeSeries;
  for (let i = 0; i < dataset.n; i++) {
    if (split !== 'all' && dataset.splits[i] !== SPLIT_CODE[split]) continue;
    const label = dataset.labels[i];
    stays[label]++;
    if (check.carries(values, mask, i)) carriers[label]++;
  }
  const total = count(stays[0] + stays[1], carriers[0] + carriers[1]);
  return {
    ...base,
    ...total,
    tolerance: check.tolerance,
    byLabel: [count(stays[0], carriers[0]), count(stays[1], carriers[1])],
    ...(total.stays === 0 && { reason: `the ${split === 'all' ? 'dataset' : `${split} split`} has no stay` }),
  };
}
