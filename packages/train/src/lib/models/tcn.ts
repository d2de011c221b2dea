import * as tf from '@tensorflow/tfjs-core';
import type { TcnConfig } from '../config.js';
import type { ParamStore } from '../params.js';
import { affine } from './affine.js';
import { addDense, dropoutIf, logitsFrom, type Dropout, type Network } from './network.js';

/**
 * Temporal convolutional network (Bai et al. 2018) with one residual block per dilation:
 *
 *   x[B, T, 2C] ─▶ block(d) for d in dilations: relu(conv_d) ─▶ drop ─▶ relu(conv_d) ─▶ drop, + residual
 *       (1×1 projection where widths differ), relu ─▶ [last hour ‖ mean over hours] ─▶ dense ─▶ logit
 *
 * A causal dilated convolution is written as a sum of matMuls, one per tap: the input is left-padded
 * with (k − 1)·d zero hours, and tap j multiplies the hours shifted by j·d with rows [j·Cin, (j+1)·Cin)
 * of the layer's [k·Cin, Cout] weight, so output hour t only sees hours t, t − d, …, t − (k − 1)d. In the
 * time-major layout [T, B, C] every shifted copy, and every weight block, is a contiguous slice; an
 * im2col concat on the channel axis (and its split in the backward pass) would be strided copies, which
 * the WASM backend does element by element (a third of the TCN's time in a profile). tfjs has neither
 * causal padding nor gradients for dilated convolutions, and the WASM backend lacks
 * Conv2DBackpropFilter; slices, pads, adds and matMuls have gradients on every backend. Pooling the last
 * hour with the mean keeps hours before the receptive field in view.
 */
export function buildTcn(config: TcnConfig, store: ParamStore, hours: number, inputs: number): Network {
  const k = config.kernelSize;
  const Cout = config.channels;
  const blocks = config.dilations.map((dilation, i) => {
    const Cin = i === 0 ? inputs : Cout;
    return {
      dilation,
      Cin,
      conv1: addDense(store, `block${i}/conv1`, k * Cin, Cout),
      conv2: addDense(store, `block${i}/conv2`, k * Cout, Cout),
      residual: Cin === Cout ? null : addDense(store, `block${i}/residual`, Cin, Cout),
    };
  });
  const out = addDense(store, 'output', 2 * Cout, 1);

  // Time-major layout [T, B, C]: every shifted copy of the input is then one contiguous block.
  const causalConv = (x: tf.Tensor3D, Cin: number, dilation: number, layer: { w: tf.Variable; b: tf.Variable }, B: number): tf.Tensor3D => {
    const pad = (k - 1) * dilation;
    const padded = pad > 0 ? tf.pad(x, [[pad, 0], [0, 0], [0, 0]]) : x;
    const tap = (j: number) => tf.reshape(k === 1 ? padded : tf.slice(padded, [j * dilation, 0, 0], [hours, B, Cin]), [hours * B, Cin]) as tf.Tensor2D;
    const weights = (j: number) => (k === 1 ? layer.w : tf.slice(layer.w, [j * Cin, 0], [Cin, Cout])) as tf.Tensor2D;
    let sum: tf.Tensor2D | null = null;
    for (let j = 0; j < k - 1; j++) {
      const product = tf.matMul(tap(j), weights(j)) as tf.Tensor2D;
      sum = sum ? (tf.add(sum, product) as tf.Tensor2D) : product;
    }
    const last = affine(tap(k - 1), weights(k - 1), layer.b as tf.Tensor1D);
    return tf.reshape(tf.relu(sum ? tf.add(sum, last) : last), [hours, B, Cout]) as tf.Tensor3D;
  };
  const spatialDropout = (dropout: Dropout | null, x: tf.Tensor3D, B: number) =>
    dropoutIf(dropout, x, config.dropout, [1, B, Cout]) as tf.Tensor3D;

  return {
    config,
    store,
    inputShape: [hours, inputs],
    penultimateSize: 2 * Cout,
    dispose: () => store.dispose(),
    forward(x, dropout) {
      const B = x.shape[0];
      let h = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
      for (const block of blocks) {
        let y = spatialDropout(dropout, causalConv(h, block.Cin, block.dilation, block.conv1, B), B);
        y = spatialDropout(dropout, causalConv(y, Cout, block.dilation, block.conv2, B), B);
        const residual = block.residual
          ? tf.reshape(affine(tf.reshape(h, [hours * B, block.Cin]) as tf.Tensor2D, block.residual.w as tf.Tensor2D, block.residual.b as tf.Tensor1D), [hours, B, Cout])
          : h;
        h = tf.relu(tf.add(y, residual)) as tf.Tensor3D;
      }
      const last = tf.reshape(tf.slice(h, [hours - 1, 0, 0], [1, B, Cout]), [B, Cout]);
      const pooled = tf.concat([last, tf.mean(h, 0)], 1) as tf.Tensor2D;
      return { logits: logitsFrom(pooled, out), penultimate: pooled };
    },
  };
}
