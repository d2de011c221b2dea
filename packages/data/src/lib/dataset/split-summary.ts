import { SPLIT_CODE, type SplitName } from './types.js';

/** Stays, positives and distinct patients of one split. */
export interface SplitCounts {
  stays: number;
  positives: number;
  subjects: number;
}

/** Stays, positives and distinct patients per split (the manifest's `splits`). */
export function summariseSplits(
  splits: Uint8Array,
  labels: Uint8Array,
  subjectIds: Int32Array,
): Record<SplitName, SplitCounts> {
  const out = {} as Record<SplitName, SplitCounts>;
  for (const name of ['train', 'val', 'test'] as const) {
    const code = SPLIT_CODE[name];
    let stays = 0;
    let positives = 0;
    const subjects = new Set<number>();
    for (let i = 0; i < splits.length; i++) {
      if (splits[i] !== code) continue;
      stays++;
      positives += labels[i];
      subjects.add(subjectIds[i]);
    }
    out[name] = { stays, positives, subjects: subjects.size };
  }
  return out;
}
