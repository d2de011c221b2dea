/**
 * The whole state of a {@link Random}: four uint32 words of xoshiro128**. Plain JSON, so a checkpoint
 * can store it and {@link Random.fromState} continues the exact same stream.
 */
export interface RandomState {
  readonly algorithm: 'xoshiro128**';
  readonly s: readonly [number, number, number, number];
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The project's one PRNG: xoshiro128** seeded through splitmix32. Its whole state is four uint32s,
 * so a checkpoint can save it and a resumed run continues the exact same stream. Math.random is never
 * used anywhere a result depends on it.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(s: readonly [number, number, number, number]) {
    [this.s0, this.s1, this.s2, this.s3] = s;
  }

  /** A generator for `seed` and, optionally, a named stream so that independent uses never share draws. */
  static fromSeed(seed: number, stream = ''): Random {
    if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
    let mixed = seed >>> 0;
    for (let i = 0; i < stream.length; i++) mixed = Math.imul(mixed ^ stream.charCodeAt(i), 0x01000193) >>> 0;
    const next = splitmix32(mixed ^ (Math.floor(seed / 2 ** 32) >>> 0));
    const s: [number, number, number, number] = [next(), next(), next(), next()];
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
    return new Random(s);
  }

  /**
   * Resumes the stream saved by {@link Random.getState}: the next draw is the one the saved generator would
   * have made. Throws a `TypeError` for a state of another algorithm or shape.
   */
  static fromState(state: RandomState): Random {
    if (state.algorithm !== 'xoshiro128**' || state.s.length !== 4) {
      throw new TypeError(`unsupported random state ${JSON.stringify(state)}`);
    }
    return new Random([state.s[0] >>> 0, state.s[1] >>> 0, state.s[2] >>> 0, state.s[3] >>> 0]);
  }

  /** A copy of the current state; drawing afterwards does not change the returned object. */
  getState(): RandomState {
    return { algorithm: 'xoshiro128**', s: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** A uniform uint32. */
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

  /**
   * Fills `target` with the next `target.length` draws of {@link Random.nextUint32}, in order: the same
   * stream, several times faster for large arrays (the state stays in locals; dropout masks draw
   * hundreds of thousands of words per training step).
   */
  fillUint32(target: Uint32Array): Uint32Array {
    let [s0, s1, s2, s3] = [this.s0 | 0, this.s1 | 0, this.s2 | 0, this.s3 | 0];
    for (let i = 0; i < target.length; i++) {
      const m = Math.imul(s1, 5);
      target[i] = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    [this.s0, this.s1, this.s2, this.s3] = [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0];
    return target;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`int(n) needs 0 < n <= 2^32, got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x: number;
    do x = this.nextUint32();
    while (x >= limit);
    return x % n;
  }

  /** A standard normal draw (Box–Muller; the second value is discarded so state stays simple). */
  normal(mean = 0, sd = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** `k` distinct indices from [0, n), in ascending order. */
  sampleIndices(n: number, k: number): number[] {
    if (k > n || k < 0) throw new RangeError(`cannot sample ${k} of ${n}`);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return Array.from(order.subarray(0, k)).sort((a, b) => a - b);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
