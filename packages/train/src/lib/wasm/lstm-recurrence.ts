import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BugError } from '@ehr-backdoor/core';
import { lstmBackward, type LstmTape } from './lstm-recurrence-backward.js';
import { wasmHostBackend } from './host-heap.js';
import { runKernel } from './run-kernel.js';

/**
 * The LSTM's recurrence over all hours as one op with its backward pass written out, for training on
 * the WASM backend of the tfjs version the kernel fixes were measured on (wasmHostBackend).
 *
 * Input: zx[B, T, 4H], the input projection x_t·Wx + b of every stay and hour (gates i, f, o, g), as
 * the projection's matMul leaves it; wh[H, 4H]. Output: h_T[B, H]. Per hour, as models/lstm.ts writes
 * it with tensor ops (there time-major, [4H, B]):
 *
 *   z = zx_t + h·Wh          i, f, o = σ(z[:, 0:3H])   g = tanh(z[:, 3H:4H])
 *   c = f⊙c + i⊙g            h = o⊙tanh(c)
 *
 * As tensor ops an hour is ≈ 14 kernels forward and ≈ 50 backward, each dispatched through tfjs's engine
 * and tape in JavaScript; the LSTM was dispatch-bound (docs/results.md). Here an hour is one matMul,
 * the backend's own Sigmoid and Tanh kernels (called directly, so the activations are the same bits)
 * and the element-wise arithmetic in host loops over the WASM heap, each product and sum rounded to
 * float32 as the kernels round it. The backward pass (lstm-recurrence-backward.ts) forms the
 * gradients autodiff forms, in autodiff's order, so values and gradients are bit-identical to the
 * tensor-op recurrence (lstm-recurrence.spec.ts).
 *
 * Batch-major, every matMul has a weight matrix as its right operand (h·Wh forward, dz·Whᵀ backward),
 * for which XNNPACK packs its operator once per pass instead of once per hour, and no transposes of
 * zx or its gradient are needed. Each product still adds the same terms in the same order (over the
 * hidden or gate index, ascending), only with the operands' roles swapped.
 *
 * Forward state (gates, c, tanh(c), h of every hour) is kept in host arrays for the backward pass.
 */
export function lstmRecurrenceAvailable(): boolean {
  return wasmHostBackend() !== undefined;
}

export function lstmRecurrence(zx: tf.Tensor3D, wh: tf.Tensor2D): tf.Tensor2D {
  const backend = wasmHostBackend();
  if (!backend) throw new BugError('lstmRecurrence needs the WASM backend of tfjs 4.22 (lstmRecurrenceAvailable)');
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [zxIn, whIn] = args as [tf.Tensor3D, tf.Tensor2D];
    const tape = lstmForward(backend, zxIn, whIn);
    const { H, B, T } = tape;
    const n = H * B;
    return {
      value: tf.tensor2d(tape.h.slice((T - 1) * n, T * n), [B, H]),
      gradFunc: (dy: tf.Tensor) => {
        const grads = lstmBackward(backend, tape, whIn, dy as tf.Tensor2D);
        spareTape = tape;
        return grads;
      },
    };
  });
  return op(zx, wh) as tf.Tensor2D;
}

/**
 * The tape of the last finished backward pass, reused by the next forward pass of the same shape: a
 * tape is ≈ 5 MB a batch at the default sizes, and allocating one per step showed up as garbage
 * collection. A tape is taken by a forward pass and put back only once its backward pass is done.
 */
let spareTape: LstmTape | undefined;

function takeTape(T: number, H: number, B: number): LstmTape {
  const spare = spareTape;
  spareTape = undefined;
  if (spare && spare.T === T && spare.H === H && spare.B === B) return spare;
  const n = H * B;
  const array = (size: number) => new Float32Array(size);
  return { T, H, B, gates: array(T * 3 * n), g: array(T * n), c: array(T * n), tanhC: array(T * n), h: array(T * n) };
}

