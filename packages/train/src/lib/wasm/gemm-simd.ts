import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  F32,
  f32LoadAt,
  f32Store,
  f32Zero,
  forLoop,
  get,
  I32,
  i32,
  instanceCache,
  assembleModule,
  op,
  range,
  set,
  V,
  V128,
  whileLess,
} from './wasm-assembly.js';

/**
 * The project's GEMM for the WASM backend of tfjs 4.22, in WebAssembly SIMD, with XNNPACK's sums:
 *
 * - C = Aᵀ · B for A [K, M] and B [K, N] (`transposedMatMulSimd`, `transposedMatMulKernel`): every dense
 *   layer's weight gradient xᵀ · dz, its bias gradient ones[1, K] · dz (a row vector A is laid out as
 *   A [K, 1]), the LSTM's and the TCN's weight gradients read in place. XNNPACK would need A transposed
 *   and B (a fresh dz each step) packed into its layout, and an operator created per call.
 * - C = A · B (+ bias, then relu) for A [M, K] and B [K, N] (`plainMatMulSimd`): the unbatched products
 *   the matMul override used to hand to XNNPACK (matmul.ts), forward and backward. Here the gain is
 *   the work around XNNPACK's kernel: its operator cache and setup per call, a packing of B per new
 *   tensor, tfjs's C++ dispatch (docs/results.md, "Session 14").
 *
 * Per output element both do what XNNPACK's f32 GEMM does: one float32 accumulator that starts at +0
 * (or at the bias: XNNPACK packs the bias ahead of the weights) and adds a[i, k] · b[k, j] for k
 * ascending, multiply then add (WASM has no fused multiply-add), and stores it; relu is XNNPACK's clamp
 * to [0, +∞) on the stored sum, pmax(0, x). So the products are bit-identical (gemm-simd.spec.ts
 * compares them with XNNPACK, special values included).
 *
 *   for each block of K_BLOCK rows of K:
 *     for each tile of rows i (4, then the last M mod 4 one by one), of columns j (8, 4, then one by one):
 *       acc[r, c] = block 0 ? 0 (or bias[j + c]) : out[i + r, j + c]
 *       for k in the block:  acc[r, c] += a[i + r, k] · b[k, j + c]
 *       out[i + r, j + c] = acc[r, c]
 */
const ROWS = 4;
const VECTORS = 2;
/**
 * Rows of K per pass over the output: a block of B (K_BLOCK × N floats) stays in the cache while every
 * row tile reads it, where a pass over all of K streamed B from memory once per row tile.
 */
const K_BLOCK = 256;

/** out[m, n] = Aᵀ · B for A [k, m] at byte offset a and B [k, n] at b, row-major, in the backend's memory. */
export type TransposedMatMulKernel = (a: number, b: number, out: number, m: number, k: number, n: number) => void;
const kernelsFor = instanceCache(moduleBytes, (exports) => ({
  transposed: exports['atb'] as TransposedMatMulKernel,
  plain: exports['ab'] as PlainMatMulKernel,
  plainWithBias: exports['abBias'] as BiasedMatMulKernel,
  plainWithBiasRelu: exports['abBiasRelu'] as BiasedMatMulKernel,
}));

/** out[m, n] = A · B + bias (then relu, for the relu kernel), bias [n] at byte offset `bias`. */
type BiasedMatMulKernel = (a: number, b: number, out: number, m: number, k: number, n: number, bias: number) => void;

/** out[m, n] = A · B for A [m, k] at byte offset a and B [k, n] at b, row-major, in the backend's memory. */
type PlainMatMulKernel = (a: number, b: number, out: number, m: number, k: number, n: number) => void;

/**
 * The kernel itself, for callers that hold byte offsets rather than tensors (a row range of a tensor as
 * A or B: causal-conv-fused.ts); undefined where it cannot run. k = 0 stores zeros.
 */
export function transposedMatMulKernel(backend: BackendWasm): TransposedMatMulKernel | undefined {
  return kernelsFor(backend)?.transposed;
}

