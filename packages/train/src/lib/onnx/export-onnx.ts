import { BugError } from '@ehr-backdoor/core';
import type { LstmConfig, MlpConfig, TabTransformerConfig, TcnConfig } from '../config.js';
import type { TrainedModel } from '../model.js';
import { OnnxGraph } from './onnx-graph.js';

/**
 * A trained model as an ONNX graph (opset 13), so that Python users can run it in onnxruntime,
 * convert it to PyTorch (onnx2torch) and apply Captum or ART without our code:
 *
 *   input `x` [batch, ...the model's input shape] (normalised as `prepareInputs` does; the means,
 *   standard deviations and the input layout are in the model's metadata_props)
 *     ─▶ the network's inference-mode forward pass, op for op ─▶ `logit` [batch], `p` = sigmoid(logit) [batch]
 *
 * Every model kind is written with plain ops (MatMul, Add, Relu, Sigmoid, Tanh, Softmax, Slice, Pad,
 * Concat, Reshape, Transpose, ReduceMean, Sqrt, Div): the LSTM is unrolled over the window's hours, the
 * TCN's causal convolutions are padded slices times their taps' weights, as the TensorFlow.js code
 * computes them, so the results agree to float32 rounding.
 */
export interface OnnxExport {
  readonly bytes: Uint8Array;
  /** What the metadata_props say, also for the caller's messages. */
  readonly metadata: Readonly<Record<string, string>>;
}

type Weights = (name: string) => { data: Float32Array; shape: number[] };

/**
 * Serialises a trained model as an ONNX model (see {@link OnnxExport}); `producerVersion` is recorded as
 * the producer's version. Metadata: the model config, input shape and normalisation, config and dataset
 * hashes, epoch, seed and backend of the checkpoint.
 */
export function exportOnnx(model: TrainedModel, producerVersion: string): OnnxExport {
  const network = model.network;
  const byName = new Map(network.store.params.map((p) => [p.name, p.variable]));
  const weights: Weights = (name) => {
    const v = byName.get(name);
    if (!v) throw new BugError(`the network has no parameter ${name}; this is a bug.`);
    return { data: Float32Array.from(v.dataSync() as Float32Array), shape: [...v.shape] };
  };
  const g = new OnnxGraph(`ehr-backdoor ${network.config.kind}`);
  const x = g.input('x', ['batch', ...network.inputShape]);
  const config = network.config;
  let logit2d: string;
  switch (config.kind) {
    case 'mlp':
      logit2d = mlp(g, x, config, weights);
      break;
    case 'lstm':
      logit2d = lstm(g, x, config, weights, network.inputShape as [number, number]);
      break;
    case 'tcn':
      logit2d = tcn(g, x, config, weights, network.inputShape as [number, number]);
      break;
    case 'tabtransformer':
      logit2d = tabTransformer(g, x, config, weights, network.inputShape[0], network.tokenLayout!);
      break;
  }
  const logit = g.op('Reshape', [logit2d, g.ints('flat', [-1])]);
  g.alias(logit, 'logit');
  g.alias(g.op('Sigmoid', [logit]), 'p');
  g.output('logit', ['batch']);
  g.output('p', ['batch']);
  const meta = model.checkpointJson();
  const metadata = {
    'ehr_backdoor.format': '1',
    'ehr_backdoor.model': JSON.stringify(meta.modelConfig),
    'ehr_backdoor.input': JSON.stringify({ shape: network.inputShape, normalisation: model.normalisation }),
    'ehr_backdoor.outputs': 'logit: log-odds of class 1 (death); p: its probability',
    'ehr_backdoor.config_hash': meta.configHash,
    'ehr_backdoor.dataset_hash': meta.datasetHash,
    'ehr_backdoor.epoch': String(meta.epoch),
    'ehr_backdoor.seed': String(meta.seed),
    'ehr_backdoor.backend': meta.backend,
  };
  return { bytes: g.serialise(metadata, { name: 'ehr-backdoor', version: producerVersion }), metadata };
}

