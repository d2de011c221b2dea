import fc from 'fast-check';
import { Random } from './random.js';

describe('Random', () => {
  it('is deterministic by seed and differs across seeds and streams', () => {
    const a = Random.fromSeed(42);
    const b = Random.fromSeed(42);
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(seqA);
    const c = Random.fromSeed(43);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(seqA);
    const d = Random.fromSeed(42, 'shuffle');
    expect(Array.from({ length: 5 }, () => d.nextUint32())).not.toEqual(seqA);
  });

  it('continues the same stream after a save and restore of its state', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 200 }), (seed, skip) => {
        const r = Random.fromSeed(seed);
        for (let i = 0; i < skip; i++) r.next();
        const state = JSON.parse(JSON.stringify(r.getState()));
        const restored = Random.fromState(state);
        for (let i = 0; i < 20; i++) expect(restored.nextUint32()).toBe(r.nextUint32());
      }),
    );
  });

  it('draws doubles in [0, 1) with a plausible mean', () => {
    const r = Random.fromSeed(1);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 1);
  });

  it('samples k distinct sorted indices', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (n, frac, seed) => {
        const k = Math.floor(n * frac);
        const idx = Random.fromSeed(seed).sampleIndices(n, k);
        expect(idx).toHaveLength(k);
        expect(new Set(idx).size).toBe(k);
        for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
        for (const i of idx) expect(i >= 0 && i < n).toBe(true);
      }),
    );
  });

  it('int(n) stays in range and rejects bad n', () => {
    const r = Random.fromSeed(3);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(7);
      expect(Number.isInteger(x) && x >= 0 && x < 7).toBe(true);
    }
    expect(() => r.int(0)).toThrow(RangeError);
  });
});
