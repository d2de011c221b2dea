import * as tf from '@tensorflow/tfjs-core';
import type { MlpConfig } from '../config.js';
import type { ParamStore } from '../params.js';
import { affine } from './affine.js';
import { addDense, dropoutIf, logitsFrom, type Network } from './network.js';

/** x[B, F] ─▶ (dense + ReLU + dropout) × hidden ─▶ dense ─▶ logit. The penultimate is the last hidden layer. */
export function buildMlp(config: MlpConfig, store: ParamStore, features: number): Network {
  const layers = config.hidden.map((width, i) => addDense(store, `hidden${i}`, i === 0 ? features : config.hidden[i - 1], width));
  const out = addDense(store, 'output', config.hidden[config.hidden.length - 1], 1);
  return {
    config,
    store,
    inputShape: [features],
    penultimateSize: config.hidden[config.hidden.length - 1],
    dispose: () => store.dispose(),
    forward(x, dropout) {
      let h = x as tf.Tensor2D;
      for (const [i, layer] of layers.entries()) {
        // In training the first layer's input is data: its backward pass skips the input gradient.
        const y = affine(h, layer.w as tf.Tensor2D, layer.b as tf.Tensor1D, 'relu', i > 0 || !dropout);
        h = dropoutIf(dropout, y, config.dropout) as tf.Tensor2D;
      }
      return { logits: logitsFrom(h, out), penultimate: h };
    },
  };
}
