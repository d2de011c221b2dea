import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  F32,
  f32Load,
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
  wasmValidates,
  whileLess,
} from './wasm-assembly.js';

/**
 * A batched matMul C[n] = A[n] · B[n] (row-major, untransposed, every operand with its own batch) in
 * WebAssembly SIMD, for the WASM backend of tfjs 4.22.
 *
 * That backend hands XNNPACK only products whose right operand is shared by the whole batch; when both
 * operands carry the batch (attention: q·kᵀ and weights·v per sample and head) it runs a scalar
 * fallback at ≈ 0.5 GFLOP/s, which made the TabTransformer's attention about half of its training time.
 * This kernel computes tiles of 4 output rows × 8 columns with f32x4 multiplies and adds, each a[i, k]
 * splatted once for the tile's 8 columns and each b[k, j…j+7] loaded once for its 4 rows (a first
 * version, one row × 4 columns a step, ran at ≈ 2.5–5 GFLOP/s; docs/results.md, Session 7). It adds the
 * products in the fallback's order: over k in ascending order within blocks of 48, each block's float32
 * sum added to an output that starts at 0. Every output element has its own accumulator, and a SIMD lane
 * multiplies and adds exactly like a scalar float32 operation (WASM has no fused multiply-add), so the
 * results are bit-identical to the stock kernel's (batched-matmul-simd.spec.ts compares them, products
 * and gradients, across the tile edges).
 *
 * The module is assembled here, byte by byte (wasm-assembly.ts), from the loops below, and imports the
 * backend's own WebAssembly.Memory, so it reads and writes the tensors where they are. Each operand's
 * matrices may lie strided in a two-level batch (MatrixLayout), so attention reads its heads in place.
 *
 *   for n < batch:  out[n] = 0  (its M rows of N, wherever they lie)
 *     for each tile of rows (4, then the last M mod 4 one by one):  for k0 < K step 48:
 *       for each tile of columns (8, then 4, then the last N mod 4 one by one):
 *         acc[r, c] = 0;  for k in [k0, min(k0 + 48, K)):  acc[r, c] += a[n, i + r, k] · b[n, k, j + c]
 *         out[n, i + r, j + c] += acc[r, c]
 */
const BLOCK = 48;
/** Output rows and column vectors (of 4 floats) per tile. VECTORS is a power of two. */
const ROWS = 4;
const VECTORS = 2;

type Kernel = (...args: number[]) => void;
/** Instances per memory: untransposed A, and A given as [..., K, M]. */
const kernels = {
  plain: instanceCache(
    () => moduleBytes(false),
    (exports) => exports['bmm'] as Kernel,
  ),
  transposedA: instanceCache(
    () => moduleBytes(true),
    (exports) => exports['bmm'] as Kernel,
  ),
};

/** Whether this runtime validates WebAssembly SIMD (Node 16.4+ does). */
export function simdAvailable(): boolean {
  return wasmValidates(moduleBytes());
}

/**
 * C = A · B for a, b of shapes [...batch, M, K] and [...batch, K, N] with the same batch dimensions
 * (more than one); with `transposedA`, a holds Aᵀ, of shape [...batch, K, M], read in place (the
 * gradients of attention's products). Undefined when the case is not one this kernel serves, so the
 * caller falls back to the stock kernel.
 */
export function batchedMatMulSimd(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  backend: BackendWasm,
  transposedA = false,
): tf.TensorInfo | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 3 || ra !== rb || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const outer = a.shape.slice(0, -2);
  if (outer.some((s, i) => s !== b.shape[i])) return undefined;
  const batch = outer.reduce((x, y) => x * y, 1);
  const [m, k] = transposedA ? a.shape.slice(-2).reverse() : a.shape.slice(-2);
  const n = b.shape[rb - 1];
  if (batch < 2 || b.shape[rb - 2] !== k || m * n * k === 0) return undefined;
  if (!(transposedA ? kernels.transposedA : kernels.plain)(backend)) return undefined;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // Offsets are read after makeOutput, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset / 4;
  const packed = (t: tf.TensorInfo, rows: number, columns: number): MatrixLayout => ({
    offset: offset(t),
    outerStride: rows * columns,
    innerStride: 0,
    rowStride: columns,
  });
  const [ar, ac] = transposedA ? [k, m] : [m, k];
  stridedMatMulSimd(backend, { batch: [batch, 1], m, k, n, transposedA }, packed(a, ar, ac), packed(b, k, n), packed(out, m, n));
  return out;
}

/**
 * Where a batch of row-major matrices lies in the backend's memory, in floats: matrix (o, i) of a batch
 * [outer, inner] starts at offset + o · outerStride + i · innerStride, and its rows are rowStride apart.
 * Packed matrices have rowStride = columns; the heads of attention's q [B·L, heads·dh] (head h of sample
 * b at b·L·d + h·dh, rows d apart) are read and written in place this way, without the heads' transposes.
 */
export interface MatrixLayout {
  readonly offset: number;
  readonly outerStride: number;
  readonly innerStride: number;
  readonly rowStride: number;
}

