/** The backends `selectBackend` can load, fastest first (see backend.ts); kept apart so naming one needs no tfjs. */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
/** A backend to require, or `auto`: the first that loads in the order drawn above. */
export type BackendChoice = 'auto' | BackendName;
/** Every value `selectBackend` accepts, `auto` first. */
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
