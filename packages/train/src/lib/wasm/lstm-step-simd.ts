import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { elementwiseFunction, type ElementwiseBuilder, type Expr } from './elementwise-simd.js';
import type { LstmTape } from './lstm-tape.js';
import { tanhFunction } from './tanh-simd.js';
import { assembleModule, instanceCache, wasmValidates } from './wasm-assembly.js';

/**
 * The element-wise arithmetic of an LSTM hour (lstm-recurrence.ts and its backward pass) in WebAssembly
 * SIMD, over the tape and the kernels' tensors in the WASM backend's memory. Each formula is the chain of
 * float32 operations autodiff and the tensor-op recurrence perform, each product, sum and difference
 * rounded to float32, so the values are the bits the JavaScript host loops gave before (those loops are
 * kept in lstm-step-simd.spec.ts, which compares both), 4 elements at a time. Per hour the copies into
 * the tape ride along with the arithmetic that reads the same elements.
 *
 * All offsets are bytes; rows are the batch, columns the hidden units (or the gate columns).
 */
export interface LstmStepSimd {
  /** pre[B, 3H] and preG[B, H] = zx[:, t] + recurrent (the sigmoid gates' and the candidate's columns); h_0·Wh = 0 without `recurrent`. */
  preActivations(tape: LstmTape, t: number, zx: number, recurrent: number | undefined, pre: number, preG: number): void;
  /** σ and tanh of hour t into the tape; c_t = f⊙c_{t−1} + i⊙g into `c` and the tape. */
  cell(tape: LstmTape, t: number, sig: number, tanhG: number, c: number): void;
  /** tanh(c_t) into the tape; h_t = o⊙tanh(c_t) into `h` and the tape. */
  hidden(tape: LstmTape, t: number, tanhC: number, h: number): void;
  /** dz[B, 4H] of hour t from dh[B, H], into `dz` and hour t of dzx[B, T, 4H]; dc moves through tape.dcNext. */
  gateGradients(tape: LstmTape, t: number, dh: number, dz: number, dzx: number): void;
  /** target[k] += part[k] for k < count. */
  accumulate(target: number, part: number, count: number): void;
  /** to[k] = tanh(from[k]) for k < count, the bits of the backend's Tanh kernel (tanh-simd.ts); `to` may be `from`. */
  tanh(count: number, from: number, to: number): void;
}

type Fn = (...args: number[]) => void;
type Kernels = Record<'sum' | 'cell' | 'hidden' | 'grad' | 'gradLast' | 'tanh', Fn>;
const kernelsFor = instanceCache(moduleBytes, (exports) => exports as Kernels);

/** The kernels on `backend`'s memory; undefined where WebAssembly SIMD or the memory is not available. */
export function lstmStepSimd(backend: BackendWasm): LstmStepSimd | undefined {
  const k = kernelsFor(backend);
  return k && bind(k);
}

/** Whether this runtime validates the module. */
export function lstmStepSimdAvailable(): boolean {
  return wasmValidates(moduleBytes());
}

function bind(k: Kernels): LstmStepSimd {
  return {
    preActivations({ T, H, B, zeros }, t, zx, recurrent, pre, preG) {
      const zxRow = zx + 4 * t * 4 * H;
      const [rec, recStride] = recurrent === undefined ? [zeros, 0] : [recurrent, 4 * H];
      k.sum(B, 3 * H, zxRow, T * 4 * H, rec, recStride, pre, 3 * H);
      k.sum(B, H, zxRow + 4 * 3 * H, T * 4 * H, rec + 4 * 3 * H, recStride, preG, H);
    },
    cell({ H, B, gates, g, c, zeros }, t, sig, tanhG, cOut) {
      const n = H * B;
      const hour = gates + 4 * t * 3 * n;
      const gatesIn = [sig, 3 * H, sig + 4 * H, 3 * H, sig + 8 * H, 3 * H, tanhG, H];
      const previous = t > 0 ? [c + 4 * (t - 1) * n, H] : [zeros, 0];
      const tapeOut = [hour, 3 * H, hour + 4 * H, 3 * H, hour + 8 * H, 3 * H, g + 4 * t * n, H, c + 4 * t * n, H];
      k.cell(B, H, ...gatesIn, ...previous, cOut, H, ...tapeOut);
    },
    hidden({ H, B, gates, tanhC: tapeTanhC, h: tapeH }, t, tanhC, h) {
      const n = H * B;
      k.hidden(B, H, gates + 4 * (t * 3 * n + 2 * H), 3 * H, tanhC, H, h, H, tapeTanhC + 4 * t * n, H, tapeH + 4 * t * n, H);
    },
    gateGradients({ T, H, B, gates, g, c, tanhC, zeros, dcNext }, t, dh, dz, dzx) {
      const n = H * B;
      const hour = gates + 4 * t * 3 * n;
      const state = [hour, 3 * H, hour + 4 * H, 3 * H, hour + 8 * H, 3 * H, g + 4 * t * n, H, tanhC + 4 * t * n, H];
      const previous = t > 0 ? [c + 4 * (t - 1) * n, H] : [zeros, 0];
      const blocks = (base: number, stride: number) => [0, 1, 2, 3].flatMap((q) => [base + 4 * q * H, stride]);
      const args = [...state, ...previous, dh, H, dcNext, H, ...blocks(dz, 4 * H), ...blocks(dzx + 4 * t * 4 * H, T * 4 * H)];
      (t === T - 1 ? k.gradLast : k.grad)(B, H, ...args);
    },
    accumulate(target, part, count) {
      k.sum(1, count, target, 0, part, 0, target, 0);
    },
    tanh: k.tanh,
  };
}

