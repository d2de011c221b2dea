import * as tf from '@tensorflow/tfjs-core';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { describeBackend, selectBackend } from '../backend.js';
import { installWasmKernelFixes, KERNEL_FIXES_TFJS_VERSION, kernelFixesSkipReason } from './kernel-fixes.js';

const FIXED_KERNELS = [tf.Transpose, tf.BatchMatMul, tf._FusedMatMul, tf.Slice, tf.Unpack, tf.SplitV, tf.Identity];
const wasmKernels = () => FIXED_KERNELS.map((name) => tf.getKernel(name, 'wasm'));
// A release the fixes were not measured on, simulated.
const OTHER = { core: '4.23.0', wasm: '4.23.0' };

describe('the WASM kernel fixes and the tfjs version they were measured on', () => {
  // First: nothing in this test file has installed a fix yet.
  it('install nothing on another version and say why', () => {
    const stock = wasmKernels();
    expect(stock.every(Boolean)).toBe(true);
    const reason = kernelFixesSkipReason(OTHER);
    expect(reason).toBe('measured on tfjs 4.22.0, this process runs tfjs-core 4.23.0 with tfjs-backend-wasm 4.23.0');
    expect(installWasmKernelFixes(OTHER)).toEqual({
      stridedTransposeFix: false,
      matMulTransposeFix: false,
      contiguousSliceFix: false,
      identityByReference: false,
      kernelFixesSkipped: reason,
    });
    expect(wasmKernels()).toEqual(stock);
    wasmKernels().forEach((kernel, i) => expect(kernel).toBe(stock[i]));
    expect(kernelFixesSkipReason({ core: KERNEL_FIXES_TFJS_VERSION, wasm: '4.21.0' })).toContain('tfjs-backend-wasm 4.21.0');
  });

  it('are all installed on the measured version, which is the one installed here', async () => {
    expect(tf.version_core).toBe(KERNEL_FIXES_TFJS_VERSION);
    expect(version_wasm).toBe(KERNEL_FIXES_TFJS_VERSION);
    const stock = wasmKernels();
    const info = await selectBackend('wasm');
    expect(info).toMatchObject({
      stridedTransposeFix: true,
      matMulTransposeFix: true,
      contiguousSliceFix: true,
      identityByReference: true,
    });
    expect(info.kernelFixesSkipped).toBeUndefined();
    expect(describeBackend(info)).not.toContain('skipped');
    wasmKernels().forEach((kernel, i) => expect(kernel).not.toBe(stock[i]));
  });

  it("puts the reason in the backend's one-line report", async () => {
    const info = { ...(await selectBackend('wasm')), ...installWasmKernelFixes(OTHER) };
    expect(describeBackend(info)).toContain(`strided transpose off; kernel fixes skipped: ${kernelFixesSkipReason(OTHER)})`);
  });
});
