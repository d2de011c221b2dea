import { InputError } from '@ehr-backdoor/core';
import { validationAuroc } from './auroc.js';
import { fineTuneModel } from './fine-tune.js';
import { rowsOfSplit } from './inputs.js';
import { TrainedModel } from './model.js';
import { meanPenultimateActivation, outputKernelIndex, pruneByActivation } from './prune.js';
import { layerCut, pruneLayer, pruneLayerByActivation, prunedLayerOf } from './prune-layer.js';
import { fixtureDataset } from './testing/fixture.js';
import { trainModel } from './train.js';
import type { ModelConfig } from './config.js';

const dataset = fixtureDataset();
const train = rowsOfSplit(dataset, 'train');
const val = rowsOfSplit(dataset, 'val');
const labels = Array.from(val, (r) => dataset.labels[r]);
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof InputError ? error.code : `not an InputError: ${String(error)}`;
  }
  return 'no error';
};
const weightsOf = (m: TrainedModel, name: string) =>
  m.network.store.params.find((p) => p.name === name)?.variable.dataSync() as Float32Array;
const trained = async (model: ModelConfig) =>
  (await trainModel({ dataset, model, train: { epochs: 3, batchSize: 32, learningRate: 0.01 }, seed: 4, backend: 'wasm' })).model;

describe('the pruned layer of each model kind', () => {
  let tcn: TrainedModel, lstm: TrainedModel, mlp: TrainedModel;
  beforeAll(async () => {
    tcn = await trained({ kind: 'tcn', channels: 6, kernelSize: 2, dilations: [1, 2], dropout: 0 });
    lstm = await trained({ kind: 'lstm', hidden: 6, dropout: 0 });
    mlp = await trained({ kind: 'mlp', hidden: [12], dropout: 0 });
  });
  afterAll(() => [tcn, lstm, mlp].forEach((m) => m?.dispose()));

  it('a TCN channel is both pooled units it feeds, ranked by its mean over hours and stays', () => {
    const layer = prunedLayerOf(tcn);
    expect(layer.size).toBe(6);
    expect(layer.penultimate[2]).toEqual([2, 8]);
    const pruned = pruneLayer(tcn, [2]);
    const out = weightsOf(pruned, 'output/kernel');
    expect([out[2], out[8]]).toEqual([0, 0]);
    const before = weightsOf(tcn, 'output/kernel');
    const full = tcn.predictLogits(dataset, val);
    const cut = pruned.predictLogits(dataset, val);
    const { values, dim } = tcn.penultimate(dataset, val);
    for (let i = 0; i < val.length; i += 5)
      expect(cut[i]).toBeCloseTo(full[i] - values[i * dim + 2] * before[2] - values[i * dim + 8] * before[8], 4);
    pruned.dispose();
    const walk = pruneLayerByActivation(tcn, dataset, { rows: val, budget: 0.05 });
    const mean = meanPenultimateActivation(tcn, dataset, val);
    expect(Array.from(walk.layerActivation)).toEqual(Array.from({ length: 6 }, (_, c) => mean[6 + c]));
    for (let k = 1; k < walk.layerUnits.length; k++)
      expect(walk.layerActivation[walk.layerUnits[k]]).toBeGreaterThanOrEqual(walk.layerActivation[walk.layerUnits[k - 1]]);
    expect(walk.units).toEqual(walk.layerUnits.flatMap((c) => [c, 6 + c]));
    const again = pruneLayer(tcn, walk.layerUnits);
    expect(validationAuroc(again.predictLogits(dataset, val), labels).value).toBeCloseTo(walk.valAurocAfter, 3);
    again.dispose();
  });

  it('an LSTM hidden unit is cut from the logit and from the recurrence, and the walk runs the network again', () => {
    const layer = prunedLayerOf(lstm);
    expect(layer.recurrent).toBe(true);
    const pruned = pruneLayer(lstm, [1, 4]);
    const recurrent = weightsOf(pruned, 'lstm/recurrent_kernel');
    expect(recurrent.slice(24, 48).every((w) => w === 0) && recurrent.slice(96, 120).every((w) => w === 0)).toBe(true);
    expect(Array.from(recurrent.slice(0, 24))).toEqual(Array.from(weightsOf(lstm, 'lstm/recurrent_kernel').slice(0, 24)));
    expect([weightsOf(pruned, 'output/kernel')[1], weightsOf(pruned, 'output/kernel')[4]]).toEqual([0, 0]);
    pruned.dispose();
    const walk = pruneLayerByActivation(lstm, dataset, { rows: val, budget: 0.99 });
    expect(walk.layerUnits).toHaveLength(5);
    for (let k = 0; k <= walk.layerUnits.length; k++) {
      const cut = pruneLayer(lstm, walk.layerUnits.slice(0, k));
      expect(walk.curve[k]).toBeCloseTo(validationAuroc(cut.predictLogits(dataset, val), labels).value, 6);
      cut.dispose();
    }
  });

  it('on an MLP it is pruneByActivation, unit for unit', () => {
    const layer = pruneLayerByActivation(mlp, dataset, { rows: val, budget: 0.03 });
    const units = pruneByActivation(mlp, dataset, { rows: val, budget: 0.03 });
    expect(layer.layerUnits).toEqual(units.units);
    expect(layer.units).toEqual(units.units);
    expect(layer.curve).toEqual(units.curve);
    expect(Array.from(layer.meanActivation)).toEqual(Array.from(units.meanActivation));
  });

  it("fine-tuning holds an LSTM's cut units out of the logit and the recurrence", async () => {
    const { model: tuned } = await fineTuneModel({
      model: lstm,
      dataset,
      rows: { train, val },
      epochs: 1,
      learningRate: 0.01,
      seed: 2,
      prunedLayerUnits: [0, 5],
    });
    const recurrent = weightsOf(tuned, 'lstm/recurrent_kernel');
    expect(recurrent.slice(0, 24).every((w) => w === 0) && recurrent.slice(120, 144).every((w) => w === 0)).toBe(true);
    expect(recurrent.slice(24, 48).some((w, i) => w !== weightsOf(lstm, 'lstm/recurrent_kernel')[24 + i])).toBe(true);
    expect([weightsOf(tuned, 'output/kernel')[0], weightsOf(tuned, 'output/kernel')[5]]).toEqual([0, 0]);
    tuned.dispose();
  });

  it('refuses units outside the layer, naming the layer, and an LSTM without its recurrent kernel', () => {
    expect(codeOf(() => pruneLayer(tcn, [6]))).toBe('E_PRUNE_UNITS');
    expect(() => pruneLayer(tcn, [6])).toThrow(/6 is not one of the 6 channels of the TCN's last residual block/);
    expect(codeOf(() => layerCut(lstm, [3, 3]))).toBe('E_PRUNE_UNITS');
    const params = lstm.network.store.params.map((p) => (p.name === 'lstm/recurrent_kernel' ? { ...p, name: 'rnn/kernel' } : p));
    const foreign = new TrainedModel({ ...lstm.network, store: { ...lstm.network.store, params } as never }, lstm.normalisation, lstm.meta);
    expect(outputKernelIndex(foreign)).toBeGreaterThanOrEqual(0);
    expect(codeOf(() => prunedLayerOf(foreign, 'fine_pruning'))).toBe('E_PRUNE_UNSUPPORTED');
    expect(() => prunedLayerOf(foreign, 'fine_pruning')).toThrow(/^fine_pruning prunes an LSTM's hidden units/);
  });
});