/** x · W + b (and ReLU), with W and b the network's `${name}/kernel` and `${name}/bias`. */
function dense(g: OnnxGraph, x: string, name: string, w: Weights, relu = false): string {
  const kernel = w(`${name}/kernel`);
  const bias = w(`${name}/bias`);
  const y = g.op('Add', [
    g.op('MatMul', [x, g.constant(`${name}/kernel`, kernel.shape, kernel.data)]),
    g.constant(`${name}/bias`, bias.shape, bias.data),
  ]);
  return relu ? g.op('Relu', [y]) : y;
}

function slice(g: OnnxGraph, x: string, axis: number, start: number, end: number): string {
  return g.op('Slice', [x, g.ints('starts', [start]), g.ints('ends', [end]), g.ints('axes', [axis])]);
}

function mlp(g: OnnxGraph, x: string, config: MlpConfig, w: Weights): string {
  let h = x;
  config.hidden.forEach((_, i) => (h = dense(g, h, `hidden${i}`, w, true)));
  return dense(g, h, 'output', w);
}

function lstm(g: OnnxGraph, x: string, config: LstmConfig, w: Weights, [hours]: [number, number]): string {
  const H = config.hidden;
  const wx = w('lstm/input_kernel');
  const wh = w('lstm/recurrent_kernel');
  const b = w('lstm/bias');
  // [B, T, 2C] · Wx + b for every hour at once, then one step per hour; gates are ordered i, f, o, g.
  const xz = g.op('Add', [
    g.op('MatMul', [x, g.constant('lstm/input_kernel', wx.shape, wx.data)]),
    g.constant('lstm/bias', b.shape, b.data),
  ]);
  const whName = g.constant('lstm/recurrent_kernel', wh.shape, wh.data);
  const step = (t: number) => g.op('Reshape', [slice(g, xz, 1, t, t + 1), g.ints('step_shape', [-1, 4 * H])]);
  // Zero initial states of shape [B, H] without a dynamic shape: any [B, 4H] tensor times a zero matrix.
  const zeros = g.op('MatMul', [step(0), g.constant('zeros', [4 * H, H], new Float32Array(4 * H * H))]);
  let h = zeros;
  let c = zeros;
  for (let t = 0; t < hours; t++) {
    const z = g.op('Add', [step(t), g.op('MatMul', [h, whName])]);
    const gates = g.op('Sigmoid', [slice(g, z, 1, 0, 3 * H)]);
    const [i, f, o] = g.opN('Split', [gates], 3, { axis: 1 });
    const cand = g.op('Tanh', [slice(g, z, 1, 3 * H, 4 * H)]);
    c = g.op('Add', [g.op('Mul', [f, c]), g.op('Mul', [i, cand])]);
    h = g.op('Mul', [o, g.op('Tanh', [c])]);
  }
  return dense(g, h, 'output', w);
}

function tcn(g: OnnxGraph, x: string, config: TcnConfig, w: Weights, [hours, inputs]: [number, number]): string {
  const k = config.kernelSize;
  const Cout = config.channels;
  const conv = (input: string, name: string, Cin: number, dilation: number) => {
    const kernel = w(`${name}/kernel`);
    const bias = w(`${name}/bias`);
    const pad = (k - 1) * dilation;
    const padded = pad > 0 ? g.op('Pad', [input, g.ints('pads', [0, pad, 0, 0, 0, 0])]) : input;
    let sum: string | null = null;
    for (let j = 0; j < k; j++) {
      const tap = k === 1 ? padded : slice(g, padded, 1, j * dilation, j * dilation + hours);
      const wj = g.constant(`${name}/tap${j}`, [Cin, Cout], kernel.data.subarray(j * Cin * Cout, (j + 1) * Cin * Cout));
      const product = g.op('MatMul', [tap, wj]);
      sum = sum ? g.op('Add', [sum, product]) : product;
    }
    return g.op('Relu', [g.op('Add', [sum!, g.constant(`${name}/bias`, bias.shape, bias.data)])]);
  };
  let h = x;
  config.dilations.forEach((dilation, i) => {
    const Cin = i === 0 ? inputs : Cout;
    const y = conv(conv(h, `block${i}/conv1`, Cin, dilation), `block${i}/conv2`, Cout, dilation);
    const residual = Cin === Cout ? h : dense(g, h, `block${i}/residual`, w);
    h = g.op('Relu', [g.op('Add', [y, residual])]);
  });
  const last = g.op('Reshape', [slice(g, h, 1, hours - 1, hours), g.ints('last_shape', [-1, Cout])]);
  const mean = g.op('ReduceMean', [h], { axes: [1], keepdims: 0 });
  return dense(g, g.op('Concat', [last, mean], { axis: 1 }), 'output', w);
}

