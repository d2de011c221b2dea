import fc from 'fast-check';
import { SPLIT_CODE } from '../dataset/types.js';
import { assignPatientSplits, splitSizes } from './patient-splits.js';

describe('splitSizes', () => {
  it('apportions by largest remainder so sizes sum exactly', () => {
    expect(splitSizes(100, { train: 0.7, val: 0.15, test: 0.15 })).toEqual([70, 15, 15]);
    // 7 × (0.7, 0.15, 0.15) = (4.9, 1.05, 1.05): floors (4, 1, 1), the one left goes to train (.9).
    expect(splitSizes(7, { train: 0.7, val: 0.15, test: 0.15 })).toEqual([5, 1, 1]);
    // 1 patient: train's remainder .7 is the largest.
    expect(splitSizes(1, { train: 0.7, val: 0.15, test: 0.15 })).toEqual([1, 0, 0]);
    expect(splitSizes(0, { train: 0.7, val: 0.15, test: 0.15 })).toEqual([0, 0, 0]);
  });
});

describe('assignPatientSplits', () => {
  it('keeps every stay of a patient together and stratifies patients by any-positive', () => {
    // 20 negative patients with one stay each, 10 positive patients with two stays each.
    const subjects: number[] = [];
    const labels: number[] = [];
    for (let s = 0; s < 20; s++) {
      subjects.push(1000 + s);
      labels.push(0);
    }
    for (let s = 0; s < 10; s++) {
      subjects.push(2000 + s, 2000 + s);
      labels.push(1, 0);
    }
    const splits = assignPatientSplits(subjects, labels, { train: 0.7, val: 0.15, test: 0.15 }, 3);
    const positivePatients = { train: 0, val: 0, test: 0 };
    const negativePatients = { train: 0, val: 0, test: 0 };
    const names = ['train', 'val', 'test'] as const;
    for (let i = 0; i < subjects.length; i++) {
      if (subjects[i] >= 2000 && i % 2 === 0) continue; // count each positive patient once
      (subjects[i] >= 2000 ? positivePatients : negativePatients)[names[splits[i]]]++;
    }
    expect(negativePatients).toEqual({ train: 14, val: 3, test: 3 });
    // 10 × (.7, .15, .15) = (7, 1.5, 1.5): floors (7, 1, 1), the tie on .5 goes to val.
    expect(positivePatients).toEqual({ train: 7, val: 2, test: 1 });
  });

  it('is deterministic by seed, independent of stay order, and never puts a patient in two splits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ subject: fc.integer({ min: 1, max: 40 }), label: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 120 }),
        fc.nat(1000),
        (stays, seed) => {
          const subjects = stays.map((s) => s.subject);
          const labels = stays.map((s) => s.label);
          const splits = assignPatientSplits(subjects, labels, { train: 0.7, val: 0.15, test: 0.15 }, seed);
          expect(assignPatientSplits(subjects, labels, { train: 0.7, val: 0.15, test: 0.15 }, seed)).toEqual(splits);
          const splitOf = new Map<number, number>();
          subjects.forEach((s, i) => {
            if (splitOf.has(s)) expect(splits[i]).toBe(splitOf.get(s));
            splitOf.set(s, splits[i]);
          });
          const reversed = assignPatientSplits([...subjects].reverse(), [...labels].reverse(), { train: 0.7, val: 0.15, test: 0.15 }, seed);
          expect(Array.from(reversed).reverse()).toEqual(Array.from(splits));
          expect(splits.some((s) => s === SPLIT_CODE.train)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => assignPatientSplits([1], [0], { train: 0.7, val: 0.2, test: 0.2 }, 0)).toThrow(expect.objectContaining({ code: 'E_SPLIT_FRACTIONS' }));
  });
});