const heap = (backend: BackendWasm, t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;

/** Runs the hours; returns what the backward pass needs. Temporaries on the heap are freed as it goes. */
function lstmForward(backend: BackendWasm, zx: tf.Tensor3D, wh: tf.Tensor2D): LstmTape {
  const [B, T, H4] = zx.shape;
  const H = H4 / 4;
  const n = H * B;
  const tape = takeTape(T, H, B);
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  let hPrev: tf.TensorInfo | undefined;
  for (let t = 0; t < T; t++) {
    // h_0 = 0: the tensor-op form multiplies by zeros, which gives +0, and adds it.
    const recurrent = hPrev && runKernel(backend, tf.BatchMatMul, { a: hPrev, b: wh }, { transposeA: false, transposeB: false });
    const pre = backend.makeOutput([B, 3 * H], 'float32');
    const preG = backend.makeOutput([B, H], 'float32');
    addPreActivations(tape, t, heap(backend, zx), recurrent && heap(backend, recurrent), heap(backend, pre), heap(backend, preG));
    for (const x of [recurrent, hPrev]) if (x) free(x);
    const sig = runKernel(backend, tf.Sigmoid, { x: pre });
    const tanhG = runKernel(backend, tf.Tanh, { x: preG });
    tape.gates.set(heap(backend, sig), t * 3 * n);
    tape.g.set(heap(backend, tanhG), t * n);
    [pre, preG, sig, tanhG].forEach(free);
    const c = backend.makeOutput([B, H], 'float32');
    cellState(tape, t, heap(backend, c));
    const tanhC = runKernel(backend, tf.Tanh, { x: c });
    tape.tanhC.set(heap(backend, tanhC), t * n);
    [c, tanhC].forEach(free);
    hPrev = backend.makeOutput([B, H], 'float32');
    hiddenState(tape, t, heap(backend, hPrev));
  }
  if (hPrev) free(hPrev);
  return tape;
}

/** z = zx_t + h·Wh of hour t, split into the sigmoid gates' columns [B, 3H] and the candidate's [B, H]. */
function addPreActivations(
  { T, H, B }: LstmTape,
  t: number,
  zx: Float32Array,
  recurrent: Float32Array | undefined,
  pre: Float32Array,
  preG: Float32Array,
): void {
  for (let b = 0; b < B; b++) {
    const row = (b * T + t) * 4 * H;
    for (let r = 0; r < 4 * H; r++) {
      const z = zx[row + r] + (recurrent ? recurrent[b * 4 * H + r] : 0);
      if (r < 3 * H) pre[b * 3 * H + r] = z;
      else preG[b * H + r - 3 * H] = z;
    }
  }
}

/** c_t = f⊙c_{t−1} + i⊙g (c_0 = 0), into `out` and the tape. */
function cellState(tape: LstmTape, t: number, out: Float32Array): void {
  const { H, B, gates, g, c } = tape;
  const n = H * B;
  const f = Math.fround;
  for (let b = 0; b < B; b++) {
    const row = t * 3 * n + b * 3 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const previous = t > 0 ? c[(t - 1) * n + k] : 0;
      const value = f(f(gates[row + H + j] * previous) + f(gates[row + j] * g[t * n + k]));
      out[k] = value;
      c[t * n + k] = value;
    }
  }
}

/** h_t = o⊙tanh(c_t), into `out` and the tape. */
function hiddenState(tape: LstmTape, t: number, out: Float32Array): void {
  const { H, B, gates, tanhC, h } = tape;
  const n = H * B;
  for (let b = 0; b < B; b++) {
    const row = t * 3 * n + b * 3 * H + 2 * H;
    for (let j = 0; j < H; j++) {
      const k = b * H + j;
      const value = Math.fround(gates[row + j] * tanhC[t * n + k]);
      out[k] = value;
      h[t * n + k] = value;
    }
  }
}
