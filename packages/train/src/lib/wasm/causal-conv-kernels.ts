import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmHostBackend } from './host-heap.js';
import { shiftedSum, type ShiftedSum } from './shifted-sum.js';
import { transposedMatMulKernel, type TransposedMatMulKernel } from './gemm-simd.js';

/** What the fused causal convolution (causal-conv-fused.ts and its backward pass) runs on. */
export interface CausalConvKernels {
  readonly backend: BackendWasm;
  readonly atb: TransposedMatMulKernel;
  readonly sum: (zeros: number) => ShiftedSum;
}

/** The kernels on the active backend; undefined off the WASM backend of tfjs 4.22 or without WebAssembly SIMD. */
export function causalConvKernels(): CausalConvKernels | undefined {
  const backend = wasmHostBackend();
  const atb = backend && transposedMatMulKernel(backend);
  const sum = backend && shiftedSum(backend);
  return backend && atb && sum ? { backend, atb, sum } : undefined;
}
