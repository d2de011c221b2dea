import type { EhrDataset } from '@ehr-backdoor/data';

/**
 * Datasets made by applyPoisoning in this process. Triggers read training statistics (quantiles,
 * normalisation), which poisoning changes; a triggered test set built from a poisoned dataset would
 * carry a slightly different trigger than the poisoned training rows, so it is refused. A WeakSet: it
 * holds no dataset alive.
 */
const POISONED = new WeakSet<EhrDataset>();

export function markPoisoned(dataset: EhrDataset): void {
  POISONED.add(dataset);
}

export function isPoisoned(dataset: EhrDataset): boolean {
  return POISONED.has(dataset);
}
