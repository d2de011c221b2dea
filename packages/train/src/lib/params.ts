import * as tf from '@tensorflow/tfjs-core';
import { BugError, CompatibilityError, type Random } from '@ehr-backdoor/core';
import type { TrainCode } from './error-codes.js';

/**
 * A model's parameters in a fixed order, created from the project's seeded PRNG (so initial weights
 * depend only on the seed, never on tfjs's own random state) and serialised as one little-endian
 * float32 buffer in that order. `decay` marks the tensors decoupled weight decay applies to.
 */
export interface Param {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly decay: boolean;
}

/**
 * One trainable tensor of a network, by name and shape. Checkpoints list them, so weights are only ever
 * loaded into a network of the same layout (a CompatibilityError `E_CHECKPOINT_SHAPE` otherwise).
 */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

export type Initialiser =
  | { readonly kind: 'glorotUniform'; readonly fanIn: number; readonly fanOut: number }
  | { readonly kind: 'uniform'; readonly limit: number }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'constant'; readonly value: number }
  /** Constant per block along the last axis: e.g. an LSTM bias with forget-gate entries at 1. */
  | { readonly kind: 'blocks'; readonly values: readonly number[] };

export class ParamStore {
  readonly params: Param[] = [];

  constructor(private readonly rng: Random) {}

  add(name: string, shape: number[], init: Initialiser, decay: boolean): tf.Variable {
    if (this.params.some((p) => p.name === name)) throw new BugError(`duplicate parameter ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    switch (init.kind) {
      case 'glorotUniform': {
        const limit = Math.sqrt(6 / (init.fanIn + init.fanOut));
        for (let i = 0; i < size; i++) values[i] = (2 * this.rng.next() - 1) * limit;
        break;
      }
      case 'uniform':
        for (let i = 0; i < size; i++) values[i] = (2 * this.rng.next() - 1) * init.limit;
        break;
      case 'normal':
        for (let i = 0; i < size; i++) values[i] = this.rng.normal(0, init.std);
        break;
      case 'constant':
        values.fill(init.value);
        break;
      case 'blocks': {
        const block = size / init.values.length;
        for (let i = 0; i < size; i++) values[i] = init.values[Math.floor(i / block)];
        break;
      }
    }
    // A variable keeps its own reference to the data, so the initial tensor can go at once.
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${name}_${variableCounter++}`));
    this.params.push({ name, variable, decay });
    return variable;
  }

  get variables(): tf.Variable[] {
    return this.params.map((p) => p.variable);
  }

  specs(): ParamSpec[] {
    return this.params.map((p) => ({ name: p.name, shape: [...p.variable.shape] }));
  }

  count(): number {
    return this.params.reduce((a, p) => a + p.variable.size, 0);
  }

  /** All parameters as one float32 buffer, in order. */
  serialise(): Uint8Array {
    return concatFloat32(this.params.map((p) => p.variable.dataSync() as Float32Array));
  }

  /** Loads a buffer written by `serialise` for the same specs. */
  load(bytes: Uint8Array, specs: readonly ParamSpec[], what: string): void {
    assertSameSpecs(this.specs(), specs, what);
    const parts = splitFloat32(
      bytes,
      this.params.map((p) => p.variable.size),
      what,
    );
    tf.tidy(() => this.params.forEach((p, i) => p.variable.assign(tf.tensor(parts[i], p.variable.shape))));
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
  }
}

let variableCounter = 0;

export function concatFloat32(parts: readonly Float32Array[]): Uint8Array {
  const total = parts.reduce((a, p) => a + p.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return littleEndian(new Uint8Array(out.buffer));
}

export function splitFloat32(bytes: Uint8Array, sizes: readonly number[], what: string): Float32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== total * 4) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_SHAPE',
      `${what} holds ${bytes.byteLength} bytes, expected ${total * 4} for the model's parameters.`,
    );
  }
  const copy = littleEndian(Uint8Array.from(bytes));
  const all = new Float32Array(copy.buffer, copy.byteOffset, total);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(all.slice(offset, offset + size));
    offset += size;
  }
  return out;
}

export function assertSameSpecs(actual: readonly ParamSpec[], saved: readonly ParamSpec[], what: string): void {
  const show = (s: readonly ParamSpec[]) => s.map((p) => `${p.name}[${p.shape.join('×')}]`).join(', ');
  if (show(actual) !== show(saved)) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_SHAPE',
      `${what} was saved for parameters ${show(saved)}, but this model has ${show(actual)}.`,
    );
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The on-disk format is little-endian float32; swap on the rare big-endian host. */
function littleEndian(bytes: Uint8Array): Uint8Array {
  if (LITTLE_ENDIAN) return bytes;
  for (let i = 0; i < bytes.length; i += 4) {
    [bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]] = [bytes[i + 3], bytes[i + 2], bytes[i + 1], bytes[i]];
  }
  return bytes;
}
