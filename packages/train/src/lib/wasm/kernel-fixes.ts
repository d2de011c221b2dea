import * as tf from '@tensorflow/tfjs-core';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { installIdentityByReference } from './identity.js';
import { installMatMulTransposeFix } from './matmul.js';
import { installContiguousSliceFix } from './slice.js';
import { installStridedTransposeFix } from './transpose.js';

/**
 * This package's replacements of stock WASM kernels, each bit-identical to the kernel it replaces and
 * faster for the shapes our models ask for (docs/training.md). They were written against the internals
 * of one tfjs release and measured on it; on any other release none is installed (and the host AdamW
 * update is off), and the backend report says why, until someone measures them again.
 */
export const KERNEL_FIXES_TFJS_VERSION = '4.22.0';

/** Which fixes are installed, as {@link BackendInfo} records them; `kernelFixesSkipped` only when none could be. */
export interface WasmKernelFixes {
  readonly stridedTransposeFix: boolean;
  readonly matMulTransposeFix: boolean;
  readonly contiguousSliceFix: boolean;
  readonly identityByReference: boolean;
  readonly kernelFixesSkipped?: string;
}

type FixName = Exclude<keyof WasmKernelFixes, 'kernelFixesSkipped'>;

/** The fixes in the order they are installed: the matMul fix calls the Transpose kernel it finds installed. */
const FIXES: readonly (readonly [FixName, () => boolean])[] = [
  ['stridedTransposeFix', installStridedTransposeFix],
  ['matMulTransposeFix', installMatMulTransposeFix],
  ['contiguousSliceFix', installContiguousSliceFix],
  ['identityByReference', installIdentityByReference],
];

/** The tfjs versions in this process (tfjs-core and the WASM backend are released together). */
export interface TfjsVersions {
  readonly core: string;
  readonly wasm: string;
}

export function installedTfjsVersions(): TfjsVersions {
  return { core: tf.version_core, wasm: version_wasm };
}

/** Undefined when the fixes apply to these versions, else why they are skipped. */
export function kernelFixesSkipReason(versions: TfjsVersions = installedTfjsVersions()): string | undefined {
  if (versions.core === KERNEL_FIXES_TFJS_VERSION && versions.wasm === KERNEL_FIXES_TFJS_VERSION) return undefined;
  return `measured on tfjs ${KERNEL_FIXES_TFJS_VERSION}, this process runs tfjs-core ${versions.core} with tfjs-backend-wasm ${versions.wasm}`;
}

/** Installs every fix, in order, on the tfjs version they were measured on; on another, none. */
export function installWasmKernelFixes(versions: TfjsVersions = installedTfjsVersions()): WasmKernelFixes {
  const skipped = kernelFixesSkipReason(versions);
  const installed = Object.fromEntries(FIXES.map(([name, install]) => [name, skipped === undefined && install()])) as Record<
    FixName,
    boolean
  >;
  return skipped === undefined ? installed : { ...installed, kernelFixesSkipped: skipped };
}
