import * as tf from '@tensorflow/tfjs-core';
import type { TcnConfig } from '../config.js';
import type { ParamStore } from '../params.js';
import { affine } from './affine.js';
import { causalConv, type CausalConvGradients } from './causal-conv.js';
import { addDense, dropoutIf, logitsFrom, type Dropout, type Network } from './network.js';

/**
 * Temporal convolutional network (Bai et al. 2018) with one residual block per dilation:
 *
 *   x[B, T, 2C] ─▶ block(d) for d in dilations: relu(conv_d) ─▶ drop ─▶ relu(conv_d) ─▶ drop, + residual
 *       (1×1 projection where widths differ), relu ─▶ [last hour ‖ mean over hours] ─▶ dense ─▶ logit
 *
 * Each convolution is causal and dilated (causal-conv.ts). Pooling the last hour with the mean keeps
 * hours before the receptive field in view.
 *
 * In training, the first block's input is data, so the backward passes of its first convolution and
 * of its residual projection skip the input gradient; outside training (evaluation, integrated
 * gradients) tfjs differentiates the forward ops.
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
      const conv = (input: tf.Tensor3D, layer: { w: tf.Variable; b: tf.Variable }, dilation: number, gradients: CausalConvGradients) =>
        causalConv(input, layer.w as tf.Tensor2D, layer.b as tf.Tensor1D, { kernelSize: k, dilation }, dropout ? gradients : 'autodiff');
      for (const [i, block] of blocks.entries()) {
        let y = spatialDropout(dropout, conv(h, block.conv1, block.dilation, i === 0 ? 'weights' : 'weights-and-input'), B);
        y = spatialDropout(dropout, conv(y, block.conv2, block.dilation, 'weights-and-input'), B);
        const residual = block.residual
          ? tf.reshape(
              affine(
                tf.reshape(h, [hours * B, block.Cin]) as tf.Tensor2D,
                block.residual.w as tf.Tensor2D,
                block.residual.b as tf.Tensor1D,
                'linear',
                !(dropout && i === 0),
              ),
              [hours, B, Cout],
            )
          : h;
        h = tf.relu(tf.add(y, residual)) as tf.Tensor3D;
      }
      const last = tf.reshape(tf.slice(h, [hours - 1, 0, 0], [1, B, Cout]), [B, Cout]);
      const pooled = tf.concat([last, tf.mean(h, 0)], 1) as tf.Tensor2D;
      return { logits: logitsFrom(pooled, out), penultimate: pooled };
    },
  };
}
