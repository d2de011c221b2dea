import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BugError } from '@ehr-backdoor/core';
import { wasmHeap, wasmHostBackend } from './host-heap.js';
import { layerNormSimd, type LayerNormSimd } from './layer-norm-simd.js';
import { opEngine, runKernel } from './run-kernel.js';

/**
 * A layer norm over the last axis, (x − mean)·rsqrt(var + 1e-5)·γ + β, as one op with its backward pass
 * written out, for the WASM backend of the tfjs version the kernel fixes were measured on
 * (wasmHostBackend). As tensor ops it is 10 kernels forward and ≈ 30 backward, each dispatched through
 * tfjs's engine and tape in JavaScript, 5 per TabTransformer step (docs/results.md); here it is two
 * passes of WebAssembly SIMD and the backend's own Rsqrt forward, one Pow and one pass backward
 * (layer-norm-simd.ts), with every float32 operation of the tensor-op form in its order, so values and
 * gradients are bit-identical to it (layer-norm.spec.ts).
 *
 * The order of the gradient of x depends on x's other use: the tape adds the gradient from x's later
 * use (a residual add) before the layer norm's own three. So with `residual`, the op also returns x
 * itself as a second output (the same buffer, one more reference) for that later use to take, and adds
 * the gradient it receives there in the tape's order. Without, x must have no other use.
 */
export function layerNormAvailable(): boolean {
  const backend = wasmHostBackend();
  return backend !== undefined && layerNormSimd(backend) !== undefined;
}

export function layerNormFused<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, residual: true): [T, T];
export function layerNormFused<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, residual: false): T;
export function layerNormFused<T extends tf.Tensor>(x: T, gamma: tf.Tensor1D, beta: tf.Tensor1D, residual: boolean): T | [T, T] {
  const backend = wasmHostBackend();
  const simd = backend && layerNormSimd(backend);
  if (!backend || !simd) throw new BugError('layerNormFused needs the WASM backend of tfjs 4.22 and WebAssembly SIMD (layerNormAvailable)');
  const cols = x.shape[x.rank - 1];
  const rows = x.size / cols;
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const wrap = (info: tf.TensorInfo) => tf.engine().makeTensorFromTensorInfo(info);
  const inputs = { x, gamma, beta };
  return opEngine().runKernelFunc({
    inputs,
    forwardFunc: (_: unknown, save: tf.GradSaveFunc) => {
      const d = backend.makeOutput(x.shape, 'float32');
      const ve = backend.makeOutput([rows], 'float32');
      simd.statistics(rows, cols, offset(x), offset(d), offset(ve));
      const r = runKernel(backend, tf.Rsqrt, { x: ve });
      const y = backend.makeOutput(x.shape, 'float32');
      simd.normalise(rows, cols, offset(d), offset(r), offset(gamma), offset(beta), offset(y));
      save([...[d, ve, r].map(wrap), gamma]);
      return residual ? [wrap(y), wrap(runKernel(backend, tf.Identity, { x }))] : wrap(y);
    },
    backwardsFunc: (dys: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [dy, g] = Array.isArray(dys) ? dys : [dys];
      const [dx, dgamma, dbeta] = layerNormBackward(backend, simd, rows, cols, dy, g, saved).map(wrap);
      return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
    },
  }) as T | [T, T];
}

function layerNormBackward(
  backend: BackendWasm,
  simd: LayerNormSimd,
  rows: number,
  cols: number,
  dy: tf.Tensor,
  g: tf.Tensor | undefined,
  [d, ve, r, gamma]: tf.Tensor[],
): tf.TensorInfo[] {
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  // tf.pow(ve, 1.5) as the Rsqrt gradient calls it: the exponent a float32 scalar.
  const exponent = backend.makeOutput([], 'float32');
  wasmHeap(backend).HEAPF32[offset(exponent) / 4] = 1.5;
  const pw = runKernel(backend, tf.Pow, { a: ve, b: exponent });
  backend.disposeData(exponent.dataId);
  const dx = backend.makeOutput(d.shape, 'float32');
  const [dgamma, dbeta] = [0, 1].map(() => backend.makeOutput([cols], 'float32'));
  for (const t of [dgamma, dbeta]) (backend.typedArrayFromHeap(t) as Float32Array).fill(0);
  simd.gradient(rows, cols, {
    dy: offset(dy),
    g: g && offset(g),
    d: offset(d),
    r: offset(r),
    pw: offset(pw),
    gamma: offset(gamma),
    dgamma: offset(dgamma),
    dbeta: offset(dbeta),
    dx: offset(dx),
  });
  backend.disposeData(pw.dataId);
  return [dx, dgamma, dbeta];
}
