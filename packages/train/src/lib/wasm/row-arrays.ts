import { get, i32, op, set } from './wasm-assembly.js';

/**
 * The parameters shared by the generated row-by-row functions (elementwise-simd.ts, rowwise-simd.ts):
 * rows, cols, then (offset, stride) per array, offsets and strides in floats of the backend's heap.
 */
export const ROWS = 0;
export const COLS = 1;
export const pointer = (array: number): number => 2 + 2 * array;
export const stride = (array: number): number => 3 + 2 * array;
export const rowArrayParams = (arrays: number): number => 2 + 2 * arrays;

/** Moves every array's offset on by its stride (in floats, so × 4 bytes) at the end of a row. */
export function nextRowPointers(arrays: number): number[] {
  return Array.from({ length: arrays }, (_, a) => [
    ...get(pointer(a)),
    ...get(stride(a)),
    ...i32(2),
    op.i32Shl,
    op.i32Add,
    ...set(pointer(a)),
  ]).flat();
}
