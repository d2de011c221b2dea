import type * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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
// The WebAssembly global of the JavaScript engine; the package's TypeScript libs (ES, no DOM) do not declare it.
type Memory = object;
declare const WebAssembly: WebAssemblyGlobal;
const WebAssemblyApi = WebAssembly;
interface WebAssemblyGlobal {
  Memory: abstract new (...args: never[]) => Memory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const kernels = new WeakMap<Memory, Kernel>();

/** Whether this runtime validates WebAssembly SIMD (Node 16.4+ does). */
export function simdAvailable(): boolean {
  return WebAssemblyApi.validate(moduleBytes());
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
  const memory = wasmMemory(backend);
  const kernel = memory && kernelFor(memory);
  if (!kernel) return undefined;
  const out = backend.makeOutput([...outer, m, n], 'float32');
  // Offsets are read after makeOutput, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  kernel(offset(a), offset(b), offset(out), batch, m, k, n);
  return out;
}

function wasmMemory(backend: BackendWasm): Memory | undefined {
  // The Emscripten module's exports (`asm`), which its typings leave out, hold the backend's memory.
  const memory = (backend.wasm as { asm?: { memory?: unknown } } | undefined)?.asm?.memory;
  return memory instanceof WebAssemblyApi.Memory ? memory : undefined;
}

function kernelFor(memory: Memory): Kernel | undefined {
  let kernel = kernels.get(memory);
  if (!kernel) {
    try {
      const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(moduleBytes()), { env: { memory } });
      kernel = instance.exports.bmm as Kernel;
    } catch {
      return undefined;
    }
    kernels.set(memory, kernel);
  }
  return kernel;
}

// ---- the module, assembled -------------------------------------------------------------------------

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32GeS: 0x4e,
  i32LtS: 0x48,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Add: 0x92,
  f32Mul: 0x94,
  select: 0x1b,
} as const;
const simd = (code: number) => [0xfd, ...uleb(code)];
const V = { load: simd(0x00), store: simd(0x0b), const: simd(0x0c), splat: simd(0x13), add: simd(0xe4), mul: simd(0xe6) };

// Parameters 0–6 (i32): a, b, out (byte offsets), batch, M, K, N; then the locals below.
const [A, B, OUT, BATCH, M, K, N] = [0, 1, 2, 3, 4, 5, 6];
const [NI, I, K0, KEND, J, KK, AROW, BMAT, OROW, N4, P] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const SACC = 18; // f32
const VACC = 19; // v128

function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function sleb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...bytes, byte];
    bytes.push(byte | 0x80);
  }
}

const get = (l: number) => [op.get, l];
const set = (l: number) => [op.set, l];
const i32 = (v: number) => [op.i32Const, ...sleb(v)];
/** `for (; local < limit; local += step) body`, with the local set by the caller. */
const whileLess = (local: number, limit: number[], step: number[], body: number[]) => [
  op.block,
  0x40,
  op.loop,
  0x40,
  ...get(local),
  ...limit,
  op.i32GeS,
  op.brIf,
  1,
  ...body,
  ...get(local),
  ...step,
  op.i32Add,
  ...set(local),
  op.br,
  0,
  op.end,
  op.end,
];
/** local = start; while (local < limit) { body; local += step } */
const forLoop = (local: number, start: number[], limit: number[], step: number[], body: number[]) => [
  ...start,
  ...set(local),
  ...whileLess(local, limit, step, body),
];
/** Byte address base + index · 4. */
const addr4 = (base: number[], index: number[]) => [...base, ...index, ...i32(2), op.i32Shl, op.i32Add];

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

const section = (id: number, contents: number[]) => [id, ...uleb(contents.length), ...contents];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => vec([...s].map((c) => [c.charCodeAt(0)]));

let cached: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  if (cached) return cached;
  const code = body();
  const locals = vec([
    [11, I32],
    [1, F32],
    [1, V128],
  ]);
  const func = [...locals, ...code];
  cached = Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, ...vec(new Array(7).fill([I32])), 0x00]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('bmm'), 0x00, 0]])),
    ...section(10, vec([[...uleb(func.length), ...func]])),
  ]);
  return cached;
}
