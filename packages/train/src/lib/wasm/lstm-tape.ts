import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmHeap, type WasmHeap } from './host-heap.js';

/**
 * What the forward pass of lstm-recurrence.ts keeps of every hour for the backward pass, in the WASM
 * backend's memory, where the element-wise kernels of lstm-step-simd.ts read and write it. Fields other
 * than the sizes are byte offsets in that memory; per hour t the arrays are batch-major at offset t.
 */
export interface LstmTape {
  readonly T: number;
  readonly H: number;
  readonly B: number;
  /** σ of the i, f, o columns: [T, B, 3H]. */
  readonly gates: number;
  /** tanh of the candidate columns: [T, B, H]; c, tanh(c) and h likewise. */
  readonly g: number;
  readonly c: number;
  readonly tanhC: number;
  readonly h: number;
  /** 4H zeros: the recurrent product and the cell state before the first hour. */
  readonly zeros: number;
  /** The backward pass's dc of the hour after the current one: [B, H]. */
  readonly dcNext: number;
  /** The heap block holding all of the above, and the module it was allocated from. */
  readonly block: number;
  readonly wasm: WasmHeap;
}

/**
 * The tape of the last finished backward pass, reused by the next forward pass of the same shape: a
 * tape is ≈ 5 MB a batch at the default sizes, and allocating one per step showed up as garbage
 * collection. A tape is taken by a forward pass and put back only once its backward pass is done.
 */
let spare: LstmTape | undefined;
// A forward pass whose backward pass never runs drops its tape: its block is freed when the tape is collected.
const orphans = new FinalizationRegistry<{ wasm: WasmHeap; block: number }>(({ wasm, block }) => wasm._free(block));

export function takeTape(backend: BackendWasm, T: number, H: number, B: number): LstmTape {
  const reused = spare;
  spare = undefined;
  if (reused && reused.T === T && reused.H === H && reused.B === B && reused.wasm === wasmHeap(backend)) return reused;
  if (reused) freeTape(reused);
  const n = H * B;
  const wasm = wasmHeap(backend);
  const block = wasm._malloc(4 * (7 * T * n + 4 * H + n));
  const at = (floats: number) => block + 4 * floats;
  const tape = {
    T,
    H,
    B,
    gates: at(0),
    g: at(3 * T * n),
    c: at(4 * T * n),
    tanhC: at(5 * T * n),
    h: at(6 * T * n),
    zeros: at(7 * T * n),
    dcNext: at(7 * T * n + 4 * H),
    block,
    wasm,
  };
  // Read after _malloc, which may grow the memory and so replace the view.
  wasm.HEAPF32.fill(0, tape.zeros / 4, tape.zeros / 4 + 4 * H);
  orphans.register(tape, { wasm, block }, tape);
  return tape;
}

/** Puts a tape whose backward pass is done back for the next forward pass. */
export function giveBackTape(tape: LstmTape): void {
  if (spare) freeTape(spare);
  spare = tape;
}

function freeTape(tape: LstmTape): void {
  orphans.unregister(tape);
  tape.wasm._free(tape.block);
}
