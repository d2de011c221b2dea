import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideWasmKernel, restoreWasmKernel, type KernelOverride, type WasmKernelArgs } from './kernel-override.js';

/**
 * On the WASM backend of tfjs 4.22, Slice — and Unpack and SplitV, which call it for each piece —
 * first copies the WHOLE input out of WASM memory (`readSync`) and then keeps a part of it. Unstacking
 * a [T, …] tensor into T hours therefore copies T times the whole tensor: quadratic in T, and the
 * single largest cost of an LSTM step in a profile. For contiguous pieces (slices along the leading
 * axis, where the LSTM and TCN cut) this override copies just the piece inside WASM memory, and a
 * column range of a matrix (the TCN's transposed taps) row by row, and a range of one axis with every
 * other axis whole (the TabTransformer's [CLS] token and the concat gradient's split) in one run per
 * index of the axes before it. It is a plain copy of the same
 * floats, so results are bit-identical; any other slice goes to the stock kernel.
 */
const OVERRIDES: Record<string, KernelOverride> = {
  [tf.Slice]: sliceKernel,
  [tf.Unpack]: unpackKernel,
  [tf.SplitV]: splitKernel,
};

export function installContiguousSliceFix(): boolean {
  return Object.entries(OVERRIDES).every(([name, kernel]) => overrideWasmKernel(name, kernel));
}

export function uninstallContiguousSliceFix(): void {
  Object.keys(OVERRIDES).forEach(restoreWasmKernel);
}

/** Copies elements [offset, offset + size of `shape`) of `x` into a new tensor, inside WASM memory. */
function copyPiece(backend: BackendWasm, x: tf.TensorInfo, offset: number, shape: number[]): tf.TensorInfo {
  const out = backend.makeOutput(shape, x.dtype);
  // Views are taken after makeOutput, which may grow (and so replace) the WASM memory buffer.
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  target.set(source.subarray(offset, offset + target.length));
  return out;
}

function contiguous(x: tf.TensorInfo): boolean {
  return x.dtype === 'float32' || x.dtype === 'int32';
}

function sliceKernel(args: WasmKernelArgs, original: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const { begin, size } = args.attrs as { begin: number[]; size: number[] };
  const [begin_, size_] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
  if (!contiguous(x)) return original.kernelFunc(args);
  if (tf.slice_util.isSliceContinous(x.shape, begin_, size_)) {
    const offset = tf.slice_util.computeFlatOffset(begin_, tf.util.computeStrides(x.shape));
    return copyPiece(args.backend, x, offset, size_);
  }
  // Row runs long enough that one copy per row beats the stock kernel's copy of the whole input.
  if (x.shape.length === 2 && size_[1] >= MIN_ROW_RUN) return copyRows(args.backend, x, begin_, size_);
  const cut = x.shape.findIndex((d, i) => size_[i] !== d);
  if (x.shape.every((d, i) => i === cut || size_[i] === d)) return copyAlongAxis(args.backend, x, cut, begin_[cut], size_[cut]);
  return original.kernelFunc(args);
}

const MIN_ROW_RUN = 64;

/** Columns [begin[1], begin[1] + size[1]) of rows [begin[0], begin[0] + size[0]) of a matrix. */
function copyRows(backend: BackendWasm, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype);
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const width = x.shape[1];
  for (let r = 0; r < size[0]; r++) {
    const from = (begin[0] + r) * width + begin[1];
    target.set(source.subarray(from, from + size[1]), r * size[1]);
  }
  return out;
}

function unpackKernel(args: WasmKernelArgs, original: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.value as tf.TensorInfo;
  const axis = (args.attrs as { axis: number }).axis;
  if (!contiguous(x) || (axis !== 0 && axis !== -x.shape.length)) return original.kernelFunc(args);
  const shape = x.shape.slice(1);
  const step = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: x.shape[0] }, (_, i) => copyPiece(args.backend, x, i * step, shape));
}

function splitKernel(args: WasmKernelArgs, original: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0];
  if (!contiguous(x)) return original.kernelFunc(args);
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  let begin = 0;
  return sizes.map((s) => {
    const out = copyAlongAxis(args.backend, x, $axis, begin, s);
    begin += s;
    return out;
  });
}

/**
 * Indices [begin, begin + size) of `axis`, every other axis whole: one contiguous run per index of the
 * axes before it (a single copy when they all have size 1; the concat gradient's split of the
 * TabTransformer's tokens along axis 1 is one run per stay).
 */
function copyAlongAxis(backend: BackendWasm, x: tf.TensorInfo, axis: number, begin: number, size: number): tf.TensorInfo {
  const shape = x.shape.slice();
  shape[axis] = size;
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  if (outer === 1) return copyPiece(backend, x, begin * inner, shape);
  const out = backend.makeOutput(shape, x.dtype);
  const source = backend.typedArrayFromHeap(x);
  const target = backend.typedArrayFromHeap(out);
  const [run, stride] = [size * inner, x.shape[axis] * inner];
  for (let o = 0; o < outer; o++) target.set(source.subarray(o * stride + begin * inner, o * stride + begin * inner + run), o * run);
  return out;
}
