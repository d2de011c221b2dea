import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '@ehr-backdoor/core';
import type { ModelConfig } from '../config.js';
import type { InputShape } from '../inputs.js';
import { affine } from './affine.js';
import type { ParamStore } from '../params.js';
import { registerGradients } from '../gradients.js';
import { dropoutFused } from '../wasm/dropout.js';

registerGradients();

/**
 * What every network offers the training loop and the analyses: a forward pass from normalised inputs
 * to logits, the penultimate representation (poison detectors cluster it) and, for the
 * TabTransformer, the attention weights of every block.
 */
export interface ForwardOutput {
  /** [B] logits of class 1. */
  readonly logits: tf.Tensor1D;
  /** [B, penultimateSize]: the representation the output layer reads. */
  readonly penultimate: tf.Tensor2D;
  /** TabTransformer only: per block, [B, heads, L, L] attention weights (rows sum to 1). */
  readonly attention?: readonly tf.Tensor4D[];
}

export interface Network {
  readonly config: ModelConfig;
  readonly store: ParamStore;
  readonly inputShape: InputShape;
  readonly penultimateSize: number;
  /** TabTransformer only: the name of each token ([CLS] first). */
  readonly tokens?: readonly string[];
  readonly tokenLayout?: TokenLayout;
  forward(x: tf.Tensor, dropout: Dropout | null): ForwardOutput;
  /** Frees the parameters and any constant tensors. */
  dispose(): void;
}

/** How tabular features are grouped into TabTransformer tokens; saved with the model. */
export interface TokenLayout {
  readonly names: readonly string[];
  /** Token index of each input feature. */
  readonly featureToken: readonly number[];
}

export interface NetworkSpec {
  readonly model: ModelConfig;
  readonly inputShape: InputShape;
  readonly tokenLayout?: TokenLayout;
}

/**
 * Inverted dropout whose masks come from the project's PRNG, so they are reproducible and their
 * stream resumes from a checkpoint. `shape` may broadcast (e.g. [B, 1, C] drops whole channels). On WASM
 * the same masks and products come from wasm/dropout.ts, bit for bit.
 */
export class Dropout {
  constructor(readonly rng: Random) {}

  apply(x: tf.Tensor, rate: number, shape: readonly number[] = x.shape): tf.Tensor {
    if (rate <= 0) return x;
    const fused = dropoutFused(x, rate, shape, this.rng);
    if (fused) return fused;
    const size = shape.reduce((a, b) => a * b, 1);
    const mask = new Float32Array(size);
    const threshold = Math.floor(rate * 2 ** 32);
    const keep = 1 / (1 - rate);
    // One word per element, drawn in bulk into the mask's own buffer (each word is read before its float
    // is written): the same words as one nextUint32 per element, so the same masks, several times faster.
    const words = this.rng.fillUint32(new Uint32Array(mask.buffer));
    for (let i = 0; i < size; i++) mask[i] = words[i] >= threshold ? keep : 0;
    return tf.mul(x, tf.tensor(mask, [...shape]));
  }
}

export function dropoutIf(dropout: Dropout | null, x: tf.Tensor, rate: number, shape?: readonly number[]): tf.Tensor {
  return dropout ? dropout.apply(x, rate, shape) : x;
}

/** x[B, in] · W[in, out] + b, optionally with ReLU (see affine.ts). */
export function dense(x: tf.Tensor2D, w: tf.Variable, b: tf.Variable, activation: 'linear' | 'relu' = 'linear'): tf.Tensor2D {
  return affine(x, w as tf.Tensor2D, b as tf.Tensor1D, activation);
}

/** Glorot-uniform weights [fanIn, fanOut] and zero bias, as Keras and PyTorch-like defaults. */
export function addDense(store: ParamStore, name: string, fanIn: number, fanOut: number): { w: tf.Variable; b: tf.Variable } {
  return {
    w: store.add(`${name}/kernel`, [fanIn, fanOut], { kind: 'glorotUniform', fanIn, fanOut }, true),
    b: store.add(`${name}/bias`, [fanOut], { kind: 'constant', value: 0 }, false),
  };
}

export function logitsFrom(x: tf.Tensor2D, out: { w: tf.Variable; b: tf.Variable }): tf.Tensor1D {
  return tf.reshape(dense(x, out.w, out.b), [-1]);
}
