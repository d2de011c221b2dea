import { check } from './errors.js';

/**
 * The bootstrap's own PRNG, so that this package depends on nothing else in the workspace.
 *
 * Algorithm: xoshiro128** (Blackman & Vigna, 2018; 128-bit state, period 2^128 − 1, passes BigCrush),
 * seeded by four outputs of splitmix32 (a 32-bit variant of Steele et al.'s SplitMix: add the golden-ratio
 * increment 0x9e3779b9, then two xor-shift-multiply rounds with 0x85ebca6b and 0xc2b2ae35). Integers in
 * [0, n) are drawn by rejection (Lemire-style bound on a uint32), so they have no modulo bias.
 * A seed is any safe integer; its low and high 32 bits both enter the seeding.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    check(Number.isSafeInteger(seed), 'E_METRICS_INVALID_OPTION', () => `seed must be a safe integer, got ${String(seed)}.`);
    let state = (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x27d4eb2d);
    const next = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // The all-zero state is xoshiro's one fixed point.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [0, n) for 0 < n ≤ 2^32. */
  int(n: number): number {
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
