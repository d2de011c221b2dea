/**
 * Just enough of a WebAssembly assembler for the kernels of this folder: opcodes, LEB128 immediates,
 * counted loops and a one-function module that imports the backend's memory. A kernel is written as
 * arrays of bytes; nothing is compiled or downloaded at install time.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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

/** Whether this runtime validates the module (WebAssembly SIMD: Node 16.4+). */
export function wasmValidates(bytes: Uint8Array): boolean {
  return WebAssemblyApi.validate(bytes);
}

/**
 * The module's exports instantiated on `backend`'s memory, one instance per memory (a re-initialised
 * backend has a new one); undefined when the backend's memory cannot be reached or the module does not
 * instantiate, so the caller takes its other path.
 */
export function instanceCache<T>(
  bytes: () => Uint8Array,
  pick: (exports: Record<string, unknown>) => T,
): (backend: BackendWasm) => T | undefined {
  const instances = new WeakMap<Memory, T>();
  return (backend) => {
    const memory = wasmMemory(backend);
    if (!memory) return undefined;
    let instance = instances.get(memory);
    if (!instance) {
      const exports = instantiateOn(memory, bytes);
      if (!exports) return undefined;
      instance = pick(exports);
      instances.set(memory, instance);
    }
    return instance;
  };
}

function wasmMemory(backend: BackendWasm): Memory | undefined {
  // The Emscripten module's exports (`asm`), which its typings leave out, hold the backend's memory.
  const memory = (backend.wasm as { asm?: { memory?: unknown } } | undefined)?.asm?.memory;
  return memory instanceof WebAssemblyApi.Memory ? memory : undefined;
}

function instantiateOn(memory: Memory, bytes: () => Uint8Array): Record<string, unknown> | undefined {
  try {
    return new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes()), { env: { memory } }).exports;
  } catch {
    return undefined;
  }
}

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  get: 0x20,
  set: 0x21,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32LtS: 0x48,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Neg: 0x8c,
  f32ConvertI32S: 0xb2,
} as const;

export function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

export function sleb(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...bytes, byte];
    bytes.push(byte | 0x80);
  }
}

const simd = (code: number) => [0xfd, ...uleb(code)];
/** SIMD instructions; loads and stores take their memarg (alignment exponent, byte offset) from the caller. */
export const V = {
  load: (offset = 0) => [...simd(0x00), 0, ...uleb(offset)],
  store: (offset = 0) => [...simd(0x0b), 0, ...uleb(offset)],
  zero: () => [...simd(0x0c), ...new Array<number>(16).fill(0)],
  splat: simd(0x13),
  add: simd(0xe4),
  sub: simd(0xe5),
  mul: simd(0xe6),
  div: simd(0xe7),
  neg: simd(0xe1),
  /** f32x4.pmax(a, b): a < b ? b : a, lane by lane (b on top of the stack). */
  pmax: simd(0xeb),
  extractLane: (lane: number) => [...simd(0x1f), lane],
  /** v128.load32_splat: one float32 into all four lanes. */
  loadSplat: (offset = 0) => [...simd(0x09), 0, ...uleb(offset)],
  /** v128.const of four equal i32 lanes (a float's bits, a mask or an integer). */
  i32x4: (value: number) => [...simd(0x0c), ...new Array<number[]>(4).fill(i32Bytes(value)).flat()],
  /** v128.const of four equal float32 lanes. */
  f32x4: (value: number) => [...simd(0x0c), ...new Array<number[]>(4).fill(f32Bytes(value)).flat()],
  and: simd(0x4e),
  or: simd(0x50),
  xor: simd(0x51),
  /** bitselect(a, b, mask): a's bits where the mask is 1, b's elsewhere (the mask on top of the stack). */
  bitselect: simd(0x52),
  i32Eq: simd(0x37),
  i32LtS: simd(0x39),
  i32GtS: simd(0x3b),
  f32Lt: simd(0x43),
  i32Shl: simd(0xab),
  i32ShrS: simd(0xac),
  i32Add: simd(0xae),
  i32Sub: simd(0xb1),
  /** i32x4.trunc_sat_f32x4_s and f32x4.convert_i32x4_s. */
  truncSat: simd(0xf8),
  convert: simd(0xfa),
};
const i32Bytes = (value: number) => [...new Uint8Array(Int32Array.of(value).buffer)];
const f32Bytes = (value: number) => [...new Uint8Array(Float32Array.of(value).buffer)];
export const f32Load = [op.f32Load, 2, 0];
/** f32.load at a constant byte offset from the address on the stack. */
export const f32LoadAt = (offset: number) => [op.f32Load, 2, ...uleb(offset)];
export const f32Store = [op.f32Store, 2, 0];
export const f32Zero = [op.f32Const, 0, 0, 0, 0];
/** f32.const v, little-endian IEEE single. */
export const f32 = (v: number) => [op.f32Const, ...new Uint8Array(Float32Array.of(v).buffer)];

/** The `count` consecutive local indices from `start`. */
export function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

export const get = (local: number) => [op.get, local];
export const set = (local: number) => [op.set, local];
export const i32 = (value: number) => [op.i32Const, ...sleb(value)];

/** `while (local < limit) { body; local += step }`, with the local set by the caller. */
export const whileLess = (local: number, limit: number[], step: number[], body: number[]) => [
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

/** `for (local = start; local < limit; local += step) body` */
export const forLoop = (local: number, start: number[], limit: number[], step: number[], body: number[]) => [
  ...start,
  ...set(local),
  ...whileLess(local, limit, step, body),
];

/** Byte address base + index · 4. */
export const addr4 = (base: number[], index: number[]) => [...base, ...index, ...i32(2), op.i32Shl, op.i32Add];

const section = (id: number, contents: number[]) => [id, ...uleb(contents.length), ...contents];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => vec([...s].map((c) => [c.charCodeAt(0)]));

/** One exported function: `params` i32 parameters, no result; `locals` as [count, type] runs; `code` ends with `end`. */
export interface AssembledFunction {
  readonly name: string;
  readonly params: number;
  readonly locals: readonly (readonly [number, number])[];
  readonly code: readonly number[];
}

/** A module that imports `env.memory` and exports the functions, each with its own type. */
export function assembleModule(functions: readonly AssembledFunction[]): Uint8Array {
  const bodies = functions.map((f) => {
    const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.code];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(functions.map((f) => [0x60, ...vec(new Array<number[]>(f.params).fill([I32])), 0x00]))),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ]);
}

/** A module importing `env.memory` and exporting one function (the same bytes as assembleModule of one). */
export function oneFunctionModule(exportName: string, params: number, locals: [number, number][], code: number[]): Uint8Array {
  return assembleModule([{ name: exportName, params, locals, code }]);
}
