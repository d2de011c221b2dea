import * as tf from '@tensorflow/tfjs-core';
import { BugError } from '@ehr-backdoor/core';
import { wasmHostBackend } from './host-heap.js';
import { rowwiseFunction } from './rowwise-simd.js';
import { assembleModule, instanceCache } from './wasm-assembly.js';

/**
 * tf.softmax over the last axis with its backward pass written out, for the WASM backend of the tfjs
 * version the kernel fixes were measured on (wasmHostBackend). The forward pass is the backend's Softmax
 * kernel. Autodiff forms the gradient as dy·y − Σ(dy·y)·y in four kernels over the whole tensor (Mul,
 * Sum over the last axis, Mul, Sub; [512, 39, 39] twice per TabTransformer step); here it is one pass
 * of WebAssembly SIMD per row (rowwise-simd.ts) with the same float32 operations: the sum from +0 over
 * the columns in ascending order, as the Sum kernel adds, so the gradient is bit-identical
 * (softmax.spec.ts).
 */
export function softmaxAvailable(): boolean {
  const backend = wasmHostBackend();
  return backend !== undefined && kernelFor(backend) !== undefined;
}

export function softmaxFused<T extends tf.Tensor>(logits: T): T {
  const backend = wasmHostBackend();
  const kernel = backend && kernelFor(backend);
  if (!backend || !kernel) throw new BugError('softmaxFused needs the WASM backend of tfjs 4.22 and WebAssembly SIMD (softmaxAvailable)');
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.softmax(x);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [ys]: tf.Tensor[]) => {
        const cols = ys.shape[ys.rank - 1];
        const dx = backend.makeOutput(ys.shape, 'float32');
        kernel(ys.size / cols, cols, offset(dy), cols, offset(ys), cols, offset(dx), cols);
        return tf.engine().makeTensorFromTensorInfo(dx);
      },
    };
  });
  return op(logits) as T;
}

const gradient = rowwiseFunction('softmaxGradient', ['dy', 'y', 'dx'], (x) => {
  const sum = x.scalar(x.constant(0));
  x.columns(() => x.accumulate(sum, x.mul(x.load('dy'), x.load('y'))));
  x.columns(() => x.store('dx', x.sub(x.mul(x.load('dy'), x.load('y')), x.mul(sum, x.load('y')))));
});

const kernelFor = instanceCache(
  () => assembleModule([gradient]),
  (exports) => exports['softmaxGradient'] as (...args: number[]) => void,
);
