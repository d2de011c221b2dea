import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runKernel } from './run-kernel.js';

/** What the forward pass of lstm-recurrence.ts keeps of every hour t, batch-major, at offset t. */
export interface LstmTape {
  readonly T: number;
  readonly H: number;
  readonly B: number;
  /** σ of the i, f, o columns: [T, B, 3H]. */
  readonly gates: Float32Array;
  /** tanh of the candidate columns: [T, B, H]; c, tanh(c) and h likewise. */
  readonly g: Float32Array;
  readonly c: Float32Array;
  readonly tanhC: Float32Array;
  readonly h: Float32Array;
}

/**
 * The gradients of zx[B, T, 4H] and wh[H, 4H] for the upstream gradient dy[B, H] of h_T, formed as
 * tfjs's autodiff forms them for the tensor-op recurrence, hour by hour from the last:
 *
 *   do = dh⊙tanh(c)   dc = dc_next + (1 − tanh²(c))⊙(dh⊙o)   di = dc⊙g   df = dc⊙c_prev   dg = dc⊙i
 *   dz = [di⊙(i⊙(1 − i)), df⊙(f⊙(1 − f)), do⊙(o⊙(1 − o)), (1 − g²)⊙dg]   (each product rounded to float32)
 *   dc_next ← dc⊙f     dh ← dz·Whᵀ     dWh += h_prevᵀ·dz (summed from the last hour to the first)
 *
 * The matMuls go through the installed BatchMatMul kernel. dz is written as the slice gradients'
 * padded sum does, x + 0 (a −0 becomes +0).
 */
export function lstmBackward(backend: BackendWasm, tape: LstmTape, wh: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor[] {
  const { T, H, B } = tape;
  const n = H * B;
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  const heap = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  // Written in place on the heap and handed to the engine as the gradient tensor, without a host copy.
  const dzx = backend.makeOutput([B, T, 4 * H], 'float32');
  const dWh = new Float32Array(H * 4 * H);
  const dcNext = new Float32Array(n);
  const whT = runKernel(backend, tf.Transpose, { x: wh }, { perm: [1, 0] });
  let dh: tf.TensorInfo = dy;
  for (let t = T - 1; t >= 0; t--) {
    const dz = backend.makeOutput([B, 4 * H], 'float32');
    gateGradients(tape, t, heap(dh), dcNext, heap(dz));
    scatterHour(heap(dz), heap(dzx), t, tape);
    if (dh !== dy) free(dh);
    if (t > 0) {
      const hPrevT = backend.makeOutput([H, B], 'float32');
      transposeInto(tape.h.subarray((t - 1) * n, t * n), B, H, heap(hPrevT));
      const part = runKernel(backend, tf.BatchMatMul, { a: hPrevT, b: dz }, { transposeA: false, transposeB: false });
      const values = heap(part);
      for (let k = 0; k < dWh.length; k++) dWh[k] += values[k];
      dh = runKernel(backend, tf.BatchMatMul, { a: dz, b: whT }, { transposeA: false, transposeB: false });
      [part, hPrevT].forEach(free);
    }
    free(dz);
  }
  free(whT);
  // h_0 = 0 adds a zero part to dWh, which changes nothing: a matMul's sum never ends at −0.
  return [tf.engine().makeTensorFromTensorInfo(dzx), tf.tensor2d(dWh, [H, 4 * H])];
}

/** Rows of hour t's dz[B, 4H] into their places in dzx[B, T, 4H]. */
function scatterHour(dz: Float32Array, dzx: Float32Array, t: number, { T, H, B }: LstmTape): void {
  const width = 4 * H;
  for (let b = 0; b < B; b++) dzx.set(dz.subarray(b * width, (b + 1) * width), (b * T + t) * width);
}

/** x[rows, cols] transposed into out[cols, rows]. */
function transposeInto(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
}

/** dz[B, 4H] of hour t; reads dc_next of hour t + 1 from `dcNext` and leaves hour t's there. */
function gateGradients(tape: LstmTape, t: number, dh: Float32Array, dcNext: Float32Array, dz: Float32Array): void {
  const { T, H, B, gates, g, c, tanhC } = tape;
  const n = H * B;
  const f = Math.fround;
  for (let b = 0; b < B; b++) {
    const row = t * 3 * n + b * 3 * H;
    const out = b * 4 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const i = gates[row + j];
      const fg = gates[row + H + j];
      const o = gates[row + 2 * H + j];
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
      dz[out + j] = f(dI * f(i * f(1 - i))) + 0;
      dz[out + H + j] = f(dF * f(fg * f(1 - fg))) + 0;
      dz[out + 2 * H + j] = f(dO * f(o * f(1 - o))) + 0;
      dz[out + 3 * H + j] = f(f(1 - f(gk * gk)) * dG) + 0;
    }
  }
}
