import { Random, assertInput, isFiniteInRange } from '@ehr-backdoor/core';
import { SPLIT_CODE, type SplitName } from '../dataset/types.js';
import type { DataCode } from '../error-codes.js';

/** Shares of patients in train, validation and test; non-negative, summing to 1, train > 0. */
export type SplitFractions = Readonly<Record<SplitName, number>>;

/** 70 / 15 / 15 % of patients in train / validation / test. */
export const DEFAULT_SPLIT_FRACTIONS: SplitFractions = { train: 0.7, val: 0.15, test: 0.15 };

export function assertSplitFractions(fractions: SplitFractions): void {
  const values = [fractions.train, fractions.val, fractions.test];
  assertInput<DataCode>(
    values.every((f) => isFiniteInRange(f, { min: 0 })) &&
      fractions.train > 0 &&
      Math.abs(values.reduce((a, b) => a + b, 0) - 1) < 1e-9,
    'E_SPLIT_FRACTIONS',
    () => `splitFractions must be three non-negative numbers summing to 1 with train > 0, got ${JSON.stringify(fractions)} (e.g. { train: 0.7, val: 0.15, test: 0.15 }).`,
  );
}

/**
 * Patient-level, label-stratified, seeded splits.
 *
 * Every stay of a patient goes to the same split, so no patient is seen in training and evaluated
 * in test. Patients are stratified by whether any of their stays is positive; within each stratum,
 * patients are sorted by subject_id (so the input order of stays is irrelevant), shuffled with the
 * seed, and cut into train/val/test sizes by largest remainder (so sizes sum exactly).
 */
export function assignPatientSplits(
  subjectIds: ArrayLike<number>,
  labels: ArrayLike<number>,
  fractions: SplitFractions,
  seed: number,
): Uint8Array {
  assertSplitFractions(fractions);
  assertInput<DataCode>(subjectIds.length === labels.length, 'E_SHAPE', () => `assignPatientSplits: ${subjectIds.length} subject ids but ${labels.length} labels.`);
  const positive = new Map<number, boolean>();
  for (let i = 0; i < subjectIds.length; i++) {
    positive.set(subjectIds[i], (positive.get(subjectIds[i]) ?? false) || labels[i] === 1);
  }
  const strata: number[][] = [[], []];
  for (const [subject, isPositive] of positive) strata[isPositive ? 1 : 0].push(subject);

  const random = Random.fromSeed(seed, 'patient-splits');
  const splitOf = new Map<number, number>();
  for (const stratum of strata) {
    stratum.sort((a, b) => a - b);
    random.shuffle(stratum);
    const [nTrain, nVal] = splitSizes(stratum.length, fractions);
    stratum.forEach((subject, k) => splitOf.set(subject, k < nTrain ? SPLIT_CODE.train : k < nTrain + nVal ? SPLIT_CODE.val : SPLIT_CODE.test));
  }
  return Uint8Array.from({ length: subjectIds.length }, (_, i) => splitOf.get(subjectIds[i])!);
}

/** Largest-remainder apportionment of `m` items into [train, val, test]; ties favour train, then val. */
export function splitSizes(m: number, fractions: SplitFractions): [number, number, number] {
  const ideal = [fractions.train * m, fractions.val * m, fractions.test * m];
  const sizes = ideal.map(Math.floor) as [number, number, number];
  let left = m - sizes[0] - sizes[1] - sizes[2];
  const order = [0, 1, 2].sort((a, b) => ideal[b] - sizes[b] - (ideal[a] - sizes[a]) || a - b);
  for (const k of order) {
    if (left === 0) break;
    sizes[k]++;
    left--;
  }
  return sizes;
}
