import * as tf from '@tensorflow/tfjs-core';
import { assertSameSpecs, concatFloat32, splitFloat32, type Param, type ParamSpec } from './params.js';

/**
 * Adam with decoupled weight decay (AdamW), written out so that its whole state — first and second
 * moments and the step count — is explicit and saves exactly:
 *
 *   m ← β1 m + (1 − β1) g        v ← β2 v + (1 − β2) g²
 *   w ← w − lr · ( m / (1 − β1ᵗ) ) / ( √(v / (1 − β2ᵗ)) + ε ) − lr · λ · w     (λ only where `decay`)
 *
 * Same update as torch.optim.AdamW (with its ε placement) and, for λ = 0, tf.train.adam.
 */
export interface AdamWOptions {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

export class AdamW {
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];
  step = 0;

  constructor(
    private readonly params: readonly Param[],
    private readonly options: AdamWOptions,
  ) {
    this.m = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p.variable), false)));
    this.v = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p.variable), false)));
  }

  /** One update from gradients in parameter order. */
  apply(grads: readonly tf.Tensor[]): void {
    this.step++;
    const { learningRate: lr, beta1, beta2, epsilon, weightDecay } = this.options;
    // Bias corrections in float64 on the host, handed over as float32 scalars: the same on every backend.
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    tf.tidy(() => {
      const b1 = tf.scalar(beta1);
      const b2 = tf.scalar(beta2);
      const ob1 = tf.scalar(1 - beta1);
      const ob2 = tf.scalar(1 - beta2);
      const stepSize = tf.scalar(lr / c1);
      const invC2 = tf.scalar(1 / c2);
      const eps = tf.scalar(epsilon);
      const decay = tf.scalar(1 - lr * weightDecay);
      this.params.forEach((p, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, ob1));
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), ob2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(tf.mul(v, invC2)), eps));
        const w = p.decay && weightDecay > 0 ? tf.mul(p.variable, decay) : p.variable;
        p.variable.assign(tf.sub(w, update));
      });
    });
  }

  /** m then v of every parameter, as one float32 buffer. */
  serialise(): Uint8Array {
    return concatFloat32([...this.m, ...this.v].map((t) => t.dataSync() as Float32Array));
  }

  load(bytes: Uint8Array, step: number, specs: readonly ParamSpec[], what: string): void {
    assertSameSpecs(
      this.params.map((p) => ({ name: p.name, shape: [...p.variable.shape] })),
      specs,
      what,
    );
    const sizes = this.params.map((p) => p.variable.size);
    const parts = splitFloat32(bytes, [...sizes, ...sizes], what);
    tf.tidy(() =>
      this.params.forEach((p, i) => {
        this.m[i].assign(tf.tensor(parts[i], p.variable.shape));
        this.v[i].assign(tf.tensor(parts[sizes.length + i], p.variable.shape));
      }),
    );
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}