export interface StridedProduct {
  /** [outer, inner]: the two levels of the batch. */
  readonly batch: readonly [number, number];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** a holds Aᵀ ([K, M] per matrix, rows rowStride apart). */
  readonly transposedA: boolean;
}

/**
 * C = A · B for every matrix of a two-level batch, each operand and the output where `MatrixLayout` says,
 * with the products added in batchedMatMulSimd's order (the same bits; the output rows are written only
 * in their N columns, so outputs may interleave). The caller checks `stridedMatMulAvailable` first.
 */
export function stridedMatMulSimd(backend: BackendWasm, p: StridedProduct, a: MatrixLayout, b: MatrixLayout, out: MatrixLayout): void {
  const kernel = (p.transposedA ? kernels.transposedA : kernels.plain)(backend)!;
  const bytes = (l: MatrixLayout) => [l.outerStride, l.innerStride, l.rowStride].map((x) => 4 * x);
  kernel(4 * a.offset, 4 * b.offset, 4 * out.offset, ...p.batch, p.m, p.k, p.n, ...bytes(a), ...bytes(b), ...bytes(out));
}

/** Whether stridedMatMulSimd runs on this backend (WebAssembly SIMD). */
export function stridedMatMulAvailable(backend: BackendWasm): boolean {
  return kernels.plain(backend) !== undefined && kernels.transposedA(backend) !== undefined;
}

// ---- the module, assembled -------------------------------------------------------------------------

// Parameters (i32): a, b, out (byte offsets), the batch's outer and inner counts, M, K, N, then the outer,
// inner and row strides in bytes of a, b and out; then the locals below.
const [A, B, OUT, OUTER, INNER, M, K, N] = range(0, 8);
const [AO, AI, AROW, BO, BI, BROW, OO, OI, OROW] = range(8, 9);
const PARAMS = 17;
const [NO, NI, I, K0, KENDB, J, KOFF, PB, AMAT, BMAT, OMAT, N4, N8, T, OEND, M4, AOFF] = range(PARAMS, 17);
/** Byte addresses of row i + r of a and of out, r < ROWS. */
const AR = range(PARAMS + 17, ROWS);
const OR = range(PARAMS + 17 + ROWS, ROWS);
const I32_LOCALS = 17 + 2 * ROWS;
/** f32 accumulators of the scalar tile (one per row) and its b value. */
const S = range(PARAMS + I32_LOCALS, ROWS);
const BS = PARAMS + I32_LOCALS + ROWS;
/** v128 accumulators (row r, column vector c at r · VECTORS + c), b vectors, and the splat of a. */
const V0 = BS + 1;
const ACC = range(V0, ROWS * VECTORS);
const BV = range(V0 + ROWS * VECTORS, VECTORS);
const AV = V0 + ROWS * VECTORS + VECTORS;

/** The column and row limits of the tiles, then each batch entry, inner level within outer. */
function body(transposedA: boolean): number[] {
  return [
    ...[...get(N), ...i32(-4), op.i32And, ...set(N4)],
    ...[...get(N), ...i32(-4 * VECTORS), op.i32And, ...set(N8)],
    ...[...get(M), ...i32(ROWS - 1), op.i32Sub, ...set(M4)],
    ...forLoop(NO, i32(0), get(OUTER), i32(1), forLoop(NI, i32(0), get(INNER), i32(1), batchEntryCode(transposedA))),
    op.end,
  ];
}

/** One batch entry: its output rows zeroed (every block of 48 adds its sum to them), then ROWS rows at a time, then one. */
function batchEntryCode(transposedA: boolean): number[] {
  const matrix = (base: number, outerStride: number, innerStride: number, into: number) => [
    ...[...get(base), ...get(NO), ...get(outerStride), op.i32Mul, op.i32Add],
    ...[...get(NI), ...get(innerStride), op.i32Mul, op.i32Add, ...set(into)],
  ];
  const rowStart = [...get(OMAT), ...get(I), ...get(OROW), op.i32Mul, op.i32Add];
  return [
    ...matrix(A, AO, AI, AMAT),
    ...matrix(B, BO, BI, BMAT),
    ...matrix(OUT, OO, OI, OMAT),
    ...forLoop(I, i32(0), get(M), i32(1), [
      ...[...rowStart, ...get(N), ...i32(2), op.i32Shl, op.i32Add, ...set(OEND)],
      ...forLoop(T, rowStart, get(OEND), i32(4), [...get(T), ...f32Zero, ...f32Store]),
    ]),
    ...i32(0),
    ...set(I),
    ...whileLess(I, get(M4), i32(ROWS), rowsCode(ROWS, transposedA)),
    ...whileLess(I, get(M), i32(1), rowsCode(1, transposedA)),
  ];
}

