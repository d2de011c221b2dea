// Kept apart from backend.ts so that naming a backend (a CLI's choices, a study's schema) loads no tfjs.
/**
 * A TensorFlow.js backend, in the order `auto` tries them: tensorflow-gpu (@tensorflow/tfjs-node-gpu),
 * tensorflow (@tensorflow/tfjs-node), wasm (SIMD), cpu. Results are deterministic per backend, not across
 * backends: the chosen one is recorded in every checkpoint.
 */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
/** A backend to require, or `auto`: the first that loads, in the order above. */
export type BackendChoice = 'auto' | BackendName;
/** Every value `selectBackend` accepts, `auto` first. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
