import * as tf from '@tensorflow/tfjs-core';
import type { LstmConfig } from '../config.js';
import type { ParamStore } from '../params.js';
import { lstmRecurrence, lstmRecurrenceAvailable } from '../wasm/lstm-recurrence.js';
import { affine } from './affine.js';
import { addDense, dropoutIf, logitsFrom, type Network } from './network.js';

/**
 * One-layer LSTM over the hours, gates in the order input, forget, output, candidate:
 *
 *   x[B, T, 2C] ─▶ X·Wx + b for all hours at once (one big matMul) ─▶ per hour: z = xz_t + h·Wh,
 *   i, f, o = σ(z), g = tanh(z), c = f⊙c + i⊙g, h = o⊙tanh(c) ─▶ h_T ─▶ dropout ─▶ dense ─▶ logit
 *
 * The forget-gate bias starts at 1 (Jozefowicz et al. 2015), as Keras's unit_forget_bias.
 */
export function buildLstm(config: LstmConfig, store: ParamStore, hours: number, inputs: number): Network {
  const H = config.hidden;
  const wx = store.add('lstm/input_kernel', [inputs, 4 * H], { kind: 'glorotUniform', fanIn: inputs, fanOut: 4 * H }, true);
  const wh = store.add('lstm/recurrent_kernel', [H, 4 * H], { kind: 'glorotUniform', fanIn: H, fanOut: 4 * H }, true);
  const b = store.add('lstm/bias', [4 * H], { kind: 'blocks', values: [0, 1, 0, 0] }, false);
  const out = addDense(store, 'output', H, 1);
  return {
    config,
    store,
    inputShape: [hours, inputs],
    penultimateSize: H,
    dispose: () => store.dispose(),
    forward(x, dropout) {
      const B = x.shape[0];
      // In training the input is data: the projection skips its input gradient.
      const xz = affine(tf.reshape(x, [B * hours, inputs]) as tf.Tensor2D, wx as tf.Tensor2D, b as tf.Tensor1D, 'linear', !dropout);
      const zx = tf.reshape(xz, [B, hours, 4 * H]) as tf.Tensor3D;
      // The op in training and in evaluation; integrated gradients (no dropout, a gradient recorded) differentiate the tensor ops.
      const fused = lstmRecurrenceAvailable() && (dropout || !tf.engine().isTapeOn());
      const last = fused ? lstmRecurrence(zx, wh as tf.Tensor2D) : recurrence(zx, wh as tf.Tensor2D);
      const features = dropoutIf(dropout, last, config.dropout) as tf.Tensor2D;
      return { logits: logitsFrom(features, out), penultimate: last };
    },
  };
}

/**
 * The recurrence as tensor ops, hour by hour, differentiated by tfjs: zx[B, T, 4H], wh[H, 4H] ─▶ h_T[B, H].
 * On WASM, training and evaluation run wasm/lstm-recurrence.ts instead, which gives the same bits with a
 * handful of kernels per hour; this form serves the other backends and integrated gradients (which need
 * the gradient of x through it).
 */
export function recurrence(zx: tf.Tensor3D, wh: tf.Tensor2D): tf.Tensor2D {
  const [B, , H4] = zx.shape;
  const H = H4 / 4;
  // Time-major, gate-major ([T, 4H, B]): each hour and each gate block is a contiguous slice, which
  // the CPU backend copies in one block instead of element by element.
  const steps = tf.unstack(tf.transpose(zx, [1, 2, 0]), 0) as tf.Tensor2D[];
  const whT = tf.transpose(wh) as tf.Tensor2D;
  let h: tf.Tensor2D = tf.zeros([H, B]);
  let c: tf.Tensor2D = tf.zeros([H, B]);
  for (const zxt of steps) {
    const z = tf.add(zxt, tf.matMul(whT, h));
    const gates = tf.sigmoid(tf.slice(z, [0, 0], [3 * H, B]));
    const g = tf.tanh(tf.slice(z, [3 * H, 0], [H, B]));
    const [i, f, o] = tf.split(gates, 3, 0) as tf.Tensor2D[];
    c = tf.add(tf.mul(f, c), tf.mul(i, g));
    h = tf.mul(o, tf.tanh(c));
  }
  return tf.transpose(h);
}
