import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '@ehr-backdoor/core';
import { selectBackend } from '../backend.js';
import { wasmHeap } from './host-heap.js';
import { runKernel } from './run-kernel.js';
import { tanhSimd } from './tanh-simd.js';

/**
 * Inputs as float32 bit patterns: every exponent with both signs and a spread of mantissas (±0,
 * subnormals, ±Inf and NaNs with payloads among them), each range boundary of tanhf and of the expm1f
 * it calls (on its argument ±2|x|) and each change of expm1f's k, ± 8 ulps, normal draws and a sweep.
 */
function sampleBits(): Uint32Array {
  const out: number[] = [];
  const mantissas = [0, 1, 2, 3, 0x1234, 0x2aaaaa, 0x400000, 0x400001, 0x555555, 0x7ffffe, 0x7fffff];
  for (let exponent = 0; exponent < 256; exponent++) for (const m of mantissas) out.push((exponent << 23) | m);
  const nearby = (bits: number) => Array.from({ length: 17 }, (_, d) => bits - 8 + d).filter((b) => b >= 0);
  const halve = (bits: number) => bits - (1 << 23);
  const f32Bits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];
  const tanhBounds = [0x3f0c9f54, 0x41200000, 0x3e82c578, 0x00800000];
  // expm1f's bounds on X = 2|x| (or −2|x|) are at |x| = half of them: ln2/2, 1.5 ln2, 2⁻²⁵, 27 ln2.
  const expm1Bounds = [0x3eb17218, 0x3f851591, 0x33000000, 0x4195b844].map(halve);
  // round(X/ln2) moves from k to k + 1 at X ≈ (k + 0.5)·ln2 (k 23 switches expm1f's reconstruction).
  const kSteps = Array.from({ length: 30 }, (_, k) => f32Bits(((k + 0.5) * Math.LN2) / 2));
  for (const bits of [...tanhBounds, ...expm1Bounds, ...kSteps]) out.push(...nearby(bits));
  const rng = Random.fromSeed(20);
  for (let i = 0; i < 60_000; i++) out.push(f32Bits(rng.normal() * 3));
  // Both signs of those, and a sweep of all patterns, 2¹⁹ of them a prime stride apart (so the low mantissa bits vary too).
  const sweep = 2 ** 19;
  const bits = new Uint32Array(2 * out.length + sweep);
  out.forEach((b, i) => bits.set([b, b | 0x80000000], 2 * i));
  for (let i = 0; i < sweep; i++) bits[2 * out.length + i] = i * 8191;
  return bits;
}

describe('tanhSimd', () => {
  let backend: BackendWasm;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
  });

  /** A [n] float32 tensor on the heap holding `bits`. */
  const heapTensor = (bits: Uint32Array) => {
    const info = backend.makeOutput([bits.length], 'float32');
    view(info).set(bits);
    return info;
  };
  const view = (info: tf.TensorInfo) => {
    const at = backend.typedArrayFromHeap(info).byteOffset;
    return new Uint32Array(wasmHeap(backend).HEAPF32.buffer, at, info.shape[0]);
  };
  const offset = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info).byteOffset;
  const hex = (bits: number) => `0x${bits.toString(16).padStart(8, '0')}`;

  it('gives the bits of the backend Tanh kernel on every range, boundary and special value', () => {
    const bits = sampleBits();
    const x = heapTensor(bits);
    const stock = runKernel(backend, tf.Tanh, { x });
    const out = backend.makeOutput([bits.length], 'float32');
    tanhSimd(backend)!(bits.length, offset(x), offset(out));
    const [want, got] = [view(stock), view(out)];
    const wrong: string[] = [];
    for (let i = 0; i < bits.length && wrong.length < 10; i++)
      if (got[i] !== want[i]) wrong.push(`${hex(bits[i])}: ${hex(got[i])} ≠ ${hex(want[i])}`);
    expect(wrong).toEqual([]);
    // Not vacuous: NaNs with payloads, ±1 and subnormals are among the outputs.
    const wantSet = new Set(want);
    expect([0x7fc00001, 0xffc00001, 0x3f800000, 0xbf800000, 0x00000001, 0x80000000].every((b) => wantSet.has(b))).toBe(true);
    [x, stock, out].forEach((t) => backend.disposeData(t.dataId));
  });

  it.each([1, 2, 3, 4, 5, 7, 8, 13])('handles counts that are not a multiple of 4 and writes nothing past the end (%i)', (n) => {
    const bits = Uint32Array.from({ length: n + 3 }, (_, i) => new Uint32Array(Float32Array.of(0.3 * i - 1.1).buffer)[0]);
    const x = heapTensor(bits);
    const stock = runKernel(backend, tf.Tanh, { x });
    const out = heapTensor(new Uint32Array(n + 3).fill(0x7fc0dead));
    tanhSimd(backend)!(n, offset(x), offset(out));
    expect(Array.from(view(out))).toEqual([...Array.from(view(stock)).slice(0, n), 0x7fc0dead, 0x7fc0dead, 0x7fc0dead]);
    [x, stock, out].forEach((t) => backend.disposeData(t.dataId));
  });

  it('works in place', () => {
    const bits = Uint32Array.from({ length: 11 }, (_, i) => new Uint32Array(Float32Array.of(2.5 - 0.7 * i).buffer)[0]);
    const x = heapTensor(bits);
    const stock = runKernel(backend, tf.Tanh, { x });
    tanhSimd(backend)!(bits.length, offset(x), offset(x));
    expect(Array.from(view(x))).toEqual(Array.from(view(stock)));
    [x, stock].forEach((t) => backend.disposeData(t.dataId));
  });
});
