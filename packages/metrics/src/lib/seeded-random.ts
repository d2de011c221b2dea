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
  // Int32 lanes keep every intermediate a small integer for the JIT (uint32 values above 2^31 would be
  // boxed doubles in object fields, which the JIT handles far more slowly).
  private readonly s = new Int32Array(4);
  private cachedN = 0;
  private cachedLimit = 0;

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
    for (let i = 0; i < 4; i++) this.s[i] = next();
    // The all-zero state is xoshiro's one fixed point.
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** A generator at a given raw state (for known-answer tests of the algorithm). */
  static fromRawState(state: readonly [number, number, number, number]): SeededRandom {
    const random = new SeededRandom(0);
    for (let i = 0; i < 4; i++) random.s[i] = state[i]!;
    return random;
  }

  nextUint32(): number {
    const s = this.s;
    const s1 = s[1]!;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s1;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result >>> 0;
  }

  /** A uniform integer in [0, n) for 0 < n ≤ 2^32. */
  int(n: number): number {
    if (n !== this.cachedN) {
      this.cachedN = n;
      this.cachedLimit = 2 ** 32 - (2 ** 32 % n);
    }
    const limit = this.cachedLimit;
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
