import * as tf from '@tensorflow/tfjs-core';
import type { TabTransformerConfig } from '../config.js';
import type { ParamStore } from '../params.js';
import { attentionAvailable, attentionFused } from '../wasm/attention.js';
import { softmaxAvailable, softmaxFused } from '../wasm/softmax.js';
import { tokenEmbeddingAvailable, tokenEmbeddingFused } from '../wasm/token-embedding.js';
import { layerNorm, layerNormParams, layerNormWithResidual } from './layer-norm.js';
import { addDense, dense, dropoutIf, logitsFrom, type Network, type TokenLayout } from './network.js';

/**
 * Transformer over feature tokens of the tabular view (the feature-tokenizer form of Gorishniy et al.
 * 2021, since every input here is numeric; the original TabTransformer embeds categorical columns only):
 *
 *   x[B, F] ─▶ token_g = Σ_{j∈g} x_j·W_j + b_g  (one token per clinical variable, from its summary
 *   statistics, and one per static feature) ─▶ [CLS] ‖ tokens ─▶ pre-LN blocks:
 *   x += drop(MHA(LN(x))); x += drop(FF(LN(x))) ─▶ LN([CLS]) ─▶ dense ─▶ logit
 *
 * The grouping matrix is built once: the per-feature weights W[F, d] are spread into a block matrix
 * [F, G·d] by a fixed 0/1 mask, so tokenising is a single matMul whose gradient reaches W exactly. In
 * training on WASM the embedding is one op that forms only each feature's own token, with the same
 * bits (wasm/token-embedding.ts); outside training (evaluation, integrated gradients, which need x's
 * gradient) tfjs differentiates the tensor ops.
 */
export function buildTabTransformer(config: TabTransformerConfig, store: ParamStore, features: number, layout: TokenLayout): Network {
  const d = config.dModel;
  const heads = config.heads;
  const dh = d / heads;
  const G = layout.names.length;
  const L = G + 1;
  const featureWeights = store.add('tokenizer/weights', [features, 1, d], { kind: 'uniform', limit: 1 / Math.sqrt(d) }, true);
  const tokenBias = store.add('tokenizer/bias', [G, d], { kind: 'uniform', limit: 1 / Math.sqrt(d) }, false);
  const cls = store.add('cls', [1, 1, d], { kind: 'uniform', limit: 1 / Math.sqrt(d) }, false);
  const blocks = Array.from({ length: config.layers }, (_, i) => ({
    ln1: layerNormParams(store, `block${i}/ln1`, d),
    q: addDense(store, `block${i}/query`, d, d),
    k: addDense(store, `block${i}/key`, d, d),
    v: addDense(store, `block${i}/value`, d, d),
    proj: addDense(store, `block${i}/proj`, d, d),
    ln2: layerNormParams(store, `block${i}/ln2`, d),
    ff1: addDense(store, `block${i}/ff1`, d, config.ffHidden),
    ff2: addDense(store, `block${i}/ff2`, config.ffHidden, d),
  }));
  const lnOut = layerNormParams(store, 'final_ln', d);
  const out = addDense(store, 'output', d, 1);

  const groupMask = new Float32Array(features * G);
  layout.featureToken.forEach((g, j) => (groupMask[j * G + g] = 1));
  const mask = tf.keep(tf.tensor(groupMask, [features, G, 1]));
  const scale = 1 / Math.sqrt(dh);
  // [CLS] ‖ tokens, [B, L, d]; in training on WASM as one op with the same bits (wasm/token-embedding.ts).
  const embed = (x: tf.Tensor2D, training: boolean): tf.Tensor3D => {
    if (training && tokenEmbeddingAvailable())
      return tokenEmbeddingFused(x, featureWeights as tf.Tensor3D, tokenBias as tf.Tensor2D, cls as tf.Tensor3D, layout.featureToken);
    const B = x.shape[0];
    const spread = tf.reshape(tf.mul(featureWeights, mask), [features, G * d]);
    const tokens = tf.add(tf.reshape(tf.matMul(x, spread), [B, G, d]), tokenBias);
    return tf.concat([tf.tile(cls, [B, 1, 1]), tokens], 1) as tf.Tensor3D;
  };
  // On WASM with its gradient in one pass, the same bits (wasm/softmax.ts).
  const softmax = <T extends tf.Tensor>(x: T): T => (softmaxAvailable() ? softmaxFused(x) : tf.softmax(x));
  // The heads' contexts [B·L, d] and weights [B, heads, L, L]; in training on WASM one op, the same bits (wasm/attention.ts).
  const attend = (q: tf.Tensor2D, k: tf.Tensor2D, v: tf.Tensor2D, B: number, training: boolean) => {
    if (training && attentionAvailable(B, heads)) return attentionFused(q, k, v, B, heads, scale);
    const split = (t: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(t, [B, L, heads, dh]), [0, 2, 1, 3]), [B * heads, L, dh]);
    const weights = softmax(tf.mul(tf.matMul(split(q), split(k), false, true), scale));
    const merged = tf.transpose(tf.reshape(tf.matMul(weights, split(v)), [B, heads, L, dh]), [0, 2, 1, 3]);
    return { context: tf.reshape(merged, [B * L, d]) as tf.Tensor2D, weights: tf.reshape(weights, [B, heads, L, L]) as tf.Tensor4D };
  };

  return {
    config,
    store,
    inputShape: [features],
    penultimateSize: d,
    tokens: ['[CLS]', ...layout.names],
    tokenLayout: layout,
    dispose: () => {
      store.dispose();
      mask.dispose();
    },
    forward(x, dropout) {
      const B = x.shape[0];
      let h = embed(x as tf.Tensor2D, dropout !== null);
      const attention: tf.Tensor4D[] = [];
      for (const block of blocks) {
        const [normed1, residual1] = layerNormWithResidual(h, block.ln1);
        const n1 = tf.reshape(normed1, [B * L, d]) as tf.Tensor2D;
        // Separate projections rather than one split: a column split is an element-wise copy on the CPU backend.
        const [q, k, v] = [block.q, block.k, block.v].map((p) => dense(n1, p.w, p.b));
        const { context, weights } = attend(q, k, v, B, dropout !== null);
        attention.push(weights);
        const attended = dropoutIf(dropout, dense(context, block.proj.w, block.proj.b), config.dropout);
        h = tf.add(residual1, tf.reshape(attended, [B, L, d]));
        const [normed2, residual2] = layerNormWithResidual(h, block.ln2);
        const n2 = tf.reshape(normed2, [B * L, d]) as tf.Tensor2D;
        const ff = dropoutIf(dropout, dense(dense(n2, block.ff1.w, block.ff1.b, 'relu'), block.ff2.w, block.ff2.b), config.dropout);
        h = tf.add(residual2, tf.reshape(ff, [B, L, d]));
      }
      const clsOut = layerNorm(tf.reshape(tf.slice(h, [0, 0, 0], [B, 1, d]), [B, d]), lnOut) as tf.Tensor2D;
      return { logits: logitsFrom(clsOut, out), penultimate: clsOut, attention };
    },
  };
}

/** One token per clinical variable (all its statistics) and per static feature, in first-seen order. */
export function tokenLayoutOf(features: readonly { readonly name: string; readonly variable: string }[]): TokenLayout {
  const names: string[] = [];
  const featureToken = features.map((f) => {
    let g = names.indexOf(f.variable);
    if (g < 0) g = names.push(f.variable) - 1;
    return g;
  });
  return { names, featureToken };
}
