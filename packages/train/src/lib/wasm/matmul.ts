import * as tf from '@tensorflow/tfjs-core';
import { batchedMatMulSimd } from './batched-matmul-simd.js';
import { overrideWasmKernel, restoreWasmKernel, type WasmKernelArgs } from './kernel-override.js';

/**
 * On the WASM backend of tfjs 4.22 a matMul with transposeA or transposeB runs an order of magnitude
 * slower than untransposed (XNNPACK only has a fast path for plain row-major operands), and every
 * backward pass of a dense layer asks for one. Transposing the operand with the Transpose kernel first
 * and calling the original kernel untransposed is bit-identical (the same products are summed in the
 * same order; only the memory layout differs) and much faster (figures in docs/training.md).
 *
 * The override wraps `BatchMatMul` and `_FusedMatMul` for 'wasm' only and leaves every other backend alone.
 * A `BatchMatMul` whose operands both carry the batch then runs on the SIMD kernel of
 * batched-matmul-simd.ts instead of the stock scalar fallback (also bit-identical).
 */
const KERNELS = [tf.BatchMatMul, tf._FusedMatMul] as const;
type TensorInfo = tf.TensorInfo;

/** Installs the override (idempotent). Returns true when it is active. */
export function installMatMulTransposeFix(): boolean {
  const transpose = tf.getKernel(tf.Transpose, 'wasm');
  if (!transpose) return false;
  return KERNELS.every((name) => overrideWasmKernel(name, (args, original) => untransposedCall(original, transpose, args)));
}

/** Restores the stock kernels (used by the bit-identity test). */
export function uninstallMatMulTransposeFix(): void {
  KERNELS.forEach(restoreWasmKernel);
}

function untransposedCall(original: tf.KernelConfig, transpose: tf.KernelConfig, args: WasmKernelArgs): TensorInfo | TensorInfo[] {
  const attrs = args.attrs as { transposeA: boolean; transposeB: boolean } & tf.NamedAttrMap;
  const untransposed = (call: WasmKernelArgs) =>
    (original.kernelName === tf.BatchMatMul && batchedMatMulSimd(call.inputs.a as TensorInfo, call.inputs.b as TensorInfo, call.backend)) ||
    original.kernelFunc(call);
  if (!attrs.transposeA && !attrs.transposeB) return untransposed(args);
  const inputs = { ...args.inputs } as Record<string, TensorInfo>;
  const temporaries: TensorInfo[] = [];
  const swapLast = (x: TensorInfo): TensorInfo => {
    const perm = x.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    const out = transpose.kernelFunc({ inputs: { x }, backend: args.backend, attrs: { perm } }) as TensorInfo;
    temporaries.push(out);
    return out;
  };
  if (attrs.transposeA) inputs.a = swapLast(inputs.a);
  if (attrs.transposeB) inputs.b = swapLast(inputs.b);
  try {
    return untransposed({ ...args, inputs, attrs: { ...attrs, transposeA: false, transposeB: false } });
  } finally {
    for (const t of temporaries) args.backend.disposeData(t.dataId);
  }
}
