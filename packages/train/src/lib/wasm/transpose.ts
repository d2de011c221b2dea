import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel, restoreWasmKernel, type WasmKernelArgs } from './kernel-override.js';

/**
 * The WASM backend of tfjs 4.22 transposes a matrix element by element, writing the output with a
 * stride of R floats. When R is a multiple of a large power of two — 3072 = 24 hours × 128 stays, the
 * rows of every TCN activation — those writes fall into the same few cache sets and the kernel runs
 * several times slower than for R + 16 (docs/training.md), e.g. for [3072, 72], the input of every TCN
 * weight gradient. For such shapes this override transposes a copy with 16 extra rows, so the output stride
 * is R + 16, and copies the R-column rows out of it. It moves the same floats, so results are
 * bit-identical; every other transpose goes to the stock kernel.
 */
const EXTRA_ROWS = 16;

export function installStridedTransposeFix(): boolean {
  return overrideWasmKernel(tf.Transpose, stridedTranspose);
}

export function uninstallStridedTransposeFix(): void {
  restoreWasmKernel(tf.Transpose);
}

/** Shapes where the stock kernel's output stride conflicts in cache (measured: R a multiple of 64, C ≥ 48). */
function conflicting(rows: number, cols: number): boolean {
  return rows % 64 === 0 && cols >= 48 && rows * cols >= 65536;
}

function stridedTranspose(args: WasmKernelArgs, original: tf.KernelConfig): tf.TensorInfo | tf.TensorInfo[] {
  const x = args.inputs.x as tf.TensorInfo;
  const perm = (args.attrs as { perm: number[] }).perm;
  // A swap of the last two axes after any number of leading size-1 axes, i.e. a matrix transpose.
  const r = x.shape.length;
  const matrix = r >= 2 && x.shape.slice(0, -2).every((d) => d === 1) && perm.every((p, i) => (i < r - 2 ? p === i : p === 2 * r - 3 - i));
  if (x.dtype !== 'float32' || !matrix) return original.kernelFunc(args);
  const [rows, cols] = x.shape.slice(-2);
  if (!conflicting(rows, cols)) return original.kernelFunc(args);
  const backend = args.backend;
  const padded = backend.makeOutput([rows + EXTRA_ROWS, cols], 'float32');
  // Views are taken after each makeOutput, which may grow (and so replace) the WASM memory buffer.
  let view = backend.typedArrayFromHeap(padded) as Float32Array;
  view.set(backend.typedArrayFromHeap(x) as Float32Array);
  view.fill(0, rows * cols);
  const wide = original.kernelFunc({ ...args, inputs: { x: padded }, attrs: { perm: [1, 0] } }) as tf.TensorInfo;
  backend.disposeData(padded.dataId);
  const out = backend.makeOutput([...x.shape.slice(0, -2), cols, rows], 'float32');
  view = backend.typedArrayFromHeap(wide) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  const stride = rows + EXTRA_ROWS;
  for (let c = 0; c < cols; c++) target.set(view.subarray(c * stride, c * stride + rows), c * rows);
  backend.disposeData(wide.dataId);
  return out;
}
