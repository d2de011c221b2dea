import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addr4, assembleModule, F32, forLoop, get, i32, I32, instanceCache, op, set, V, V128, validates } from './wasm-assembly.js';

/**
 * A batched matMul C[n] = A[n] · B[n] (row-major, untransposed, every operand with its own batch) in
 * WebAssembly SIMD, for the WASM backend of tfjs 4.22.
 *
 * That backend hands XNNPACK only products whose right operand is shared by the whole batch; when both
 * operands carry the batch (attention: q·kᵀ and weights·v per sample and head) it runs a scalar
 * fallback at ≈ 0.5 GFLOP/s, which made the TabTransformer's attention about half of its training time.
 * This kernel computes each output row 4 columns at a time with f32x4 multiplies and adds. It adds the
 * products in the fallback's order: over k in ascending order within blocks of 48, each block's float32
 * sum added to an output that starts at 0. A SIMD lane multiplies and adds exactly like a scalar float32
 * operation (WASM has no fused multiply-add), so the results are bit-identical to the stock kernel's
 * (batched-matmul-simd.spec.ts compares them, products and gradients).
 *
 * The module is assembled here, byte by byte, from the loop below (no toolchain at install time), and
 * imports the backend's own WebAssembly.Memory, so it reads and writes the tensors where they are.
 *
 *   for n < batch, i < M:  out[n,i,:] = 0
 *     for k0 < K step 48:  for j < N step 4 (then the last N mod 4 columns one by one):
 *       acc = 0;  for k in [k0, min(k0 + 48, K)):  acc += a[n,i,k] · b[n,k,j…j+3];  out[n,i,j…j+3] += acc
 */
const BLOCK = 48;

type Kernel = (a: number, b: number, out: number, batch: number, m: number, k: number, n: number) => void;
const kernelFor = instanceCache(moduleBytes, (exports) => exports.bmm as Kernel);

/** Whether this runtime validates WebAssembly SIMD (Node 16.4+ does). */
export function simdAvailable(): boolean {
  return validates(moduleBytes());
}

/**
 * C = A · B for a, b of shapes [...batch, M, K] and [...batch, K, N] with the same batch dimensions
 * (more than one), untransposed; undefined when the case is not one this kernel serves, so the caller
 * falls back to the stock kernel.
 */
export function batchedMatMulSimd(a: tf.TensorInfo, b: tf.TensorInfo, backend: BackendWasm): tf.TensorInfo | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 3 || ra !== rb || a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const outer = a.shape.slice(0, -2);
  if (outer.some((s, i) => s !== b.shape[i])) return undefined;
  const batch = outer.reduce((x, y) => x * y, 1);
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[rb - 1];
  if (batch < 2 || b.shape[rb - 2] !== k || m * n * k === 0) return undefined;
  const kernel = kernelFor(backend);
  if (!kernel) return undefined;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // Offsets are read after makeOutput, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  kernel(offset(a), offset(b), offset(out), batch, m, k, n);
  return out;
}

// ---- the module, assembled -------------------------------------------------------------------------

// Parameters 0–6 (i32): a, b, out (byte offsets), batch, M, K, N; then the locals below.
const [A, B, OUT, BATCH, M, K, N] = [0, 1, 2, 3, 4, 5, 6];
const [NI, I, K0, KEND, J, KK, AROW, BMAT, OROW, N4, P] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const SACC = 18; // f32
const VACC = 19; // v128

/** The function's code: n4 = N rounded down to a multiple of 4 (the vector columns' end), then each batch entry. */
function body(): number[] {
  return [...get(N), ...i32(-4), op.i32And, ...set(N4), ...forLoop(NI, i32(0), get(BATCH), i32(1), batchEntryCode()), op.end];
}

function batchEntryCode(): number[] {
  return [
    // bMat = b + 4·(n·K·N); p = n·M (the first output row of this batch entry)
    ...addr4(get(B), [...get(NI), ...get(K), op.i32Mul, ...get(N), op.i32Mul]),
    ...set(BMAT),
    ...get(NI),
    ...get(M),
    op.i32Mul,
    ...set(P),
    ...forLoop(I, i32(0), get(M), i32(1), rowCode()),
  ];
}

/** One output row: zeroed first, since every block of 48 adds its sum to it. */
function rowCode(): number[] {
  return [
    // aRow = a + 4·((n·M + i)·K); oRow = out + 4·((n·M + i)·N)
    ...get(P),
    ...get(I),
    op.i32Add,
    ...set(P),
    ...addr4(get(A), [...get(P), ...get(K), op.i32Mul]),
    ...set(AROW),
    ...addr4(get(OUT), [...get(P), ...get(N), op.i32Mul]),
    ...set(OROW),
    ...forLoop(J, i32(0), get(N), i32(1), [...outAddr(), op.f32Const, 0, 0, 0, 0, op.f32Store, 2, 0]),
    ...forLoop(K0, i32(0), get(K), i32(BLOCK), [
      // kEnd = min(k0 + 48, K)
      ...get(K0),
      ...i32(BLOCK),
      op.i32Add,
      ...get(K),
      ...get(K0),
      ...i32(BLOCK),
      op.i32Add,
      ...get(K),
      op.i32LtS,
      op.select,
      ...set(KEND),
      ...vectorColumnsCode(),
      ...scalarColumnsCode(),
    ]),
    // p is reused as n·M + i above, so it goes back to n·M for the next row.
    ...get(P),
    ...get(I),
    0x6b /* i32.sub */,
    ...set(P),
  ];
}

/** Columns j < n4, 4 at a time: the block's sum in a fresh accumulator, then added to out, as the fallback does. */
function vectorColumnsCode(): number[] {
  return forLoop(J, i32(0), get(N4), i32(4), [
    ...V.const,
    ...new Array(16).fill(0),
    ...set(VACC),
    ...forLoop(KK, get(K0), get(KEND), i32(1), [
      ...get(VACC),
      ...aAt(),
      ...V.splat,
      ...bAddr(),
      ...V.load,
      0,
      0,
      ...V.mul,
      ...V.add,
      ...set(VACC),
    ]),
    ...outAddr(),
    ...outAddr(),
    ...V.load,
    0,
    0,
    ...get(VACC),
    ...V.add,
    ...V.store,
    0,
    0,
  ]);
}

/** The last N mod 4 columns, one by one, in the same order of additions. */
function scalarColumnsCode(): number[] {
  return forLoop(J, get(N4), get(N), i32(1), [
    op.f32Const,
    0,
    0,
    0,
    0,
    ...set(SACC),
    ...forLoop(KK, get(K0), get(KEND), i32(1), [...get(SACC), ...aAt(), ...bAddr(), op.f32Load, 2, 0, op.f32Mul, op.f32Add, ...set(SACC)]),
    ...outAddr(),
    ...outAddr(),
    op.f32Load,
    2,
    0,
    ...get(SACC),
    op.f32Add,
    op.f32Store,
    2,
    0,
  ]);
}

// a[n,i,k] as f32 at aRow + 4k; b[n,k,j] at bMat + 4(k·N + j).
const aAt = () => [...addr4(get(AROW), get(KK)), op.f32Load, 2, 0];
const bAddr = () => addr4(get(BMAT), [...get(KK), ...get(N), op.i32Mul, ...get(J), op.i32Add]);
const outAddr = () => addr4(get(OROW), get(J));

let cached: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  cached ??= assembleModule([
    {
      name: 'bmm',
      params: 7,
      locals: [
        [11, I32],
        [1, F32],
        [1, V128],
      ],
      code: body(),
    },
  ]);
  return cached;
}
