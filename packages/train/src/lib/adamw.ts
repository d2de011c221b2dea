import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wasmHostBackend } from './wasm/host-heap.js';
import { assertSameSpecs, concatFloat32, splitFloat32, type Param, type ParamSpec } from './params.js';

/**
 * Adam with decoupled weight decay (AdamW), written out so that its whole state — first and second
 * moments and the step count — is explicit and saves exactly:
 *
 *   m ← β1 m + (1 − β1) g        v ← β2 v + (1 − β2) g²
 *   w ← w − lr · ( m / (1 − β1ᵗ) ) / ( √(v / (1 − β2ᵗ)) + ε ) − lr · λ · w     (λ only where `decay`)
 *
 * Same update as torch.optim.AdamW (with its ε placement) and, for λ = 0, tf.train.adam.
 *
 * On WASM (wasm/host-heap.ts), parameter tensors of up to HOST_UPDATE_MAX elements are updated on the host, in one loop
 * over views of the WASM heap: as tensor ops the update is 14 kernels per tensor, and for a small
 * tensor their per-op overhead outweighs the arithmetic (figures in docs/training.md). The loop rounds every intermediate to float32 in
 * the kernels' order (each product, sum, quotient and square root of float32 values is computed in
 * float64 and rounded once, which equals the float32 operation), so both paths give the same bits
 * (adamw.spec.ts).
 */
const HOST_UPDATE_MAX = 8192;
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
    const host = { beta1, beta2, stepSize: lr / c1, invC2: 1 / c2, epsilon, decay: 1 - lr * weightDecay, weightDecay };
    const heap = wasmHostBackend();
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
        if (heap && p.variable.size <= HOST_UPDATE_MAX) {
          this.updateOnHost(heap, i, grads[i], host);
          return;
        }
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

  private updateOnHost(
    heap: BackendWasm,
    i: number,
    grad: tf.Tensor,
    c: { beta1: number; beta2: number; stepSize: number; invC2: number; epsilon: number; decay: number; weightDecay: number },
  ): void {
    const f = Math.fround;
    const [b1, b2, ob1, ob2] = [f(c.beta1), f(c.beta2), f(1 - c.beta1), f(1 - c.beta2)];
    const [stepSize, invC2, eps, decay] = [f(c.stepSize), f(c.invC2), f(c.epsilon), f(c.decay)];
    const p = this.params[i];
    const n = p.variable.size;
    const m = new Float32Array(n);
    const v = new Float32Array(n);
    const w = new Float32Array(n);
    // Views are taken before any allocation that could grow (and so replace) the heap.
    const g = heap.typedArrayFromHeap(grad) as Float32Array;
    const m0 = heap.typedArrayFromHeap(this.m[i]) as Float32Array;
    const v0 = heap.typedArrayFromHeap(this.v[i]) as Float32Array;
    const w0 = heap.typedArrayFromHeap(p.variable) as Float32Array;
    const decays = p.decay && c.weightDecay > 0;
    for (let k = 0; k < n; k++) {
      const gk = g[k];
      const mk = f(f(m0[k] * b1) + f(gk * ob1));
      const vk = f(f(v0[k] * b2) + f(f(gk * gk) * ob2));
      m[k] = mk;
      v[k] = vk;
      const update = f(f(mk * stepSize) / f(f(Math.sqrt(f(vk * invC2))) + eps));
      w[k] = (decays ? f(w0[k] * decay) : w0[k]) - update;
    }
    this.m[i].assign(tf.tensor(m, p.variable.shape));
    this.v[i].assign(tf.tensor(v, p.variable.shape));
    p.variable.assign(tf.tensor(w, p.variable.shape));
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