/** Rows i … i + rows − 1, block of 48 after block: column vectors VECTORS at a time, then one, then the scalar tail. */
function rowsCode(rows: number, transposedA: boolean): number[] {
  const rowAddress = (base: number, stride: number[], r: number, into: number) => [
    ...get(base),
    ...get(I),
    ...i32(r),
    op.i32Add,
    ...stride,
    op.i32Mul,
    op.i32Add,
    ...set(into),
  ];
  return [
    // a[i + r, k] is at aR[r] + 4k; transposed, a[k, i + r] is at aR[r] + k · aRow.
    ...range(0, rows).flatMap((r) => [
      ...rowAddress(AMAT, transposedA ? i32(4) : get(AROW), r, AR[r]),
      ...rowAddress(OMAT, get(OROW), r, OR[r]),
    ]),
    ...forLoop(K0, i32(0), get(K), i32(BLOCK), [
      // kEndBytes = 4 · min(k0 + 48, K)
      ...[...get(K0), ...i32(BLOCK), op.i32Add, ...get(K), ...get(K0), ...i32(BLOCK), op.i32Add, ...get(K), op.i32LtS, op.select],
      ...[...i32(2), op.i32Shl, ...set(KENDB)],
      ...forLoop(J, i32(0), get(N8), i32(4 * VECTORS), tileCode(rows, VECTORS, transposedA)),
      ...forLoop(J, get(N8), get(N4), i32(4), tileCode(rows, 1, transposedA)),
      ...forLoop(J, get(N4), get(N), i32(1), tileCode(rows, 0, transposedA)),
    ]),
  ];
}

/**
 * out[i + r, j …] += Σ_{k in the block, ascending} a[i + r, k] · b[k, j …] for r < rows, over `vectors`
 * column vectors of 4 (0: the one column j, in scalar f32). Each element has its own accumulator, so
 * every element sees the same multiplies and adds, in the same order, as in the fallback.
 */
function tileCode(rows: number, vectors: number, transposedA: boolean): number[] {
  const acc = (r: number, c: number) => ACC[r * VECTORS + c];
  const aAddress = (r: number) => [...get(AR[r]), ...get(AOFF), op.i32Add];
  const outAddress = (r: number) => [...get(OR[r]), ...get(J), ...i32(2), op.i32Shl, op.i32Add];
  const scalar = vectors === 0;
  const zero = scalar
    ? range(0, rows).flatMap((r) => [...f32Zero, ...set(S[r])])
    : cells(rows, vectors, (r, c) => [...V.zero(), ...set(acc(r, c))]);
  const step = scalar
    ? [
        ...[...get(PB), ...f32Load, ...set(BS)],
        ...range(0, rows).flatMap((r) => [...get(S[r]), ...aAddress(r), ...f32Load, ...get(BS), op.f32Mul, op.f32Add, ...set(S[r])]),
      ]
    : [
        ...range(0, vectors).flatMap((c) => [...get(PB), ...V.load(16 * c), ...set(BV[c])]),
        ...range(0, rows).flatMap((r) => [
          ...[...aAddress(r), ...f32Load, ...V.splat, ...set(AV)],
          ...range(0, vectors).flatMap((c) => [...get(acc(r, c)), ...get(AV), ...get(BV[c]), ...V.mul, ...V.add, ...set(acc(r, c))]),
        ]),
      ];
  const store = scalar
    ? range(0, rows).flatMap((r) => [...outAddress(r), ...outAddress(r), ...f32Load, ...get(S[r]), op.f32Add, ...f32Store])
    : cells(rows, vectors, (r, c) => [
        ...outAddress(r),
        ...outAddress(r),
        ...V.load(16 * c),
        ...get(acc(r, c)),
        ...V.add,
        ...V.store(16 * c),
      ]);
  return [
    ...zero,
    // kOff = 4 · k0 (a's byte offset within a row); pb = the address of b[k0, j]
    ...[...get(K0), ...i32(2), op.i32Shl, ...set(KOFF)],
    ...(transposedA ? [...get(K0), ...get(AROW), op.i32Mul] : get(KOFF)),
    ...set(AOFF),
    ...[...get(BMAT), ...get(K0), ...get(BROW), op.i32Mul, op.i32Add, ...get(J), ...i32(2), op.i32Shl, op.i32Add],
    ...set(PB),
    ...whileLess(KOFF, get(KENDB), i32(4), [
      ...step,
      ...[...get(PB), ...get(BROW), op.i32Add, ...set(PB)],
      ...[...get(AOFF), ...(transposedA ? get(AROW) : i32(4)), op.i32Add, ...set(AOFF)],
    ]),
    ...store,
  ];
}

function cells(rows: number, vectors: number, code: (r: number, c: number) => number[]): number[] {
  return range(0, rows).flatMap((r) => range(0, vectors).flatMap((c) => code(r, c)));
}

const cached = new Map<boolean, Uint8Array>();
function moduleBytes(transposedA = false): Uint8Array {
  let bytes = cached.get(transposedA);
  if (!bytes) {
    const locals: [number, number][] = [
      [I32_LOCALS, I32],
      [ROWS + 1, F32],
      [ROWS * VECTORS + VECTORS + 1, V128],
    ];
    bytes = oneFunctionModule('bmm', PARAMS, locals, body(transposedA));
    cached.set(transposedA, bytes);
  }
  return bytes;
}
