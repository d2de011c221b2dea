import { selectBackend } from '../backend.js';
import { wasmSimdOps } from './simd-ops.js';

describe('wasmSimdOps', () => {
  afterAll(async () => {
    await selectBackend('wasm');
  });

  it('finds every op on the WASM backend of this tfjs, with WebAssembly SIMD', async () => {
    await selectBackend('wasm');
    const ops = wasmSimdOps();
    expect(ops).toBeDefined();
    expect(Object.entries(ops!).filter(([, on]) => !on)).toEqual([]);
    expect(Object.keys(ops!)).toHaveLength(9);
  });

  it('is undefined off the WASM backend', async () => {
    await selectBackend('cpu');
    expect(wasmSimdOps()).toBeUndefined();
  });
});
