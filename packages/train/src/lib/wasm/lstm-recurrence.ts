import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BugError } from '@ehr-backdoor/core';
import { lstmBackward } from './lstm-recurrence-backward.js';
import { lstmStepSimd, type LstmStepSimd } from './lstm-step-simd.js';
import { giveBackTape, takeTape, type LstmTape } from './lstm-tape.js';
import { wasmHeap, wasmHostBackend } from './host-heap.js';
import { runKernel } from './run-kernel.js';
import { transposedMatMulKernel, type TransposedMatMulKernel } from './gemm-simd.js';

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
 * the backend's own Sigmoid kernel (called directly, so the activations are the same bits), tanh in
 * WebAssembly SIMD with the bits of the backend's scalar Tanh kernel (tanh-simd.ts), and the
 * element-wise arithmetic in WebAssembly SIMD over the WASM heap (lstm-step-simd.ts), each
 * product and sum rounded to float32 as the kernels round it. The backward pass (lstm-recurrence-backward.ts) forms the
 * gradients autodiff forms, in autodiff's order, so values and gradients are bit-identical to the
 * tensor-op recurrence (lstm-recurrence.spec.ts).
 *
 * Batch-major, every matMul has a weight matrix as its right operand (h·Wh forward, dz·Whᵀ backward;
 * XNNPACK packed it once per pass, gemm-simd.ts reads it in place), and no transposes of
 * zx or its gradient are needed. Each product still adds the same terms in the same order (over the
 * hidden or gate index, ascending), only with the operands' roles swapped.
 *
 * Forward state (gates, c, tanh(c), h of every hour) is kept in a tape on the WASM heap for the
 * backward pass (lstm-tape.ts); where no gradient is being recorded (evaluation) the tape goes back as
 * soon as h_T is read. Without WebAssembly SIMD the model takes the tensor-op recurrence.
 */
export function lstmRecurrenceAvailable(): boolean {
  const backend = wasmHostBackend();
  return backend !== undefined && lstmStepSimd(backend) !== undefined && transposedMatMulKernel(backend) !== undefined;
}

export function lstmRecurrence(zx: tf.Tensor3D, wh: tf.Tensor2D): tf.Tensor2D {
  const { backend, simd, transposedMatMul } = kernelsFor();
  // No gradient recorded (evaluation): no backward pass will give the tape back, so the forward pass does.
  if (!tf.engine().isTapeOn()) {
    const tape = lstmForward(backend, simd, zx, wh);
    const value = lastHidden(backend, tape);
    giveBackTape(tape);
    return value;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [zxIn, whIn] = args as [tf.Tensor3D, tf.Tensor2D];
    const tape = lstmForward(backend, simd, zxIn, whIn);
    return {
      value: lastHidden(backend, tape),
      gradFunc: (dy: tf.Tensor) => {
        const grads = lstmBackward(backend, simd, transposedMatMul, tape, whIn, dy as tf.Tensor2D);
        giveBackTape(tape);
        return grads;
      },
    };
  });
  return op(zx, wh) as tf.Tensor2D;
}

function kernelsFor(): { backend: BackendWasm; simd: LstmStepSimd; transposedMatMul: TransposedMatMulKernel } {
  const backend = wasmHostBackend();
  const simd = backend && lstmStepSimd(backend);
  const transposedMatMul = backend && transposedMatMulKernel(backend);
  if (!backend || !simd || !transposedMatMul)
    throw new BugError('lstmRecurrence needs the WASM backend of tfjs 4.22 and WebAssembly SIMD (lstmRecurrenceAvailable)');
  return { backend, simd, transposedMatMul };
}

/** h_T [B, H], copied out of the tape's last hour. */
function lastHidden(backend: BackendWasm, { h, T, H, B }: LstmTape): tf.Tensor2D {
  const n = H * B;
  const last = h / 4 + (T - 1) * n;
  return tf.tensor2d(wasmHeap(backend).HEAPF32.slice(last, last + n), [B, H]);
}

/** Runs the hours; returns what the backward pass needs. Temporaries on the heap are freed as it goes. */
function lstmForward(backend: BackendWasm, simd: LstmStepSimd, zx: tf.Tensor3D, wh: tf.Tensor2D): LstmTape {
  const [B, T, H4] = zx.shape;
  const H = H4 / 4;
  const tape = takeTape(backend, T, H, B);
  const n = H * B;
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  // Offsets are read after the allocations before them, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  let hPrev: tf.TensorInfo | undefined;
  for (let t = 0; t < T; t++) {
    // h_0 = 0: the tensor-op form multiplies by zeros, which gives +0, and adds it.
    const recurrent = hPrev && runKernel(backend, tf.BatchMatMul, { a: hPrev, b: wh }, { transposeA: false, transposeB: false });
    const pre = backend.makeOutput([B, 3 * H], 'float32');
    const preG = backend.makeOutput([B, H], 'float32');
    simd.preActivations(tape, t, offset(zx), recurrent && offset(recurrent), offset(pre), offset(preG));
    for (const x of [recurrent, hPrev]) if (x) free(x);
    const sig = runKernel(backend, tf.Sigmoid, { x: pre });
    // tanh in place: the candidate's pre-activation is not read again, nor c once cell() has put it in the tape.
    simd.tanh(n, offset(preG), offset(preG));
    const c = backend.makeOutput([B, H], 'float32');
    simd.cell(tape, t, offset(sig), offset(preG), offset(c));
    [pre, preG, sig].forEach(free);
    simd.tanh(n, offset(c), offset(c));
    hPrev = backend.makeOutput([B, H], 'float32');
    simd.hidden(tape, t, offset(c), offset(hPrev));
    free(c);
  }
  if (hPrev) free(hPrev);
  return tape;
}
