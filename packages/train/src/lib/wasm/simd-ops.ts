import { attentionAvailable } from './attention.js';
import { simdAvailable } from './batched-matmul-simd.js';
import { causalConvFusedAvailable } from './causal-conv-fused.js';
import { dropoutAvailable } from './dropout.js';
import { transposedMatMulKernel } from './gemm-simd.js';
import { wasmHostBackend } from './host-heap.js';
import { layerNormAvailable } from './layer-norm.js';
import { lstmRecurrenceAvailable } from './lstm-recurrence.js';
import { softmaxAvailable } from './softmax.js';
import { tokenEmbeddingAvailable } from './token-embedding.js';

/**
 * Which of this package's WebAssembly SIMD ops run on the active WASM backend. Each assembles its module,
 * which the runtime must validate (WebAssembly SIMD) and instantiate on the backend's memory; where one
 * cannot, its callers keep tfjs's own ops. The results are the same bits either way (each op is tested
 * against the ops it replaces) and only the speed differs, so runs do not record these; `ehr-backdoor
 * doctor` shows them, so that a machine where one is off is seen rather than only slow. The GEMM and the
 * batched matMul are reached through the matMul override, which the backend report lists as a kernel fix.
 */
export interface WasmSimdOps {
  /** wasm/gemm-simd.ts: every unbatched product (A·B, Aᵀ·B, A·B + bias with linear or relu). */
  readonly gemm: boolean;
  /** wasm/batched-matmul-simd.ts: products whose operands both carry the batch. */
  readonly batchedMatMul: boolean;
  readonly lstmRecurrence: boolean;
  readonly causalConvolution: boolean;
  readonly dropout: boolean;
  readonly layerNorm: boolean;
  readonly softmaxGradient: boolean;
  readonly tokenEmbedding: boolean;
  readonly attention: boolean;
}

/** The ops' availability on the active backend; undefined off the WASM backend of tfjs 4.22 (none can run). */
export function wasmSimdOps(): WasmSimdOps | undefined {
  const backend = wasmHostBackend();
  if (!backend) return undefined;
  return {
    gemm: transposedMatMulKernel(backend) !== undefined,
    batchedMatMul: simdAvailable(),
    lstmRecurrence: lstmRecurrenceAvailable(),
    causalConvolution: causalConvFusedAvailable(),
    dropout: dropoutAvailable(),
    layerNorm: layerNormAvailable(),
    softmaxGradient: softmaxAvailable(),
    tokenEmbedding: tokenEmbeddingAvailable(),
    // Any batch and head count above one sample with one head (attention.ts leaves that case to tensor ops).
    attention: attentionAvailable(2, 1),
  };
}