/** Aᵀ · B: a holds A [k, m] and b holds B [k, n], row-major; the output gets `outShape` ([m, n] or [1, m, n]). */
export interface TransposedProduct {
  readonly a: tf.TensorInfo;
  readonly b: tf.TensorInfo;
  readonly k: number;
  readonly m: number;
  readonly n: number;
  readonly outShape: number[];
}

/** The product, or undefined when the kernel cannot run here, so the caller keeps its own path. */
export function transposedMatMulSimd({ a, b, k, m, n, outShape }: TransposedProduct, backend: BackendWasm): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || m * n * k === 0) return undefined;
  const kernel = transposedMatMulKernel(backend);
  if (!kernel) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  // Offsets are read after makeOutput, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  kernel(offset(a), offset(b), offset(out), m, k, n);
  return out;
}

/**
 * A · B, or A · B + bias (bias [n]) then `activation`, for an unbatched product (rank 2, or rank 3 with a
 * batch of 1 on both sides) of A [m, k] and B [k, n]; undefined when it is not one (or relu without a
 * bias, which XNNPACK would clamp from +0) or the kernel cannot run here, so the caller keeps its path.
 */
export function plainMatMulSimd(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: BackendWasm,
  bias?: tf.TensorInfo,
  activation: 'linear' | 'relu' = 'linear',
): tf.TensorInfo | undefined {
  const rank = a.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || rank < 2 || rank > 3 || b.shape.length !== rank) return undefined;
  const outer = a.shape.slice(0, -2);
  if (outer.some((d, i) => d !== 1 || b.shape[i] !== 1)) return undefined;
  const [m, k] = a.shape.slice(-2);
  const [inner, n] = b.shape.slice(-2);
  if (inner !== k || m * n * k === 0) return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return undefined;
  if (activation === 'relu' && !bias) return undefined;
  const kernels = kernelsFor(backend);
  if (!kernels) return undefined;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // Offsets are read after makeOutput, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  if (bias)
    (activation === 'relu' ? kernels.plainWithBiasRelu : kernels.plainWithBias)(offset(a), offset(b), offset(out), m, k, n, offset(bias));
  else kernels.plain(offset(a), offset(b), offset(out), m, k, n);
  return out;
}

// ---- the module, assembled (wasm-assembly.ts) -----------------------------------------------------

// Parameters 0–5 (i32): a, b, out (byte offsets), M, K, N; 6 the bias's byte offset in the function
// with a bias, an unused local in the others; then the locals below, at the same indices in all four.
const [A, B, OUT, M, K, N, BIAS] = [0, 1, 2, 3, 4, 5, 6];
const [I, J, KK, PA, PB, SA, SO, N4, N8, M4, KB, KE, KN] = range(7, 13);
/** The output row i + r's byte address, r < ROWS. */
const OR = range(20, ROWS);
/** A plain A's row i + r: the byte address of a[i + r, k] as k runs. */
const PR = range(20 + ROWS, ROWS);
/** The i32 slots from index 6: the bias or its stand-in, then the locals above. */
const I32_LOCALS = 14 + 2 * ROWS;
const S = range(6 + I32_LOCALS, ROWS);
const BS = 6 + I32_LOCALS + ROWS;
const ACC = range(BS + 1, ROWS * VECTORS);
const BV = range(BS + 1 + ROWS * VECTORS, VECTORS);
const AV = BS + 1 + ROWS * VECTORS + VECTORS;

/** A's layout: [K, M] (`transposed`, the product Aᵀ·B) or [M, K] (`plain`, A·B). */
type Layout = 'transposed' | 'plain';

/** What the accumulators of the first block of K start from: +0, or the bias of their column (A · B + bias). */
type Start = 'zero' | 'bias';

