import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type AssembledFunction,
  assembleModule,
  forLoop,
  get,
  i32,
  I32,
  instanceCache,
  op,
  set,
  V,
  V128,
  whileLess,
} from './wasm-assembly.js';

/**
 * The WASM backend's Tanh kernel in WebAssembly SIMD, four elements at a time, with the same float32 bits
 * for every input (NaN payloads included; tanh-simd.spec.ts samples every range, and
 * tools/scripts/tanh-exhaustive.ts checks all 2³² inputs).
 *
 * tfjs-backend-wasm 4.22's Tanh (src/cc/kernels/Tanh.cc) applies C's `tanh` to each float, which its
 * build compiles to musl's tanhf with expm1f inlined into the loop (read off the disassembly of all three
 * .wasm builds: the same instructions). WebAssembly has no fused multiply-add and rounds every f32 op
 * to float32, so the same operations in the same order give the same bits, lane by lane. The branches
 * of both functions are all computed and the lane's own chosen with bit masks:
 *
 *   tanhf:  |x| > 10 or NaN: 1 + 0/|x|          |x| > log(3)/2:    1 − 2/(expm1(2|x|) + 2)
 *           |x| > log(5/3)/2: e/(e + 2), e = expm1(2|x|)           |x| ≥ 2⁻¹²⁶: −e/(e + 2), e = expm1(−2|x|)
 *           else (subnormal, ±0): |x|;          then the sign of x
 *   expm1f: k = 0 (|X| < ln2/2), ±1 (|X| ≤ 1.5 ln2), else round(X/ln2); X − k·ln2 in hi and lo parts,
 *           a rational approximation, and k's own reconstruction (k = 0, −1, 1, 2…22, 23…56);
 *           |X| < 2⁻²⁵ gives X.
 *
 * From tanh the argument X lies in [−0.52, 20], so expm1f's branches for k < −1, k > 56 and overflow
 * are not reached and are left out.
 */

// musl's expm1f constants, as the binary holds them.
const LN2_HI = 0x3f317180;
const LN2_LO = 0x3717f7d1;
const INV_LN2 = 0x3fb8aa3b;
const Q1 = 0xbd088868 | 0;
const Q2 = 0x3acf3010;
const ONE = 0x3f800000;
const SIGN = 0x80000000 | 0;

type Code = number[];
const fbits = (bits: number) => V.i32x4(bits);
const fc = (value: number) => V.f32x4(value);
const ic = (value: number) => V.i32x4(value);
const binary =
  (code: Code) =>
  (a: Code, b: Code): Code => [...a, ...b, ...code];
const [add, sub, mul, div] = [V.add, V.sub, V.mul, V.div].map(binary);
const [and, or, xor, iadd, isub] = [V.and, V.or, V.xor, V.i32Add, V.i32Sub].map(binary);
/** Lane shifts take their count as an i32. */
const shl = (a: Code, by: number): Code => [...a, ...i32(by), ...V.i32Shl];
const shrS = (a: Code, by: number): Code => [...a, ...i32(by), ...V.i32ShrS];
const [gtS, ltS, eq, flt] = [V.i32GtS, V.i32LtS, V.i32Eq, V.f32Lt].map(binary);
/** mask ? a : b, per lane (masks are all ones or all zeros). */
const pick = (mask: Code, a: Code, b: Code): Code => [...a, ...b, ...mask, ...V.bitselect];

/**
 * The body of tanh for the v128 in local `x`, leaving the result on the stack; it uses `temporaries`
 * v128 locals from `temp` on.
 */
