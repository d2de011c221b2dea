import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { wasmHeap } from './host-heap.js';
import { giveBackTape, takeTape } from './lstm-tape.js';

describe('LSTM tape on the WASM heap', () => {
  let backend: BackendWasm;
  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
  });

  it('lays its arrays out one after another in one block, with 4H zeros', () => {
    const [T, H, B] = [3, 5, 2];
    const tape = takeTape(backend, T, H, B);
    const n = T * H * B;
    expect([tape.gates, tape.g, tape.c, tape.tanhC, tape.h, tape.zeros, tape.dcNext].map((x) => (x - tape.block) / 4)).toEqual([
      0,
      3 * n,
      4 * n,
      5 * n,
      6 * n,
      7 * n,
      7 * n + 4 * H,
    ]);
    expect(Array.from(wasmHeap(backend).HEAPF32.subarray(tape.zeros / 4, tape.zeros / 4 + 4 * H))).toEqual(new Array(4 * H).fill(0));
    giveBackTape(tape);
  });

  it('is reused by the next forward pass of the same shape once given back, and not before', () => {
    const first = takeTape(backend, 4, 8, 3);
    const second = takeTape(backend, 4, 8, 3);
    expect(second).not.toBe(first);
    giveBackTape(first);
    expect(takeTape(backend, 4, 8, 3)).toBe(first);
    giveBackTape(first);
    const other = takeTape(backend, 4, 8, 2);
    expect(other).not.toBe(first);
    [second, other].forEach(giveBackTape);
  });
});
