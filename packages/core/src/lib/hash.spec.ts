import { canonicalJson, hashJson } from './hash.js';

describe('canonicalJson', () => {
  it('ignores key order and keeps non-finite numbers distinct', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(
      canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }),
    );
    expect(hashJson({ x: NaN })).not.toBe(hashJson({ x: null }));
    expect(hashJson({ x: Infinity })).not.toBe(hashJson({ x: -Infinity }));
  });
});
