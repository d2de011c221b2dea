import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { overrideWasmKernel, restoreWasmKernel, type KernelOverride, type WasmKernelArgs } from './kernel-override.js';

/**
 * On the WASM backend of tfjs 4.22, Slice — and Unpack and SplitV, which call it for each piece —
 * first copies the WHOLE input out of WASM memory (`readSync`) and then keeps a part of it. Unstacking
 * a [T, …] tensor into T hours therefore copies T times the whole tensor: quadratic in T, and the
 * single largest cost of an LSTM step in a profile. For contiguous pieces (slices along the leading
 * axis, where the LSTM and TCN cut) this override copies just the piece inside WASM memory, and a
 * column range of a matrix (the TCN's transposed taps) row by row. It is a plain copy of the same
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
  // Pieces are contiguous when every axis before the split axis has size 1.
  if (!contiguous(x) || x.shape.slice(0, $axis).some((d) => d !== 1)) return original.kernelFunc(args);
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, numOrSizeSplits, $axis);
  const inner = x.shape.slice($axis + 1).reduce((a, b) => a * b, 1);
  let offset = 0;
  return sizes.map((s) => {
    const shape = x.shape.slice();
    shape[$axis] = s;
    const out = copyPiece(args.backend, x, offset, shape);
    offset += s * inner;
    return out;
  });
}