// ---- the kernels, as element-wise statements -----------------------------------------------------------

const sum = elementwiseFunction('sum', ['a', 'b', 'out'], (x) => x.store('out', x.add(x.load('a'), x.load('b'))));

const cell = elementwiseFunction('cell', ['i', 'f', 'o', 'g', 'cPrev', 'c', 'tapeI', 'tapeF', 'tapeO', 'tapeG', 'tapeC'], (x) => {
  const [i, f, g] = [x.let(x.load('i')), x.let(x.load('f')), x.let(x.load('g'))];
  x.store('tapeI', i);
  x.store('tapeF', f);
  x.store('tapeO', x.load('o'));
  x.store('tapeG', g);
  const c = x.let(x.add(x.mul(f, x.load('cPrev')), x.mul(i, g)));
  x.store('c', c);
  x.store('tapeC', c);
});

const hidden = elementwiseFunction('hidden', ['o', 'tanhC', 'h', 'tapeTanhC', 'tapeH'], (x) => {
  const tc = x.let(x.load('tanhC'));
  x.store('tapeTanhC', tc);
  const h = x.let(x.mul(x.load('o'), tc));
  x.store('h', h);
  x.store('tapeH', h);
});

const GRADIENT_ARRAYS = [
  'i',
  'f',
  'o',
  'g',
  'tanhC',
  'cPrev',
  'dh',
  'dcNext',
  'dzI',
  'dzF',
  'dzO',
  'dzG',
  'dzxI',
  'dzxF',
  'dzxO',
  'dzxG',
] as const;
type GradientArray = (typeof GRADIENT_ARRAYS)[number];

/**
 * The backward pass's formulas (lstm-recurrence-backward.ts): dc = dc_next + (1 − tanh²(c))⊙(dh⊙o), the
 * last hour without dc_next; then each gate's gradient times its activation's derivative, + 0 as the
 * slice gradients' padded sum adds it (a −0 becomes +0).
 */
function gradientStatements(x: ElementwiseBuilder<GradientArray>, last: boolean): void {
  const [i, f, o, g, tc, dh] = (['i', 'f', 'o', 'g', 'tanhC', 'dh'] as const).map((a) => x.let(x.load(a)));
  const one = x.constant(1);
  const dO = x.let(x.mul(dh, tc));
  const local = x.mul(x.sub(one, x.mul(tc, tc)), x.mul(dh, o));
  const dc = x.let(last ? local : x.add(x.load('dcNext'), local));
  const dI = x.mul(dc, g);
  const dG = x.mul(dc, i);
  const dF = x.mul(dc, x.load('cPrev'));
  x.store('dcNext', x.mul(dc, f));
  const sigmoidGrad = (d: Expr, s: Expr) => x.add(x.mul(d, x.mul(s, x.sub(one, s))), x.constant(0));
  const outputs: [Expr, GradientArray, GradientArray][] = [
    [sigmoidGrad(dI, i), 'dzI', 'dzxI'],
    [sigmoidGrad(dF, f), 'dzF', 'dzxF'],
    [sigmoidGrad(dO, o), 'dzO', 'dzxO'],
    [x.add(x.mul(x.sub(one, x.mul(g, g)), dG), x.constant(0)), 'dzG', 'dzxG'],
  ];
  for (const [value, dz, dzx] of outputs) {
    const v = x.let(value);
    x.store(dz, v);
    x.store(dzx, v);
  }
}

let cached: Uint8Array | undefined;
function moduleBytes(): Uint8Array {
  cached ??= assembleModule([
    sum,
    cell,
    hidden,
    elementwiseFunction('grad', GRADIENT_ARRAYS, (x) => gradientStatements(x, false)),
    elementwiseFunction('gradLast', GRADIENT_ARRAYS, (x) => gradientStatements(x, true)),
    tanhFunction(),
  ]);
  return cached;
}
