import * as tf from '@tensorflow/tfjs-core';
import { overrideWasmKernel, restoreWasmKernel } from './kernel-override.js';

/**
 * While recording gradients, tfjs-core clones every tensor a kernel saves for its backward pass
 * (`Engine.clone`, the Identity kernel), and the WASM backend's Identity copies the data into a new
 * buffer: about 200 copies per TCN training step, the largest single kernel in a profile (13 % of the
 * step). Tensor data is never written in place (a variable's `assign` swaps in a new buffer), so a
 * clone can share its source's buffer with one more reference, as the CPU backend's Identity and the
 * WASM backend's own Reshape do. Same values, no copy; results are bit-identical.
 *
 * The override replaces `Identity` for 'wasm' only and leaves every other backend alone.
 */
/** Installs the override (idempotent). Returns true when it is active. */
export function installIdentityByReference(): boolean {
  return overrideWasmKernel(tf.Identity, (args, stock) => {
    const x = args.inputs.x as tf.TensorInfo;
    // String tensors live outside the WASM heap; the stock kernel handles them.
    if (x.dtype === 'string') return stock.kernelFunc(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
}

/** Restores the stock kernel (used by the bit-identity test). */
export function uninstallIdentityByReference(): void {
  restoreWasmKernel(tf.Identity);
}
