import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { wasmHeap } from './host-heap.js';
import { lstmStepSimd, lstmStepSimdAvailable, type LstmStepSimd } from './lstm-step-simd.js';
import { giveBackTape, takeTape, type LstmTape } from './lstm-tape.js';

/**
 * Each SIMD kernel against the JavaScript host loop it replaced (the loops below, as lstm-recurrence.ts
 * and its backward pass had them before), on random values mixed with zeros of both signs, ±1,
 * subnormals and large magnitudes, with H a multiple of 4 and not (the vector lanes and the scalar
 * tail). Equal means equal bytes.
 */
const f = Math.fround;
const SPECIAL = [0, -0, 1, -1, 0.5, 1e-40, -1e-40, 3e38, -3e38, 1e-20, 0.999999];

describe('LSTM step in WebAssembly SIMD', () => {
  let backend: BackendWasm;
  let simd: LstmStepSimd;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
    simd = lstmStepSimd(backend)!;
  });

  const heap = () => wasmHeap(backend).HEAPF32;
  const view = (offset: number, length: number) => heap().subarray(offset / 4, offset / 4 + length);
  const bytes = (values: Float32Array) => Buffer.from(values.slice().buffer);
  const fill = (rng: Random, values: Float32Array, scale: number) => {
    for (let k = 0; k < values.length; k++) values[k] = rng.next() < 0.2 ? SPECIAL[rng.int(SPECIAL.length)] : rng.normal() * scale;
  };
  /** A heap buffer of `length` random floats; freed by the caller. */
  const buffer = (rng: Random, length: number, scale = 1) => {
    const info = backend.makeOutput([length], 'float32');
    fill(rng, backend.typedArrayFromHeap(info) as Float32Array, scale);
    return info;
  };
  const at = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info).byteOffset;
  const randomTape = (rng: Random, T: number, H: number, B: number) => {
    const tape = takeTape(backend, T, H, B);
    fill(rng, view(tape.gates, 7 * T * H * B), 1);
    return tape;
  };
  const arrays = (tape: LstmTape) => {
    const n = tape.T * tape.H * tape.B;
    return { gates: view(tape.gates, 3 * n), g: view(tape.g, n), c: view(tape.c, n), tanhC: view(tape.tanhC, n), h: view(tape.h, n) };
  };

  const SHAPES: [number, number, number][] = [
    [3, 8, 5],
    [4, 7, 3],
    [2, 1, 2],
    [5, 13, 9],
  ];

  it('validates and instantiates on the backend memory', () => {
    expect(lstmStepSimdAvailable()).toBe(true);
    expect(simd).toBeDefined();
  });

  it.each(SHAPES)('pre-activations equal the host loop (T %i, H %i, B %i)', (T, H, B) => {
    const rng = Random.fromSeed(T * 100 + H);
    const tape = randomTape(rng, T, H, B);
    const zx = buffer(rng, B * T * 4 * H, 2);
    const recurrent = buffer(rng, B * 4 * H, 2);
    for (const t of [0, T - 1]) {
      for (const rec of [recurrent, undefined]) {
        const pre = buffer(rng, B * 3 * H);
        const preG = buffer(rng, B * H);
        simd.preActivations(tape, t, at(zx), rec && at(rec), at(pre), at(preG));
        const zxs = backend.typedArrayFromHeap(zx) as Float32Array;
        const recs = rec && (backend.typedArrayFromHeap(rec) as Float32Array);
        const expected = [new Float32Array(B * 3 * H), new Float32Array(B * H)];
        for (let b = 0; b < B; b++) {
          const row = (b * T + t) * 4 * H;
          for (let r = 0; r < 4 * H; r++) {
            const z = zxs[row + r] + (recs ? recs[b * 4 * H + r] : 0);
            if (r < 3 * H) expected[0][b * 3 * H + r] = z;
            else expected[1][b * H + r - 3 * H] = z;
          }
        }
        expect(bytes(backend.typedArrayFromHeap(pre) as Float32Array).equals(bytes(expected[0]))).toBe(true);
        expect(bytes(backend.typedArrayFromHeap(preG) as Float32Array).equals(bytes(expected[1]))).toBe(true);
        [pre, preG].forEach((x) => backend.disposeData(x.dataId));
      }
    }
    [zx, recurrent].forEach((x) => backend.disposeData(x.dataId));
    giveBackTape(tape);
  });

  it.each(SHAPES)('cell and hidden state equal the host loops (T %i, H %i, B %i)', (T, H, B) => {
    const rng = Random.fromSeed(T * 100 + H + 1);
    const tape = randomTape(rng, T, H, B);
    const n = H * B;
    for (const t of [0, 1, T - 1]) {
      const [sig, tanhG, c, tanhC, h] = [buffer(rng, 3 * n), buffer(rng, n), buffer(rng, n), buffer(rng, n), buffer(rng, n)];
      simd.cell(tape, t, at(sig), at(tanhG), at(c));
      simd.hidden(tape, t, at(tanhC), at(h));
      const { gates, g, c: cTape, tanhC: tanhCTape, h: hTape } = arrays(tape);
      const input = (x: tf.TensorInfo) => backend.typedArrayFromHeap(x) as Float32Array;
      expect(bytes(gates.subarray(t * 3 * n, (t + 1) * 3 * n)).equals(bytes(input(sig)))).toBe(true);
      expect(bytes(g.subarray(t * n, (t + 1) * n)).equals(bytes(input(tanhG)))).toBe(true);
      expect(bytes(tanhCTape.subarray(t * n, (t + 1) * n)).equals(bytes(input(tanhC)))).toBe(true);
      const [cExpected, hExpected] = [new Float32Array(n), new Float32Array(n)];
      for (let b = 0; b < B; b++) {
        const row = t * 3 * n + b * 3 * H;
        for (let j = 0; j < H; j++) {
          const k = b * H + j;
          const previous = t > 0 ? cTape[(t - 1) * n + k] : 0;
          cExpected[k] = f(f(gates[row + H + j] * previous) + f(gates[row + j] * g[t * n + k]));
          hExpected[k] = f(gates[row + 2 * H + j] * tanhCTape[t * n + k]);
        }
      }
      for (const [out, tapeHour, expected] of [
        [input(c), cTape, cExpected],
        [input(h), hTape, hExpected],
      ] as const) {
        expect(bytes(out).equals(bytes(expected))).toBe(true);
        expect(bytes(tapeHour.subarray(t * n, (t + 1) * n)).equals(bytes(expected))).toBe(true);
      }
      [sig, tanhG, c, tanhC, h].forEach((x) => backend.disposeData(x.dataId));
    }
    giveBackTape(tape);
  });

  it.each(SHAPES)('gate gradients equal the host loop, last hour and earlier ones (T %i, H %i, B %i)', (T, H, B) => {
    const rng = Random.fromSeed(T * 100 + H + 2);
    const tape = randomTape(rng, T, H, B);
    const n = H * B;
    const dzx = buffer(rng, B * T * 4 * H);
    for (const t of [T - 1, Math.floor(T / 2), 0]) {
      fill(rng, view(tape.dcNext, n), 1);
      const dcNext = view(tape.dcNext, n).slice();
      const [dh, dz] = [buffer(rng, n), buffer(rng, 4 * n)];
      simd.gateGradients(tape, t, at(dh), at(dz), at(dzx));
      const dzExpected = new Float32Array(4 * n);
      hostGateGradients(tape, arrays(tape), t, backend.typedArrayFromHeap(dh) as Float32Array, dcNext, dzExpected);
      expect(bytes(backend.typedArrayFromHeap(dz) as Float32Array).equals(bytes(dzExpected))).toBe(true);
      expect(bytes(view(tape.dcNext, n)).equals(bytes(dcNext))).toBe(true);
      const dzxs = backend.typedArrayFromHeap(dzx) as Float32Array;
      for (let b = 0; b < B; b++) {
        const hour = dzxs.subarray((b * T + t) * 4 * H, (b * T + t + 1) * 4 * H);
        expect(bytes(hour).equals(bytes(dzExpected.subarray(b * 4 * H, (b + 1) * 4 * H)))).toBe(true);
      }
      [dh, dz].forEach((x) => backend.disposeData(x.dataId));
    }
    backend.disposeData(dzx.dataId);
    giveBackTape(tape);
  });

  it('accumulates a sum element by element as a float32 host loop does', () => {
    const rng = Random.fromSeed(5);
    for (const count of [1, 3, 4, 257, 64 * 256]) {
      const [target, part] = [buffer(rng, count, 10), buffer(rng, count, 1e-3)];
      const expected = (backend.typedArrayFromHeap(target) as Float32Array).slice();
      const values = backend.typedArrayFromHeap(part) as Float32Array;
      for (let k = 0; k < count; k++) expected[k] += values[k];
      simd.accumulate(at(target), at(part), count);
      expect(bytes(backend.typedArrayFromHeap(target) as Float32Array).equals(bytes(expected))).toBe(true);
      [target, part].forEach((x) => backend.disposeData(x.dataId));
    }
  });
});

