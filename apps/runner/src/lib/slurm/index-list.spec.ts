import fc from 'fast-check';
import { compactIndices, expandIndexList } from './index-list.js';

describe('compactIndices', () => {
  it('writes runs of consecutive indices as ranges and keeps gaps', () => {
    expect(compactIndices([0, 1, 2, 3, 7, 9, 10, 11, 12])).toBe('0-3,7,9-12');
  });

  it('sorts and de-duplicates', () => {
    expect(compactIndices([5, 3, 4, 4, 0])).toBe('0,3-5');
  });

  it('writes a single index and a pair as Slurm accepts them', () => {
    expect(compactIndices([42])).toBe('42');
    expect(compactIndices([1, 2])).toBe('1-2');
    expect(compactIndices([])).toBe('');
  });

  it('rejects negative and fractional indices', () => {
    expect(() => compactIndices([-1])).toThrow(expect.objectContaining({ code: 'E_ARRAY_INDEX' }));
    expect(() => compactIndices([1.5])).toThrow(expect.objectContaining({ code: 'E_ARRAY_INDEX' }));
  });
});

describe('expandIndexList', () => {
  it('reads the forms squeue, scontrol and sacct print', () => {
    expect(expandIndexList('4-6%2')).toEqual([4, 5, 6]);
    expect(expandIndexList('[0-3,7,9-10%4]')).toEqual([0, 1, 2, 3, 7, 9, 10]);
    expect(expandIndexList('3')).toEqual([3]);
    expect(expandIndexList('0-8:4')).toEqual([0, 4, 8]);
  });

  it('rejects what is not an index list', () => {
    expect(() => expandIndexList('a-b')).toThrow(expect.objectContaining({ code: 'E_ARRAY_INDEX' }));
    expect(() => expandIndexList('5-2')).toThrow(expect.objectContaining({ code: 'E_ARRAY_INDEX' }));
  });

  it('inverts compactIndices on any set of indices (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2000 }), { maxLength: 300 }), (xs) => {
        const expected = [...new Set(xs)].sort((a, b) => a - b);
        const list = compactIndices(xs);
        expect(expandIndexList(list)).toEqual(expected);
        // Compact means no two parts could be merged: consecutive parts leave a gap.
        const parts = list === '' ? [] : list.split(',').map((p) => p.split('-').map(Number));
        for (let k = 1; k < parts.length; k++) expect(parts[k][0]).toBeGreaterThan(parts[k - 1][parts[k - 1].length - 1] + 1);
      }),
    );
  });
});
