import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '@ehr-backdoor/core';
import { wasmHostBackend } from './host-heap.js';
import { rowwiseFunction } from './rowwise-simd.js';
import { addr4, type AssembledFunction, assembleModule, forLoop, get, i32, I32, instanceCache, op, set, V, V128 } from './wasm-assembly.js';

/**
 * Inverted dropout on the WASM backend of the tfjs version the kernel fixes were measured on
 * (wasmHostBackend): the mask's words are drawn straight into the mask tensor's memory, turned into
 * `keep` or +0 there, and x · mask is one pass of WebAssembly SIMD; the backward pass dy · mask is the
 * same pass. The tensor-op form (models/network.ts) draws the words into a JavaScript array, builds the
 * mask in a JavaScript loop, copies it into the heap and calls the Mul kernel: at 160 000 elements a
 * call (a TabTransformer block's residual dropout) that JavaScript was most of the time. The words are
 * the same draws of the same stream, each mask element the same float32, and each product the same
 * float32 multiplication as the Mul kernel's and as its gradient's (dy · mask; the mask, a constant,
 * gets none), so values and gradients are bit-identical (dropout.spec.ts).
 *
 * `shape` is the mask's: x's own, or x's with leading axes of 1 (the TCN's channel dropout [1, B, C]
 * over [T, B, C]), which repeats the mask over the leading axes as broadcasting does. Other shapes give
 * undefined and the caller takes the tensor-op form.
 */
export function dropoutAvailable(): boolean {
  const backend = wasmHostBackend();
  return backend !== undefined && kernelsFor(backend) !== undefined;
}

export function dropoutFused(x: tf.Tensor, rate: number, shape: readonly number[], rng: Random): tf.Tensor | undefined {
  const backend = wasmHostBackend();
  const kernels = backend && kernelsFor(backend);
  const period = shape.reduce((a, b) => a * b, 1);
  if (!backend || !kernels || period === 0 || x.dtype !== 'float32' || !repeatsOverLeadingAxes(x.shape, shape)) return undefined;
  const threshold = Math.floor(rate * 2 ** 32);
  const keepBits = new Int32Array(Float32Array.of(1 / (1 - rate)).buffer)[0];
  const offset = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t).byteOffset;
  const multiply = (a: tf.TensorInfo, mask: tf.TensorInfo): tf.Tensor => {
    const out = backend.makeOutput(a.shape, 'float32');
    kernels.apply(tf.util.sizeFromShape(a.shape) / period, period, offset(a), period, offset(mask), 0, offset(out), period);
    return tf.engine().makeTensorFromTensorInfo(out);
  };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xIn, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const mask = backend.makeOutput([...shape], 'float32');
    const view = backend.typedArrayFromHeap(mask);
    // No allocation between taking the view and filling it, so the memory cannot grow under it.
    rng.fillUint32(new Uint32Array(view.buffer, view.byteOffset, period));
    kernels.mask(view.byteOffset, period, threshold | 0, keepBits);
    const maskTensor = tf.engine().makeTensorFromTensorInfo(mask);
    save([maskTensor]);
    return { value: multiply(xIn, maskTensor), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => multiply(dy, saved) };
  });
  return op(x);
}

/** Whether a mask of `shape` broadcast over x's shape repeats whole over x's leading axes. */
function repeatsOverLeadingAxes(xShape: readonly number[], shape: readonly number[]): boolean {
  if (shape.length !== xShape.length) return false;
  const first = shape.findIndex((d) => d !== 1);
  return first < 0 ? xShape.every((d) => d === 1) : shape.every((d, i) => (i < first ? d === 1 : d === xShape[i]));
}

/**
 * mask(offset, n, threshold, keepBits): each uint32 word w at offset becomes the float32 whose bits are
 * keepBits when w ≥ threshold (unsigned) and +0 otherwise, in place; 4 words a vector, then the tail.
 */
function maskFunction(): AssembledFunction {
  const [OFFSET, N, THRESHOLD, KEEP, I, END, VTHRESHOLD, VKEEP] = [0, 1, 2, 3, 4, 5, 6, 7];
  const at = () => addr4(get(OFFSET), get(I));
  const i32x4Splat = [0xfd, 0x11];
  const i32x4GeU = [0xfd, 0x40];
  const v128And = [0xfd, 0x4e];
  const [i32Load, i32Store, i32GeU] = [[0x28, 2, 0], [0x36, 2, 0], [0x4f]];
  return {
    name: 'mask',
    params: 4,
    locals: [
      [2, I32],
      [2, V128],
    ],
    code: [
      ...get(THRESHOLD),
      ...i32x4Splat,
      ...set(VTHRESHOLD),
      ...get(KEEP),
      ...i32x4Splat,
      ...set(VKEEP),
      ...get(N),
      ...i32(-4),
      op.i32And,
      ...set(END),
      ...forLoop(I, i32(0), get(END), i32(4), [
        ...at(),
        ...at(),
        ...V.load(),
        ...get(VTHRESHOLD),
        ...i32x4GeU,
        ...get(VKEEP),
        ...v128And,
        ...V.store(),
      ]),
      ...forLoop(I, get(END), get(N), i32(1), [
        ...at(),
        ...get(KEEP),
        ...i32(0),
        ...at(),
        ...i32Load,
        ...get(THRESHOLD),
        ...i32GeU,
        op.select,
        ...i32Store,
      ]),
      op.end,
    ],
  };
}

const apply = rowwiseFunction('apply', ['x', 'mask', 'y'], (b) => b.columns(() => b.store('y', b.mul(b.load('x'), b.load('mask')))));

const kernelsFor = instanceCache(
  () => assembleModule([maskFunction(), apply]),
  (exports) => ({
    mask: exports['mask'] as (offset: number, n: number, threshold: number, keepBits: number) => void,
    apply: exports['apply'] as (...args: number[]) => void,
  }),
);