/** The backward pass's host loop as it was: dz[B, 4H] of hour t; dc of hour t + 1 in, of hour t out, through `dcNext`. */
function hostGateGradients(
  { T, H, B }: LstmTape,
  { gates, g, c, tanhC }: Record<'gates' | 'g' | 'c' | 'tanhC', Float32Array>,
  t: number,
  dh: Float32Array,
  dcNext: Float32Array,
  dz: Float32Array,
): void {
  const n = H * B;
  for (let b = 0; b < B; b++) {
    const row = t * 3 * n + b * 3 * H;
    const out = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const [i, fg, o] = [gates[row + j], gates[row + H + j], gates[row + 2 * H + j]];
      const [gk, tc] = [g[t * n + k], tanhC[t * n + k]];
      const previous = t > 0 ? c[(t - 1) * n + k] : 0;
      const dhk = dh[k];
      const dO = f(dhk * tc);
      const local = f(f(1 - f(tc * tc)) * f(dhk * o));
      const dc = t === T - 1 ? local : f(dcNext[k] + local);
      const dI = f(dc * gk);
      const dG = f(dc * i);
      const dF = f(dc * previous);
      dcNext[k] = f(dc * fg);
      dz[out + j] = f(dI * f(i * f(1 - i))) + 0;
      dz[out + H + j] = f(dF * f(fg * f(1 - fg))) + 0;
      dz[out + 2 * H + j] = f(dO * f(o * f(1 - o))) + 0;
      dz[out + 3 * H + j] = f(f(1 - f(gk * gk)) * dG) + 0;
    }
  }
}