function body(layout: Layout, origin: Start = 'zero', relu = false): number[] {
  return [
    ...[...get(M), ...i32(2), op.i32Shl, ...set(SA)],
    ...[...get(N), ...i32(2), op.i32Shl, ...set(SO)],
    ...[...get(N), ...i32(-4), op.i32And, ...set(N4)],
    ...[...get(N), ...i32(-4 * VECTORS), op.i32And, ...set(N8)],
    ...[...get(M), ...i32(ROWS - 1), op.i32Sub, ...set(M4)],
    // The first block of K starts the accumulators at +0, the later ones resume from the output.
    ...i32(0),
    ...set(KB),
    ...blockEnd(),
    ...allRows(origin, layout),
    ...whileLess(KB, get(K), i32(0), [...blockEnd(), ...allRows('resume', layout)]),
    ...(relu ? reluPass() : []),
    op.end,
  ];
}

/**
 * relu over the finished output, as XNNPACK's clamp to [0, +∞) does it: pmax(0, x), x where 0 < x and
 * +0 elsewhere (−0 and NaN included); the upper bound +∞ changes nothing after it. After the last block
 * of K, because a block's stores are the running sums.
 */
function reluPass(): number[] {
  // kk walks the output's bytes: whole vectors, then the last M·N mod 4 elements one by one.
  const end = [...get(M), ...get(N), op.i32Mul, ...i32(2), op.i32Shl];
  const at = [...get(OUT), ...get(KK), op.i32Add];
  return [
    ...[...get(M), ...get(N), op.i32Mul, ...i32(-4), op.i32And, ...i32(2), op.i32Shl, ...set(KN)],
    ...forLoop(KK, i32(0), get(KN), i32(16), [...at, ...V.zero(), ...at, ...V.load(0), ...V.pmax, ...V.store(0)]),
    ...whileLess(KK, end, i32(4), [...at, ...V.zero(), ...at, ...f32LoadAt(0), ...V.splat, ...V.pmax, ...V.extractLane(0), ...f32Store]),
  ];
}

/** ke = min(kb + K_BLOCK, K); kn = kb + K_BLOCK, so that the loop over blocks steps to it. */
function blockEnd(): number[] {
  return [
    ...[...get(KB), ...i32(K_BLOCK), op.i32Add, ...set(KN)],
    ...[...get(KN), ...get(K), ...get(KN), ...get(K), op.i32LtS, op.select, ...set(KE)],
  ];
}

/** Every row tile over the block [kb, ke) of K, then kb = kn. */
function allRows(first: Start | 'resume', layout: Layout): number[] {
  return [
    ...i32(0),
    ...set(I),
    ...whileLess(I, get(M4), i32(ROWS), rowsCode(ROWS, first, layout)),
    ...whileLess(I, get(M), i32(1), rowsCode(1, first, layout)),
    ...get(KN),
    ...set(KB),
  ];
}

function rowsCode(rows: number, first: Start | 'resume', layout: Layout): number[] {
  return [
    ...range(0, rows).flatMap((r) => [...get(OUT), ...get(I), ...i32(r), op.i32Add, ...get(SO), op.i32Mul, op.i32Add, ...set(OR[r])]),
    ...forLoop(J, i32(0), get(N8), i32(4 * VECTORS), tileCode(rows, VECTORS, first, layout)),
    ...forLoop(J, get(N8), get(N4), i32(4), tileCode(rows, 1, first, layout)),
    ...forLoop(J, get(N4), get(N), i32(1), tileCode(rows, 0, first, layout)),
  ];
}

/**
 * One tile over the block [kb, ke) of K: `vectors` column vectors of 4 (0: the one column j, in scalar
 * f32). The first block starts each accumulator at +0; a later one loads the float32 the block before
 * stored, which is the accumulator's value then, so the sum is the one a single pass over K forms.
 */
