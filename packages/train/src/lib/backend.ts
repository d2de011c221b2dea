import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { InputError } from '@ehr-backdoor/core';
import { BACKEND_CHOICES, type BackendChoice, type BackendName } from './backend-choices.js';
import { registerGradients } from './gradients.js';
import { installWasmKernelFixes } from './wasm/kernel-fixes.js';
import type { TrainCode } from './error-codes.js';

registerGradients();
// tfjs-core's warnings (e.g. "install tfjs-node to speed things up") are replaced by our own backend
// report, which says which backends were skipped and why. The flag only silences logging.
tf.env().set('PROD', true);

/**
 * Backend choice. `auto` walks the list below and takes the first that initialises:
 *
 *   tensorflow-gpu (@tensorflow/tfjs-node-gpu) ─▶ tensorflow (@tensorflow/tfjs-node) ─▶ wasm (SIMD) ─▶ cpu
 *
 * Both node packages are optional dependencies whose install downloads libtensorflow, so offline they
 * are simply absent; each skipped backend is reported with the reason. Results are deterministic per
 * backend, not across backends: the chosen backend is recorded in every checkpoint.
 */
export type { BackendName, BackendChoice } from './backend-choices.js';
export { BACKEND_CHOICES } from './backend-choices.js';

/**
 * Which backend {@link selectBackend} chose and why the ones before it were skipped; recorded in every checkpoint.
 */
export interface BackendInfo {
  /** The backend that runs. */
  readonly name: BackendName;
  /** What was asked for. */
  readonly requested: BackendChoice;
  /** tfjs's own name for the backend ('tensorflow', 'wasm', 'cpu'). */
  readonly tfjsBackend: string;
  /** Backends tried before this one and why they were passed over. */
  readonly skipped: readonly { readonly name: BackendName; readonly reason: string }[];
  /** WASM only: SIMD in use, and whether the transposed-matMul kernel override is installed. */
  readonly wasmSimd?: boolean;
  readonly matMulTransposeFix?: boolean;
  /** WASM only: contiguous slices copy just the piece (see wasm/slice.ts). */
  readonly contiguousSliceFix?: boolean;
  /** WASM only: clones share their source's buffer instead of copying it (see wasm/identity.ts). */
  readonly identityByReference?: boolean;
  /** WASM only: matrix transposes whose output stride conflicts in cache go through a padded copy (see wasm/transpose.ts). */
  readonly stridedTransposeFix?: boolean;
  /**
   * WASM only, and only when the kernel fixes are off: why (they were measured on another tfjs version;
   * see wasm/kernel-fixes.ts). Results are then those of the stock kernels, which the fixes equal bit for bit.
   */
  readonly kernelFixesSkipped?: string;
}

const ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
let wasmPathsSet = false;
let last: BackendInfo | undefined;
let nodePackageLoaded: 'tensorflow-gpu' | 'tensorflow' | undefined;

/**
 * Selects and initialises a TensorFlow.js backend: `auto` takes the first that loads in the order drawn
 * above, a named one must load. A repeated call with the same choice returns the same info. Returns which
 * backend runs and why earlier ones were skipped.
 * @throws InputError `E_BACKEND` for an unknown choice; `E_BACKEND_UNAVAILABLE` when no candidate loads (`auto`
 * always ends with `cpu`).
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(choice)) {
    throw new InputError<TrainCode>('E_BACKEND', `Unknown backend '${String(choice)}'; choose one of ${BACKEND_CHOICES.join(', ')}.`);
  }
  if (last && last.requested === choice && tf.getBackend() === last.tfjsBackend) return last;
  const candidates = choice === 'auto' ? ORDER : [choice];
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of candidates) {
    const reason = await tryBackend(name);
    if (reason === undefined) {
      const info: BackendInfo = { name, requested: choice, tfjsBackend: tf.getBackend(), skipped };
      last =
        name === 'wasm' ? { ...info, wasmSimd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') as boolean, ...installWasmKernelFixes() } : info;
      return last;
    }
    skipped.push({ name, reason });
  }
  throw new InputError<TrainCode>(
    'E_BACKEND_UNAVAILABLE',
    `Backend '${choice}' is unavailable: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}. ` +
      `Use --backend auto to fall back to the next available backend (wasm and cpu always work).`,
  );
}

/** Undefined when `name` is now the active backend, else why not. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    switch (name) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        if (nodePackageLoaded && nodePackageLoaded !== name)
          return `@tensorflow/tfjs-node${nodePackageLoaded === 'tensorflow-gpu' ? '-gpu' : ''} is already loaded in this process`;
        const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        try {
          await import(pkg);
        } catch (error) {
          return `${pkg} is not installed or failed to load (${firstLine(error)}); it is an optional dependency whose install needs network access to download libtensorflow`;
        }
        nodePackageLoaded = name;
        return (await tf.setBackend('tensorflow')) ? undefined : `${pkg} loaded but its backend did not initialise`;
      }
      case 'wasm': {
        if (!wasmPathsSet) {
          // A file-system prefix: in Node the WASM backend reads its binaries from disk, never fetching.
          const require = createRequire(import.meta.url);
          setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
          wasmPathsSet = true;
        }
        return (await tf.setBackend('wasm')) ? undefined : 'the WASM backend did not initialise';
      }
      case 'cpu':
        return (await tf.setBackend('cpu')) ? undefined : 'the CPU backend did not initialise';
    }
  } catch (error) {
    return firstLine(error);
  }
}

/** The backend chosen by the last `selectBackend` call, if it is still the active one. */
export function activeBackend(): BackendInfo | undefined {
  return last && tf.getBackend() === last.tfjsBackend ? last : undefined;
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}

/** One line for logs: the backend, its WASM settings, and the skipped backends with their reasons. */
export function describeBackend(info: BackendInfo): string {
  const extras =
    info.name === 'wasm'
      ? ` (SIMD ${info.wasmSimd ? 'on' : 'off'}, transposed-matMul fix ${info.matMulTransposeFix ? 'on' : 'off'}, contiguous-slice fix ${info.contiguousSliceFix ? 'on' : 'off'}, identity by reference ${info.identityByReference ? 'on' : 'off'}, strided transpose ${info.stridedTransposeFix ? 'on' : 'off'}${info.kernelFixesSkipped ? `; kernel fixes skipped: ${info.kernelFixesSkipped}` : ''})`
      : '';
  const skipped = info.skipped.length ? `; skipped ${info.skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}` : '';
  return `backend ${info.name}${extras}${skipped}`;
}
