import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../backend.js';
import { assembleModule, f32, instanceCache, op, sleb, uleb, wasmValidates } from './wasm-assembly.js';

describe('wasm-assembly', () => {
  it('encodes LEB128 integers as the WebAssembly spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-4)).toEqual([0x7c]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('encodes f32 constants little-endian', () => {
    expect(f32(1)).toEqual([op.f32Const, 0x00, 0x00, 0x80, 0x3f]);
  });

  it('assembles a module of several functions that validates, and rejects a broken body', () => {
    const store = (value: number) => [op.get, 0, ...f32(value), op.f32Store, 2, 0, op.end];
    const module = assembleModule([
      { name: 'one', params: 1, locals: [], code: store(1) },
      { name: 'two', params: 2, locals: [[1, 0x7d]], code: store(2) },
    ]);
    expect(wasmValidates(module)).toBe(true);
    expect(wasmValidates(assembleModule([{ name: 'bad', params: 0, locals: [], code: [op.get, 0, op.end] }]))).toBe(false);
  });

  it('instantiates once per backend memory, where the exports write into the tensors', async () => {
    await selectBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    let built = 0;
    const bytes = () => {
      built++;
      return assembleModule([{ name: 'put', params: 1, locals: [], code: [op.get, 0, ...f32(2.5), op.f32Store, 2, 0, op.end] }]);
    };
    const cache = instanceCache(bytes, (exports) => exports.put as (at: number) => void);
    const put = cache(backend)!;
    expect(cache(backend)).toBe(put);
    expect(built).toBe(1);
    const x = tf.zeros([3]);
    put(backend.typedArrayFromHeap(x).byteOffset + 4);
    expect(Array.from(x.dataSync())).toEqual([0, 2.5, 0]);
    x.dispose();
    expect(instanceCache(bytes, (e) => e)({ wasm: {} } as unknown as BackendWasm)).toBeUndefined();
  });
});