function tanhLanes(x: number, temp: number): { code: Code; temporaries: number } {
  const locals: Code = [];
  let next = temp;
  const bind = (value: Code): Code => {
    locals.push(...value, ...set(next));
    return get(next++);
  };
  const ax = bind(and(get(x), ic(0x7fffffff)));
  const mid = bind(gtS(ax, ic(0x3e82c578)));
  // expm1f's argument: 2|x| for the two upper ranges, −2|x| for the lower one (as tanhf computes them: |x| + |x| and |x|·−2).
  const X = bind(pick(mid, add(ax, ax), mul(ax, fc(-2))));
  const xi = bind(and(X, ic(0x7fffffff)));
  const kRound = [...add(mul(X, fbits(INV_LN2)), or(and(X, ic(SIGN)), fc(0.5))), ...V.truncSat];
  const kNear = and(or(shrS(X, 31), ic(1)), gtS(xi, ic(0x3eb17218)));
  const k = bind(pick(gtS(xi, ic(0x3f851591)), kRound, kNear));
  // k = 0 and k = ±1 take the same form: t·ln2_hi and t·ln2_lo are then exact (0, ±ln2_hi, ±ln2_lo).
  const t = bind([...k, ...V.convert]);
  const hi = bind(add(X, mul(t, fbits(LN2_HI | SIGN))));
  const lo = bind(mul(t, fbits(LN2_LO)));
  const r = bind(sub(hi, lo));
  const c = bind(sub(sub(hi, r), lo));
  const hfx = bind(mul(r, fc(0.5)));
  const hxs = bind(mul(r, hfx));
  const r1 = bind(add(mul(hxs, add(mul(hxs, fbits(Q2)), fbits(Q1))), fc(1)));
  const tt = bind(sub(fc(3), mul(r1, hfx)));
  const e = bind(mul(hxs, div(sub(r1, tt), sub(fc(6), mul(r, tt)))));
  const e2 = bind(sub(sub(mul(r, sub(e, c)), c), hxs));
  const rMinus = bind(sub(r, e2));
  const k23 = bind(shl(k, 23));
  const u = bind(isub(ic(ONE), k23));
  const scaled = mul(pick(ltS(k, ic(23)), add(sub(fc(1), u), rMinus), add(sub(r, add(e2, u)), fc(1))), iadd(k23, ic(ONE)));
  const kOne = pick(flt(r, fc(-0.25)), mul(sub(e2, add(r, fc(0.5))), fc(-2)), add(add(rMinus, rMinus), fc(1)));
  const kMinusOne = add(mul(rMinus, fc(0.5)), fc(-0.5));
  const kZero = sub(r, sub(mul(r, e), hxs));
  const byK = pick(eq(k, ic(0)), kZero, pick(eq(k, ic(-1)), kMinusOne, pick(eq(k, ic(1)), kOne, scaled)));
  const em1 = bind(pick(ltS(xi, ic(0x33000000)), X, byK));
  // tanhf's three quotients share one division: 2, e or −e over e + 2.
  const big = bind(gtS(ax, ic(0x3f0c9f54)));
  const q = bind(div(pick(big, fc(2), pick(mid, em1, [...em1, ...V.neg])), add(em1, fc(2))));
  const ranged = pick(big, sub(fc(1), q), q);
  const huge = pick(gtS(ax, ic(0x41200000)), add(div(fc(0), ax), fc(1)), ranged);
  const value = pick(gtS(ax, ic(0x007fffff)), huge, ax);
  // tanhf's `sign ? −t : t` flips the sign bit of a t whose sign bit is clear.
  return { code: [...locals, ...xor(value, and(get(x), ic(SIGN)))], temporaries: next - temp };
}

/** tanh(count, from, to): to[i] = tanh(from[i]) for i < count, byte offsets in the memory; `to` may be `from`. */
export function tanhFunction(name = 'tanh'): AssembledFunction {
  const [COUNT, FROM, TO, I, COUNT4, X] = [0, 1, 2, 3, 4, 5];
  const at = (base: number) => [...get(base), ...get(I), ...i32(2), op.i32Shl, op.i32Add];
  const { code: lanes, temporaries } = tanhLanes(X, X + 1);
  return {
    name,
    params: 3,
    locals: [
      [2, I32],
      [1 + temporaries, V128],
    ],
    code: [
      ...get(COUNT),
      ...i32(-4),
      op.i32And,
      ...set(COUNT4),
      ...forLoop(I, i32(0), get(COUNT4), i32(4), [...at(FROM), ...V.load(), ...set(X), ...at(TO), ...lanes, ...V.store()]),
      // The last count mod 4 one by one, in lane 0 of the same code.
      ...whileLess(I, get(COUNT), i32(1), [
        ...at(FROM),
        ...V.loadSplat(),
        ...set(X),
        ...at(TO),
        ...lanes,
        ...V.extractLane(0),
        op.f32Store,
        2,
        0,
      ]),
      op.end,
    ],
  };
}

export type TanhSimd = (count: number, from: number, to: number) => void;

/** The kernel on `backend`'s memory; undefined where WebAssembly SIMD or the memory is not available. */
export const tanhSimd: (backend: BackendWasm) => TanhSimd | undefined = instanceCache(
  () => assembleModule([tanhFunction()]),
  (exports) => exports.tanh as TanhSimd,
);
