import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, hashJson, sha256, sha256File } from './hash.js';

describe('canonicalJson', () => {
  it('ignores key order and keeps non-finite numbers distinct', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } })).toBe(canonicalJson({ a: { c: [3, { e: 2, f: 1 }], d: 2 }, b: 1 }));
    expect(hashJson({ x: NaN })).not.toBe(hashJson({ x: null }));
    expect(hashJson({ x: Infinity })).not.toBe(hashJson({ x: -Infinity }));
  });
});

describe('canonicalJson, every kind of value', () => {
  it('keeps primitives and null as JSON has them', () => {
    expect(['ab', 3, true, null].map(canonicalJson)).toEqual(['"ab"', '3', 'true', 'null']);
    expect(canonicalJson({ s: 'ab', n: null })).toBe('{"n":null,"s":"ab"}');
  });

  it('spells out bigints and non-finite numbers, and writes typed arrays as arrays', () => {
    expect(canonicalJson(10n)).toBe('{"$bigint":"10"}');
    expect(canonicalJson(Float64Array.from([1.5, NaN, -Infinity]))).toBe('[1.5,{"$number":"NaN"},{"$number":"-Infinity"}]');
    expect(canonicalJson({ w: Int32Array.from([2, 1]) })).toBe('{"w":[2,1]}');
    expect(canonicalJson(BigInt64Array.from([3n]))).toBe('[{"$bigint":"3"}]');
    expect(canonicalJson(new DataView(new ArrayBuffer(4)))).toBe('[]');
  });

  it('drops undefined keys, so they do not change the hash', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(hashJson({ a: 1, b: undefined })).toBe(hashJson({ a: 1 }));
  });
});

describe('sha256', () => {
  it('is SHA-256 (FIPS 180-2 example "abc"), of a string, bytes or a streamed file', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256('abc')).toBe(abc);
    expect(sha256(new TextEncoder().encode('abc'))).toBe(abc);
    const file = join(mkdtempSync(join(tmpdir(), 'hash-')), 'abc.txt');
    writeFileSync(file, 'abc');
    expect(await sha256File(file)).toBe(abc);
  });
});
