import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { LstmStepSimd } from './lstm-step-simd.js';
import type { LstmTape } from './lstm-tape.js';
import { runKernel } from './run-kernel.js';
import type { TransposedMatMulKernel } from './gemm-simd.js';

/**
 * The gradients of zx[B, T, 4H] and wh[H, 4H] for the upstream gradient dy[B, H] of h_T, formed as
 * tfjs's autodiff forms them for the tensor-op recurrence, hour by hour from the last:
 *
 *   do = dh⊙tanh(c)   dc = dc_next + (1 − tanh²(c))⊙(dh⊙o)   di = dc⊙g   df = dc⊙c_prev   dg = dc⊙i
 *   dz = [di⊙(i⊙(1 − i)), df⊙(f⊙(1 − f)), do⊙(o⊙(1 − o)), (1 − g²)⊙dg]   (each product rounded to float32)
 *   dc_next ← dc⊙f     dh ← dz·Whᵀ     dWh += h_prevᵀ·dz (summed from the last hour to the first)
 *
 * dz·Whᵀ goes through the installed BatchMatMul kernel. h_prevᵀ·dz runs on the Aᵀ·B kernel
 * (gemm-simd.ts), which reads h_prev where the tape holds it and adds the same terms in the
 * same order as XNNPACK's GEMM on the transposed h_prev, the product this once was: without that
 * transpose, the packing of a fresh dz and an XNNPACK operator per hour. The element-wise formulas and
 * the sum over hours run in lstm-step-simd.ts. dz is written as the slice gradients' padded sum does, x + 0 (a −0
 * becomes +0).
 */
export function lstmBackward(
  backend: BackendWasm,
  simd: LstmStepSimd,
  transposedMatMul: TransposedMatMulKernel,
  tape: LstmTape,
  wh: tf.Tensor2D,
  dy: tf.Tensor2D,
): tf.Tensor[] {
  const { T, H, B } = tape;
  const n = H * B;
  const free = (t: tf.TensorInfo) => backend.disposeData(t.dataId);
  // Offsets are read after the allocations before them, which may grow (and so move the views of) the memory.
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  // Both gradients are written in place on the heap and handed to the engine as tensors, without a host copy.
  const dzx = backend.makeOutput([B, T, 4 * H], 'float32');
  const dWh = backend.makeOutput([H, 4 * H], 'float32');
  (backend.typedArrayFromHeap(dWh) as Float32Array).fill(0);
  const whT = runKernel(backend, tf.Transpose, { x: wh }, { perm: [1, 0] });
  let dh: tf.TensorInfo = dy;
  for (let t = T - 1; t >= 0; t--) {
    const dz = backend.makeOutput([B, 4 * H], 'float32');
    simd.gateGradients(tape, t, offset(dh), offset(dz), offset(dzx));
    if (dh !== dy) free(dh);
    if (t > 0) {
      const part = backend.makeOutput([H, 4 * H], 'float32');
      transposedMatMul(tape.h + (t - 1) * n * 4, offset(dz), offset(part), H, B, 4 * H);
      simd.accumulate(offset(dWh), offset(part), H * 4 * H);
      dh = runKernel(backend, tf.BatchMatMul, { a: dz, b: whT }, { transposeA: false, transposeB: false });
      free(part);
    }
    free(dz);
  }
  free(whT);
  // h_0 = 0 adds a zero part to dWh, which changes nothing: a matMul's sum never ends at −0.
  return [tf.engine().makeTensorFromTensorInfo(dzx), tf.engine().makeTensorFromTensorInfo(dWh)];
}
