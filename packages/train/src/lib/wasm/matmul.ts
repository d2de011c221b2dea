import * as tf from '@tensorflow/tfjs-core';
import { batchedMatMulSimd } from './batched-matmul-simd.js';
import { overrideWasmKernel, restoreWasmKernel, type WasmKernelArgs } from './kernel-override.js';
import { plainMatMulSimd, transposedMatMulSimd, type TransposedProduct } from './gemm-simd.js';

/**
 * On the WASM backend of tfjs 4.22 a matMul with transposeA or transposeB runs an order of magnitude
 * slower than untransposed (XNNPACK only has a fast path for plain row-major operands), and every
 * backward pass of a dense layer asks for one. Transposing the operand with the Transpose kernel first
 * and calling the original kernel untransposed is much faster (figures in docs/training.md). It is
 * bit-identical only while K ≤ 96: the stock transposed path adds in blocks of 48, XNNPACK in one
 * ascending sum, so longer products differ in their last bits (matmul.spec.ts pins both). Every result
 * of this project is computed with the override.
 *
 * The override wraps `BatchMatMul` and `_FusedMatMul` for 'wasm' only and leaves every other backend alone.
 * A `BatchMatMul` whose operands both carry the batch then runs on the SIMD kernel of
 * batched-matmul-simd.ts instead of the stock scalar fallback (also bit-identical; with transposeA it reads
 * A in place rather than after a transpose, in the same order of additions), and an unbatched
 * Aᵀ · B (a dense layer's weight gradient) or row vector · B (its bias gradient) on the kernel of
 * gemm-simd.ts, which adds the products as XNNPACK does without copying either operand. Every other
 * unbatched product, A · B and the fused A · B + bias with a linear or relu activation (transposed
 * operands after their Transpose, for both kernels), runs on gemm-simd.ts's plain kernel, with XNNPACK's
 * sums and clamp, instead of XNNPACK itself.
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
  const untransposed = (call: WasmKernelArgs) => simdProduct(original, call) || original.kernelFunc(call);
  const direct = original.kernelName === tf.BatchMatMul && asTransposedA(args.inputs.a as TensorInfo, args.inputs.b as TensorInfo, attrs);
  const product = direct && transposedMatMulSimd(direct, args.backend);
  if (product) return product;
  if (!attrs.transposeA && !attrs.transposeB) return untransposed(args);
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const inPlace =
    original.kernelName === tf.BatchMatMul && attrs.transposeA && !attrs.transposeB && batchedMatMulSimd(a, b, args.backend, true);
  if (inPlace) return inPlace;
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

/**
 * The product as Aᵀ · B with A [K, M] and B [K, N], when it is one: unbatched (rank 2, or rank 3 with a
 * batch of 1) with transposeA, or unbatched and untransposed with a single row (a [1, K] is laid out as
 * A [K, 1]).
 */
export function asTransposedA(
  a: TensorInfo,
  b: TensorInfo,
  attrs: { transposeA: boolean; transposeB: boolean },
): TransposedProduct | undefined {
  const outer = a.shape.slice(0, -2);
  const unbatched = a.shape.length === b.shape.length && a.shape.length <= 3 && outer.every((d, i) => d === 1 && b.shape[i] === 1);
  if (attrs.transposeB || a.shape.length < 2 || !unbatched) return undefined;
  const [rows, columns] = a.shape.slice(-2);
  const [inner, n] = b.shape.slice(-2);
  if (attrs.transposeA) return inner === rows ? { a, b, k: rows, m: columns, n, outShape: [...outer, columns, n] } : undefined;
  return rows === 1 && inner === columns ? { a, b, k: columns, m: 1, n, outShape: [...outer, 1, n] } : undefined;
}

/**
 * An untransposed product on our SIMD kernels, or undefined for the original kernel: a `BatchMatMul` with
 * the batch on both operands on batched-matmul-simd.ts, an unbatched one on gemm-simd.ts, and an unbatched
 * `_FusedMatMul` with a linear or relu activation there too (A · B + bias).
 */
function simdProduct(original: tf.KernelConfig, { inputs, attrs, backend }: WasmKernelArgs): TensorInfo | undefined {
  const [a, b] = [inputs.a as TensorInfo, inputs.b as TensorInfo];
  if (original.kernelName === tf.BatchMatMul) return batchedMatMulSimd(a, b, backend) || plainMatMulSimd(a, b, backend);
  const { activation } = attrs as { activation: string };
  if (inputs.preluActivationWeights || (activation !== 'linear' && activation !== 'relu')) return undefined;
  return plainMatMulSimd(a, b, backend, inputs.bias as TensorInfo | undefined, activation);
}
