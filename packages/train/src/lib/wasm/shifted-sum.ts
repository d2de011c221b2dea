import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { elementwiseFunction } from './elementwise-simd.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/**
 * Sums of hour-shifted column blocks of time-major matrices, in WebAssembly SIMD: a causal
 * convolution's tap sum (forward) and its input gradient's accumulation of the shifted tap gradients
 * (backward), as causal-conv-fused.ts forms them without padded copies.
 *
 * A term is a matrix of `hours` × `batch` rows and `cols` columns, read from row t·batch of its hour t
 * while t is in [from, to), and +0 outside, where the tensor-op form reads the padding that tf.pad
 * wrote. Each pass adds two terms element by element, one float32 addition each, including the
 * additions of +0 (−0 + +0 is +0), so a chain of passes repeats the Add kernels of that form.
 */
export interface ShiftedTerm {
  /** Byte offset of hour t's first row, for t in [from, to). */
  at(t: number): number;
  /** Row stride in floats. */
  readonly stride: number;
  readonly from: number;
  readonly to: number;
}

export interface ShiftedSum {
  /** out = a + b over `hours` × `batch` rows of `cols` columns; out (row stride `cols`) may be a or b. */
  add(a: ShiftedTerm, b: ShiftedTerm, out: number, hours: number, batch: number, cols: number): void;
}

type Add = (rows: number, cols: number, a: number, aStride: number, b: number, bStride: number, out: number, outStride: number) => void;

const addFunction = elementwiseFunction('add', ['a', 'b', 'out'], (x) => x.store('out', x.add(x.load('a'), x.load('b'))));
const kernelsFor = instanceCache(
  () => assembleModule([addFunction]),
  (exports) => exports['add'] as Add,
);

/** The passes on `backend`'s memory, reading +0 from `zeros` (at least `cols` zero floats); undefined where they cannot run. */
export function shiftedSum(backend: BackendWasm): ((zeros: number) => ShiftedSum) | undefined {
  const add = kernelsFor(backend);
  if (!add) return undefined;
  return (zeros) => ({
    add(a, b, out, hours, batch, cols) {
      const cuts = [...new Set([0, hours, ...[a.from, a.to, b.from, b.to].map((t) => Math.min(Math.max(t, 0), hours))])].sort(
        (p, q) => p - q,
      );
      const operand = (term: ShiftedTerm, t: number): [number, number] =>
        t >= term.from && t < term.to ? [term.at(t), term.stride] : [zeros, 0];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const t = cuts[i];
        add((cuts[i + 1] - t) * batch, cols, ...operand(a, t), ...operand(b, t), out + 4 * t * batch * cols, cols);
      }
    },
  });
}

/** A whole matrix of row stride `stride` at byte offset `base`, every hour present. */
export function wholeTerm(base: number, hours: number, batch: number, stride: number): ShiftedTerm {
  return { at: (t) => base + 4 * t * batch * stride, stride, from: 0, to: hours };
}