function layerNorm(g: OnnxGraph, x: string, name: string, w: Weights): string {
  const gamma = w(`${name}/gamma`);
  const beta = w(`${name}/beta`);
  const centred = g.op('Sub', [x, g.op('ReduceMean', [x], { axes: [-1], keepdims: 1 })]);
  const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: [-1], keepdims: 1 });
  const std = g.op('Sqrt', [g.op('Add', [variance, g.constant('eps', [1], Float32Array.of(1e-5))])]);
  return g.op('Add', [
    g.op('Mul', [g.op('Div', [centred, std]), g.constant(`${name}/gamma`, gamma.shape, gamma.data)]),
    g.constant(`${name}/beta`, beta.shape, beta.data),
  ]);
}

function tabTransformer(
  g: OnnxGraph,
  x: string,
  config: TabTransformerConfig,
  w: Weights,
  features: number,
  layout: { readonly names: readonly string[]; readonly featureToken: readonly number[] },
): string {
  const d = config.dModel;
  const heads = config.heads;
  const dh = d / heads;
  const G = layout.names.length;
  const L = G + 1;
  // Each feature scales its own d-vector into its variable's token: one [F, G·d] matrix, zero elsewhere.
  const fw = w('tokenizer/weights').data;
  const spread = new Float32Array(features * G * d);
  layout.featureToken.forEach((token, j) => spread.set(fw.subarray(j * d, (j + 1) * d), j * G * d + token * d));
  const tokenBias = w('tokenizer/bias');
  const tokens = g.op('Add', [
    g.op('Reshape', [g.op('MatMul', [x, g.constant('tokenizer/spread', [features, G * d], spread)]), g.ints('tokens_shape', [-1, G, d])]),
    g.constant('tokenizer/bias', tokenBias.shape, tokenBias.data),
  ]);
  // [CLS] for every stay: a zero [B, 1, 1] tensor (any [B, F] input times zeros) plus the [1, 1, d] token.
  const cls = w('cls');
  const batchZeros = g.op('Reshape', [
    g.op('MatMul', [x, g.constant('zeros', [features, 1], new Float32Array(features))]),
    g.ints('cls_shape', [-1, 1, 1]),
  ]);
  let h = g.op('Concat', [g.op('Add', [batchZeros, g.constant('cls', cls.shape, cls.data)]), tokens], { axis: 1 });
  const splitHeads = (t: string) =>
    g.op('Transpose', [g.op('Reshape', [t, g.ints('heads_shape', [-1, L, heads, dh])])], { perm: [0, 2, 1, 3] });
  const scale = g.constant('scale', [1], Float32Array.of(1 / Math.sqrt(dh)));
  for (let i = 0; i < config.layers; i++) {
    const n1 = layerNorm(g, h, `block${i}/ln1`, w);
    const [q, k, v] = ['query', 'key', 'value'].map((p) => splitHeads(dense(g, n1, `block${i}/${p}`, w)));
    const scores = g.op('Mul', [g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
    const attention = g.op('Softmax', [scores], { axis: -1 });
    const context = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [attention, v])], { perm: [0, 2, 1, 3] }),
      g.ints('context_shape', [-1, L, d]),
    ]);
    h = g.op('Add', [h, dense(g, context, `block${i}/proj`, w)]);
    const n2 = layerNorm(g, h, `block${i}/ln2`, w);
    h = g.op('Add', [h, dense(g, dense(g, n2, `block${i}/ff1`, w, true), `block${i}/ff2`, w)]);
  }
  const first = g.op('Reshape', [slice(g, h, 1, 0, 1), g.ints('cls_out_shape', [-1, d])]);
  return dense(g, layerNorm(g, first, 'final_ln', w), 'output', w);
}
