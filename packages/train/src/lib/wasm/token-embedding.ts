import * as tf from '@tensorflow/tfjs-core';
import { BugError } from '@ehr-backdoor/core';
import { wasmHostBackend } from './host-heap.js';
import { elementwiseFunction } from './elementwise-simd.js';
import { rowwiseFunction } from './rowwise-simd.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/**
 * The TabTransformer's token embedding (models/tabtransformer.ts) for training on the WASM backend of
 * the tfjs version the kernel fixes were measured on (wasmHostBackend), as one op:
 *
 *   h[b, 0] = cls        h[b, 1 + g] = (Σ_{j ∈ g, ascending} x[b, j] · W[j]) + bias[g]
 *
 * The tensor-op form spreads W [F, 1, d] into a block matrix [F, G·d] (W times a 0/1 mask), multiplies
 * x [B, F] by it on XNNPACK, adds the bias and concatenates the tiled [CLS]; its backward pass is the
 * Aᵀ·B product xᵀ · dtokens [F, G·d], the mask's Mul and a Sum over the G groups, and the Sums of the
 * bias and tile gradients over the batch, after Transposes. Every feature feeds one token, so 37 in 38
 * of the two products' multiply-adds are against the mask's zeros: ≈ 55 M a step (the dense layers'
 * are ≈ 250 M), ≈ 10 % of a step's time.
 *
 * Here only the products of a feature's own token are formed, as row-wise WebAssembly SIMD passes
 * (one per feature, ascending j), and the bits stay those of the tensor-op form as long as x, W and the
 * gradient are finite:
 * - a float32 accumulator that starts at +0 (XNNPACK's GEMM, the Aᵀ·B kernel) can never hold −0, since
 *   a sum in round-to-nearest is −0 only when both terms are; so adding the ±0 products of the zeros
 *   leaves it as it was, and the products of the token's own features are added in the same order;
 * - in W's gradient, the Sum over the groups adds the one product-sum v that the mask keeps and ±0 for
 *   the others to +0, which gives v again (v is never −0, by the same argument);
 * - the bias and [CLS] gradients are column sums over the batch from +0 in ascending order, as the Sum
 *   kernel adds its rows after the Transpose.
 * A non-finite x, W or gradient (0 · ∞ is NaN) would make the tensor-op form's NaN spread further.
 * token-embedding.spec.ts compares output and gradients with the tensor-op form byte for byte.
 */
export function tokenEmbeddingAvailable(): boolean {
  const backend = wasmHostBackend();
  return backend !== undefined && kernelsFor(backend) !== undefined;
}

/**
 * [B, G + 1, d]: [CLS], then the tokens of x [B, F] with W [F, 1, d] and bias [G, d]; featureToken[j] is
 * feature j's token. Gradients reach W, bias and cls; x is data and gets none.
 */
export function tokenEmbeddingFused(
  x: tf.Tensor2D,
  weights: tf.Tensor3D,
  bias: tf.Tensor2D,
  cls: tf.Tensor3D,
  featureToken: readonly number[],
): tf.Tensor3D {
  const backend = wasmHostBackend();
  const k = backend && kernelsFor(backend);
  if (!backend || !k) throw new BugError('tokenEmbeddingFused needs the WASM backend of tfjs 4.22 and WebAssembly SIMD');
  const [B, F] = x.shape;
  const [G, d] = bias.shape;
  if (x.dtype !== 'float32') throw new BugError(`token embedding: x is ${x.dtype}`);
  const L = G + 1;
  if (featureToken.length !== F || weights.shape[0] !== F || featureToken.some((g) => g < 0 || g >= G))
    throw new BugError(`token embedding: ${F} features, ${featureToken.length} token indices, W [${weights.shape}], ${G} tokens`);
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const zeroed = (shape: number[]) => {
    const out = backend.makeOutput(shape, 'float32');
    (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    return out;
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w, b, c, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor3D, tf.GradSaveFunc];
    const h = zeroed([B, L, d]);
    // Offsets are read after the last allocation, which may grow (and so move the views of) the memory.
    const [xs, ws, hs] = [offset(x), offset(w), offset(h)];
    for (let j = 0; j < F; j++) k.axpy(B, d, hs + 4 * (1 + featureToken[j]) * d, L * d, xs + 4 * j, F, ws + 4 * j * d, 0);
    k.add(B, G * d, hs + 4 * d, L * d, offset(b), 0, hs + 4 * d, L * d);
    k.copy(B, d, offset(c), 0, hs, L * d);
    save([x]);
    return {
      value: tf.engine().makeTensorFromTensorInfo(h) as tf.Tensor3D,
      gradFunc: (dy: tf.Tensor, [xSaved]: tf.Tensor[]) => {
        const [dw, db, dc] = [zeroed([F, 1, d]), zeroed([G, d]), zeroed([1, 1, d])];
        const [xd, dys, dws] = [offset(xSaved), offset(dy), offset(dw)];
        for (let j = 0; j < F; j++) k.axpy(B, d, dws + 4 * j * d, 0, xd + 4 * j, F, dys + 4 * (1 + featureToken[j]) * d, L * d);
        k.add(B, G * d, offset(db), 0, dys + 4 * d, L * d, offset(db), 0);
        k.add(B, d, offset(dc), 0, dys, L * d, offset(dc), 0);
        return [dw, db, dc].map((t) => tf.engine().makeTensorFromTensorInfo(t));
      },
    };
  });
  return op(weights, bias, cls) as tf.Tensor3D;
}

type Fn = (...args: number[]) => void;

/** acc += x · w per column, x one value a row: a token's sum over one feature, or W's gradient with acc's stride 0. */
const axpy = rowwiseFunction('axpy', ['acc', 'x', 'w'], (r) => {
  const x = r.scalar(r.rowLoad('x'));
  r.columns(() => r.store('acc', r.add(r.load('acc'), r.mul(x, r.load('w')))));
});
const add = elementwiseFunction('add', ['a', 'b', 'out'], (e) => e.store('out', e.add(e.load('a'), e.load('b'))));
const copy = elementwiseFunction('copy', ['a', 'out'], (e) => e.store('out', e.load('a')));

const kernelsFor = instanceCache(
  () => assembleModule([axpy, add, copy]),
  (exports) => ({ axpy: exports['axpy'] as Fn, add: exports['add'] as Fn, copy: exports['copy'] as Fn }),
);
