import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runKernel } from './run-kernel.js';

/** What the forward pass of lstm-recurrence.ts keeps of every hour t, each [.., H, B] at offset t. */
export interface LstmTape {
  readonly T: number;
  readonly H: number;
  readonly B: number;
  /** σ of the i, f, o rows: [T, 3H, B]. */
  readonly gates: Float32Array;
  /** tanh of the candidate rows: [T, H, B]. */
  readonly g: Float32Array;
  readonly c: Float32Array;
  readonly tanhC: Float32Array;
  readonly h: Float32Array;
}

/**
 * The gradients of zx[T, 4H, B] and wh[H, 4H] for the upstream gradient dy of h_T, formed as tfjs's
 * autodiff forms them for the tensor-op recurrence, hour by hour from the last:
 *
 *   do = dh⊙tanh(c)   dc = dc_next + (1 − tanh²(c))⊙(dh⊙o)   di = dc⊙g   df = dc⊙c_prev   dg = dc⊙i
 *   dz = [di⊙(i⊙(1 − i)), df⊙(f⊙(1 − f)), do⊙(o⊙(1 − o)), (1 − g²)⊙dg]   (each product rounded to float32)
 *   dc_next ← dc⊙f     dh ← Wh·dz     d(Whᵀ) += dz·h_prevᵀ (summed from the last hour to the first)
 *
 * The matMuls go through the installed BatchMatMul kernel with the transpose flags autodiff gives it;
 * Wh·dz is autodiff's (Whᵀ)ᵀ·dz, which the matMul fix (matmul.ts) computes by transposing Whᵀ back.
 * dz is written as the slice gradients' padded sum does, x + 0 (a −0 becomes +0).
 */
export function lstmBackward(backend: BackendWasm, tape: LstmTape, wh: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor[] {
  const { T, H, B } = tape;
  const n = H * B;
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  const heap = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const dzx = new Float32Array(T * 4 * n);
  const dWhT = new Float32Array(4 * H * H);
  const dcNext = new Float32Array(n);
  let dh: tf.TensorInfo = dy;
  for (let t = T - 1; t >= 0; t--) {
    const dz = backend.makeOutput([4 * H, B], 'float32');
    gateGradients(tape, t, heap(dh), dcNext, heap(dz));
    dzx.set(heap(dz), t * 4 * n);
    if (dh !== dy) free(dh);
    if (t > 0) {
      const hPrev = backend.makeOutput([H, B], 'float32');
      heap(hPrev).set(tape.h.subarray((t - 1) * n, t * n));
      const part = runKernel(backend, tf.BatchMatMul, { a: dz, b: hPrev }, { transposeA: false, transposeB: true });
      const values = heap(part);
      for (let k = 0; k < dWhT.length; k++) dWhT[k] += values[k];
      dh = runKernel(backend, tf.BatchMatMul, { a: wh, b: dz }, { transposeA: false, transposeB: false });
      [part, hPrev].forEach(free);
    }
    free(dz);
  }
  // h_0 = 0 adds a zero part to d(Whᵀ), which changes nothing: a matMul's sum never ends at −0.
  const dWh = new Float32Array(H * 4 * H);
  for (let r = 0; r < 4 * H; r++) for (let k = 0; k < H; k++) dWh[k * 4 * H + r] = dWhT[r * H + k];
  return [tf.tensor3d(dzx, [T, 4 * H, B]), tf.tensor2d(dWh, [H, 4 * H])];
}

/** dz of hour t into `dz`; reads dc_next of hour t + 1 from `dcNext` and leaves hour t's there. */
function gateGradients(tape: LstmTape, t: number, dh: Float32Array, dcNext: Float32Array, dz: Float32Array): void {
  const { T, H, B, gates, g, c, tanhC } = tape;
  const n = H * B;
  const f = Math.fround;
  const base = t * 3 * n;
  for (let k = 0; k < n; k++) {
    const i = gates[base + k];
    const fg = gates[base + n + k];
    const o = gates[base + 2 * n + k];
    const gk = g[t * n + k];
    const tc = tanhC[t * n + k];
    const previous = t > 0 ? c[(t - 1) * n + k] : 0;
    const dhk = dh[k];
    const dO = f(dhk * tc);
    const local = f(f(1 - f(tc * tc)) * f(dhk * o));
    const dc = t === T - 1 ? local : f(dcNext[k] + local);
    const dI = f(dc * gk);
    const dG = f(dc * i);
    const dF = f(dc * previous);
    dcNext[k] = f(dc * fg);
    dz[k] = f(dI * f(i * f(1 - i))) + 0;
    dz[n + k] = f(dF * f(fg * f(1 - fg))) + 0;
    dz[2 * n + k] = f(dO * f(o * f(1 - o))) + 0;
    dz[3 * n + k] = f(f(1 - f(gk * gk)) * dG) + 0;
  }
}