function tileCode(rows: number, vectors: number, first: Start | 'resume', layout: Layout): number[] {
  const plain = layout === 'plain';
  // a[k, i + r] (transposed) is at pa + 4r; a[i + r, k] (plain) at pr[r].
  const aAt = (r: number) => (plain ? [...get(PR[r])] : [...get(PA)]);
  const aOffset = (r: number) => (plain ? 0 : 4 * r);
  const acc = (r: number, c: number) => ACC[r * VECTORS + c];
  const cells = (code: (r: number, c: number) => number[]) => range(0, rows).flatMap((r) => range(0, vectors).flatMap((c) => code(r, c)));
  const outAddress = (r: number) => [...get(OR[r]), ...get(J), ...i32(2), op.i32Shl, op.i32Add];
  const scalar = vectors === 0;
  const biasAddress = [...get(BIAS), ...get(J), ...i32(2), op.i32Shl, op.i32Add];
  const from = {
    zero: scalar ? () => f32Zero : () => V.zero(),
    bias: scalar ? () => [...biasAddress, ...f32LoadAt(0)] : (c: number) => [...biasAddress, ...V.load(16 * c)],
    resume: scalar
      ? (_c: number, r: number) => [...outAddress(r), ...f32LoadAt(0)]
      : (c: number, r: number) => [...outAddress(r), ...V.load(16 * c)],
  }[first];
  const start = scalar ? range(0, rows).flatMap((r) => [...from(0, r), ...set(S[r])]) : cells((r, c) => [...from(c, r), ...set(acc(r, c))]);
  // b[k, j + c…] is at pb + 16c.
  const step = scalar
    ? [
        ...[...get(PB), ...f32LoadAt(0), ...set(BS)],
        ...range(0, rows).flatMap((r) => [
          ...get(S[r]),
          ...aAt(r),
          ...f32LoadAt(aOffset(r)),
          ...get(BS),
          op.f32Mul,
          op.f32Add,
          ...set(S[r]),
        ]),
      ]
    : [
        ...range(0, vectors).flatMap((c) => [...get(PB), ...V.load(16 * c), ...set(BV[c])]),
        ...range(0, rows).flatMap((r) => [
          ...[...aAt(r), ...V.loadSplat(aOffset(r)), ...set(AV)],
          ...range(0, vectors).flatMap((c) => [...get(acc(r, c)), ...get(AV), ...get(BV[c]), ...V.mul, ...V.add, ...set(acc(r, c))]),
        ]),
      ];
  const store = scalar
    ? range(0, rows).flatMap((r) => [...outAddress(r), ...get(S[r]), ...f32Store])
    : cells((r, c) => [...outAddress(r), ...get(acc(r, c)), ...V.store(16 * c)]);
  return [
    ...start,
    // pa = the address of a[kb, i] (transposed), pr[r] that of a[i + r, kb] (plain); pb = the address of b[kb, j]
    ...(plain
      ? range(0, rows).flatMap((r) => [
          ...get(A),
          ...get(I),
          ...i32(r),
          op.i32Add,
          ...get(K),
          op.i32Mul,
          ...get(KB),
          op.i32Add,
          ...i32(2),
          op.i32Shl,
          op.i32Add,
          ...set(PR[r]),
        ])
      : [...get(A), ...get(KB), ...get(SA), op.i32Mul, op.i32Add, ...get(I), ...i32(2), op.i32Shl, op.i32Add, ...set(PA)]),
    ...[...get(B), ...get(KB), ...get(SO), op.i32Mul, op.i32Add, ...get(J), ...i32(2), op.i32Shl, op.i32Add, ...set(PB)],
    ...forLoop(KK, get(KB), get(KE), i32(1), [
      ...step,
      ...(plain
        ? range(0, rows).flatMap((r) => [...get(PR[r]), ...i32(4), op.i32Add, ...set(PR[r])])
        : [...get(PA), ...get(SA), op.i32Add, ...set(PA)]),
      ...[...get(PB), ...get(SO), op.i32Add, ...set(PB)],
    ]),
    ...store,
  ];
}

let cached: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  const locals = (params: number): [number, number][] => [
    [I32_LOCALS + 6 - params, I32],
    [ROWS + 1, F32],
    [ROWS * VECTORS + VECTORS + 1, V128],
  ];
  cached ??= assembleModule([
    { name: 'atb', params: 6, locals: locals(6), code: body('transposed') },
    { name: 'ab', params: 6, locals: locals(6), code: body('plain') },
    { name: 'abBias', params: 7, locals: locals(7), code: body('plain', 'bias') },
    { name: 'abBiasRelu', params: 7, locals: locals(7), code: body('plain', 'bias', true) },
  ]);
  return cached;
}
