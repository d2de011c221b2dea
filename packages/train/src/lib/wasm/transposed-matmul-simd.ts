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
  oneFunctionModule,
  op,
  range,
  set,
  V,
  V128,
  whileLess,
} from './wasm-assembly.js';

/**
 * C = Aᵀ · B for A [K, M] and B [K, N], row-major, in WebAssembly SIMD, for the WASM backend of tfjs
 * 4.22: every dense layer's weight gradient xᵀ · dz, and its bias gradient ones[1, K] · dz (a row vector
 * A is laid out as A [K, 1]).
 *
 * The matMul override (matmul.ts) used to transpose A first and hand the product to XNNPACK, which
 * then packs B (a fresh dz each step) into its own layout before multiplying: two copies of operands
 * of K = 4 992 rows (39 tokens × 128 stays) for a product with 32 output rows, and an operator created
 * and deleted per call. This kernel reads both operands where they are. Per output element it does what
 * XNNPACK's f32 GEMM does: one float32 accumulator that starts at +0 and adds a[k, i] · b[k, j] for k
 * ascending, multiply then add (WASM has no fused multiply-add), and stores it; so the products are
 * bit-identical (transposed-matmul-simd.spec.ts compares them with the transpose-then-XNNPACK path).
 *
 *   for each tile of rows i (4, then the last M mod 4 one by one), of columns j (8, 4, then one by one):
 *     acc[r, c] = 0;  for k < K:  acc[r, c] += a[k, i + r] · b[k, j + c];  out[i + r, j + c] = acc[r, c]
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
const kernelFor = instanceCache(moduleBytes, (exports) => exports['atb'] as TransposedMatMulKernel);

/**
 * The kernel itself, for callers that hold byte offsets rather than tensors (a row range of a tensor as
 * A or B: causal-conv-fused.ts); undefined where it cannot run. k = 0 stores zeros.
 */
export function transposedMatMulKernel(backend: BackendWasm): TransposedMatMulKernel | undefined {
  return kernelFor(backend);
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
  const kernel = kernelFor(backend);
  if (!kernel) return undefined;
  const out = backend.makeOutput(outShape, 'float32');
  // Offsets are read after makeOutput, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  kernel(offset(a), offset(b), offset(out), m, k, n);
  return out;
}

// ---- the module, assembled (wasm-assembly.ts) -----------------------------------------------------

// Parameters 0–5 (i32): a, b, out (byte offsets), M, K, N; then the locals below.
const [A, B, OUT, M, K, N] = [0, 1, 2, 3, 4, 5];
const [I, J, KK, PA, PB, SA, SO, N4, N8, M4, KB, KE, KN] = range(6, 13);
/** The output row i + r's byte address, r < ROWS. */
const OR = range(19, ROWS);
const I32_LOCALS = 13 + ROWS;
const S = range(6 + I32_LOCALS, ROWS);
const BS = 6 + I32_LOCALS + ROWS;
const ACC = range(BS + 1, ROWS * VECTORS);
const BV = range(BS + 1 + ROWS * VECTORS, VECTORS);
const AV = BS + 1 + ROWS * VECTORS + VECTORS;

function body(): number[] {
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
    ...allRows(true),
    ...whileLess(KB, get(K), i32(0), [...blockEnd(), ...allRows(false)]),
    op.end,
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
function allRows(first: boolean): number[] {
  return [
    ...i32(0),
    ...set(I),
    ...whileLess(I, get(M4), i32(ROWS), rowsCode(ROWS, first)),
    ...whileLess(I, get(M), i32(1), rowsCode(1, first)),
    ...get(KN),
    ...set(KB),
  ];
}

function rowsCode(rows: number, first: boolean): number[] {
  return [
    ...range(0, rows).flatMap((r) => [...get(OUT), ...get(I), ...i32(r), op.i32Add, ...get(SO), op.i32Mul, op.i32Add, ...set(OR[r])]),
    ...forLoop(J, i32(0), get(N8), i32(4 * VECTORS), tileCode(rows, VECTORS, first)),
    ...forLoop(J, get(N8), get(N4), i32(4), tileCode(rows, 1, first)),
    ...forLoop(J, get(N4), get(N), i32(1), tileCode(rows, 0, first)),
  ];
}

/**
 * One tile over the block [kb, ke) of K: `vectors` column vectors of 4 (0: the one column j, in scalar
 * f32). The first block starts each accumulator at +0; a later one loads the float32 the block before
 * stored, which is the accumulator's value then, so the sum is the one a single pass over K forms.
 */
function tileCode(rows: number, vectors: number, first: boolean): number[] {
  const acc = (r: number, c: number) => ACC[r * VECTORS + c];
  const cells = (code: (r: number, c: number) => number[]) => range(0, rows).flatMap((r) => range(0, vectors).flatMap((c) => code(r, c)));
  const outAddress = (r: number) => [...get(OR[r]), ...get(J), ...i32(2), op.i32Shl, op.i32Add];
  const scalar = vectors === 0;
  const start = first
    ? scalar
      ? range(0, rows).flatMap((r) => [...f32Zero, ...set(S[r])])
      : cells((r, c) => [...V.zero(), ...set(acc(r, c))])
    : scalar
      ? range(0, rows).flatMap((r) => [...outAddress(r), ...f32LoadAt(0), ...set(S[r])])
      : cells((r, c) => [...outAddress(r), ...V.load(16 * c), ...set(acc(r, c))]);
  // a[k, i + r] is at pa + 4r, b[k, j + c…] at pb + 16c.
  const step = scalar
    ? [
        ...[...get(PB), ...f32LoadAt(0), ...set(BS)],
        ...range(0, rows).flatMap((r) => [...get(S[r]), ...get(PA), ...f32LoadAt(4 * r), ...get(BS), op.f32Mul, op.f32Add, ...set(S[r])]),
      ]
    : [
        ...range(0, vectors).flatMap((c) => [...get(PB), ...V.load(16 * c), ...set(BV[c])]),
        ...range(0, rows).flatMap((r) => [
          ...[...get(PA), ...V.loadSplat(4 * r), ...set(AV)],
          ...range(0, vectors).flatMap((c) => [...get(acc(r, c)), ...get(AV), ...get(BV[c]), ...V.mul, ...V.add, ...set(acc(r, c))]),
        ]),
      ];
  const store = scalar
    ? range(0, rows).flatMap((r) => [...outAddress(r), ...get(S[r]), ...f32Store])
    : cells((r, c) => [...outAddress(r), ...get(acc(r, c)), ...V.store(16 * c)]);
  return [
    ...start,
    // pa = the address of a[kb, i]; pb = the address of b[kb, j]
    ...[...get(A), ...get(KB), ...get(SA), op.i32Mul, op.i32Add, ...get(I), ...i32(2), op.i32Shl, op.i32Add, ...set(PA)],
    ...[...get(B), ...get(KB), ...get(SO), op.i32Mul, op.i32Add, ...get(J), ...i32(2), op.i32Shl, op.i32Add, ...set(PB)],
    ...forLoop(KK, get(KB), get(KE), i32(1), [
      ...step,
      ...[...get(PA), ...get(SA), op.i32Add, ...set(PA)],
      ...[...get(PB), ...get(SO), op.i32Add, ...set(PB)],
    ]),
    ...store,
  ];
}

let cached: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  cached ??= oneFunctionModule(
    'atb',
    6,
    [
      [I32_LOCALS, I32],
      [ROWS + 1, F32],
      [ROWS * VECTORS + VECTORS + 1, V128],
    ],
    body(),
  );
  return cached;
}
