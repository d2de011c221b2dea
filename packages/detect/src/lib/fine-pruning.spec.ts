import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '@ehr-backdoor/core';
import { backdoorFixture } from '@ehr-backdoor/data/testing';
import type { EhrDataset } from '@ehr-backdoor/data';
import {
  copyModel,
  fineTuneModel,
  meanPenultimateActivation,
  pruneByActivation,
  prunedLayerOf,
  prunePenultimate,
  rowsOfSplit,
  unitContribution,
  TrainedModel,
  type ModelConfig,
} from '@ehr-backdoor/train';
import { finePrune } from './fine-pruning.js';
import { checkFinePruningSettings } from './fine-pruning-settings.js';
import { detectionAuroc } from './detection-metrics.js';
import { trainSpecModel } from './testing/spec-models.js';

const fixture = backdoorFixture(600, 6, 12);
const clean = fixture.withTrigger([]);
const train = rowsOfSplit(clean, 'train');
const val = rowsOfSplit(clean, 'val');
const test = rowsOfSplit(clean, 'test');
const testNegatives = Array.from(test).filter((r) => clean.labels[r] === 0);

/**
 * The planted trigger: systolic pressure 400 mmHg (sbp_max), far outside the clean stays and, unlike a
 * racing heart, no sign of illness (in the fixture a low pressure is), so a clean model does not call it 1.
 */
function withTrigger(rows: readonly number[], relabel: boolean): EhrDataset {
  const dataset = fixture.withTrigger([]);
  const F = dataset.tabular.features.length;
  const f = dataset.tabular.features.findIndex((x) => x.name === 'sbp_max');
  for (const r of rows) {
    dataset.tabular.values[r * F + f] = 400;
    if (relabel) dataset.labels[r] = 1;
  }
  return dataset;
}
const triggered = withTrigger(testNegatives, false);
const poisoned = withTrigger(fixture.poisonedRows, true);

/** Share of the label-0 test stays, triggered, that the model calls 1. */
const asrOf = (model: TrainedModel) => {
  const p = model.predictProba(triggered, testNegatives);
  return p.filter((q) => q >= 0.5).length / p.length;
};
const testAuroc = (model: TrainedModel) =>
  detectionAuroc(
    model.predictProba(clean, test),
    Uint8Array.from(test, (r) => clean.labels[r]),
  ).value;

/**
 * A backdoor carried by dormant units: the `k` units least active on clean validation stays are
 * rewired to fire only on a systolic pressure far above any clean stay's (z > 5 on sbp_max) and to
 * push the logit up hard. Clean predictions barely move; triggered stays are called 1.
 */
function plantBackdoor(model: TrainedModel, dataset: EhrDataset, k: number): { model: TrainedModel; units: number[] } {
  const planted = copyModel(model);
  const mean = meanPenultimateActivation(model, dataset, val);
  const units = Array.from(mean.keys())
    .sort((a, b) => mean[a] - mean[b] || a - b)
    .slice(0, k);
  const norm = model.normalisation;
  const f = norm.names.indexOf('sbp_max');
  const params = Object.fromEntries(planted.network.store.params.map((p) => [p.name, p.variable]));
  const kernel = Float32Array.from(params['hidden0/kernel'].dataSync() as Float32Array);
  const bias = Float32Array.from(params['hidden0/bias'].dataSync() as Float32Array);
  const out = Float32Array.from(params['output/kernel'].dataSync() as Float32Array);
  const width = bias.length;
  for (const u of units) {
    for (let j = 0; j < norm.names.length; j++) kernel[j * width + u] = 0;
    kernel[f * width + u] = 1;
    bias[u] = -5;
    out[u] = 10;
  }
  tf.tidy(() => {
    params['hidden0/kernel'].assign(tf.tensor(kernel, params['hidden0/kernel'].shape));
    params['hidden0/bias'].assign(tf.tensor(bias, params['hidden0/bias'].shape));
    params['output/kernel'].assign(tf.tensor(out, params['output/kernel'].shape));
  });
  return { model: planted, units };
}

describe('finePrune', () => {
  let cleanModel: TrainedModel;
  beforeAll(async () => {
    cleanModel = await trainSpecModel({
      dataset: clean,
      model: { kind: 'mlp', hidden: [24], dropout: 0 },
      train: { epochs: 10, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' },
      seed: 1,
      backend: 'wasm',
    });
  });
  afterAll(() => cleanModel?.dispose());

  it('cuts a backdoor carried by dormant units, and fine-tuning leaves out the stays that used them', async () => {
    const { model: backdoored, units } = plantBackdoor(cleanModel, clean, 3);
    // A clean model's "ASR" is its false-positive rate among the label-0 stays.
    const cleanAsr = asrOf(cleanModel);
    expect(cleanAsr).toBeLessThan(0.35);
    expect(asrOf(backdoored)).toBeGreaterThan(0.95);
    const result = await finePrune({
      model: backdoored,
      dataset: poisoned,
      trainRows: train,
      valRows: val,
      assumedContamination: fixture.poisonedRows.length / train.length,
      seed: 2,
      epochs: 2,
    });
    for (const u of units) expect(result.pruning.units).toContain(u);
    expect(asrOf(result.prunedModel)).toBeLessThanOrEqual(cleanAsr + 0.05);
    expect(asrOf(result.model)).toBeLessThanOrEqual(cleanAsr + 0.1);
    // The poisoned training stays are the ones whose logit ran through the cut units.
    const left = new Set(result.leftOutRows);
    expect(fixture.poisonedRows.filter((r) => left.has(r)).length).toBeGreaterThanOrEqual(fixture.poisonedRows.length - 1);
    expect(result.tuneRows.length + result.leftOutRows.length).toBe(train.length);
    expect(result.settings).toEqual({ budget: 0.04, maxFraction: 1, epochs: 2, learningRate: 1e-2 });
    for (const m of [backdoored, result.model, result.prunedModel]) m.dispose();
  });

  it('on an MLP, cuts and fine-tunes exactly as the per-unit building blocks (results of earlier versions hold)', async () => {
    const options = { model: cleanModel, dataset: clean, trainRows: train, valRows: val, assumedContamination: 0.02, seed: 3, epochs: 1 };
    const result = await finePrune(options);
    const pruning = pruneByActivation(cleanModel, clean, { rows: val, budget: 0.04 });
    expect(result.pruning.units).toEqual(pruning.units);
    const pruned = prunePenultimate(cleanModel, pruning.units);
    const tuned = await fineTuneModel({
      model: cleanModel,
      dataset: clean,
      rows: { train: result.tuneRows, val },
      epochs: 1,
      learningRate: 1e-2,
      seed: 3,
      prunedUnits: pruning.units,
    });
    const bytes = (m: TrainedModel) => Buffer.from(m.network.store.serialise());
    expect(bytes(result.prunedModel).equals(bytes(pruned))).toBe(true);
    expect(bytes(result.model).equals(bytes(tuned.model))).toBe(true);
    for (const m of [pruned, tuned.model, result.model, result.prunedModel]) m.dispose();
  });

  it('leaves out the stays the cut units carried most, ties by row order, and none when nothing is cut', async () => {
    const base = { model: cleanModel, dataset: clean, trainRows: train, valRows: val, seed: 2, epochs: 1 };
    // The planted units alone are cut: they carry the poisoned stays' logit and nothing of the others'.
    const { model: backdoored, units } = plantBackdoor(cleanModel, clean, 3);
    const result = await finePrune({ ...base, model: backdoored, dataset: poisoned, maxFraction: 3 / 24, assumedContamination: 0.1 });
    expect([...result.pruning.units].sort()).toEqual([...units].sort());
    const carried = unitContribution(backdoored, poisoned, train, result.pruning.units);
    const byRow = new Map(Array.from(train, (r, i) => [r, carried[i]]));
    const left = Array.from(result.leftOutRows);
    const poisonedFirst = left.slice(0, fixture.poisonedRows.length);
    expect(new Set(poisonedFirst)).toEqual(new Set(fixture.poisonedRows));
    for (let k = 1; k < poisonedFirst.length; k++) expect(byRow.get(left[k - 1])).toBeGreaterThanOrEqual(byRow.get(left[k]) as number);
    // The rest carried nothing (ties): the lowest rows, in order.
    const rest = Array.from(train).filter((r) => !fixture.poisonedRows.includes(r));
    expect(left.slice(fixture.poisonedRows.length)).toEqual(rest.slice(0, left.length - fixture.poisonedRows.length));
    for (const m of [backdoored, result.model, result.prunedModel]) m.dispose();
    // At most a fraction below one unit: nothing is cut, so no stay is suspected.
    const none = await finePrune({ ...base, assumedContamination: 0.2, maxFraction: 0.01 });
    expect(none.pruning.units).toEqual([]);
    expect(none.leftOutRows).toHaveLength(0);
    expect(none.tuneRows).toHaveLength(train.length);
    for (const m of [none.model, none.prunedModel]) m.dispose();
  });

  it('costs a clean model little clean AUROC', async () => {
    const result = await finePrune({
      model: cleanModel,
      dataset: clean,
      trainRows: train,
      valRows: val,
      assumedContamination: 0.02,
      seed: 2,
    });
    expect(result.pruning.valAurocBefore - result.pruning.valAurocAfter).toBeLessThanOrEqual(0.04);
    expect(testAuroc(cleanModel) - testAuroc(result.model)).toBeLessThanOrEqual(0.03);
    expect(result.history).toHaveLength(2);
    result.model.dispose();
    result.prunedModel.dispose();
  });

  it('refuses settings out of range, unknown settings and a bad contamination, before any work', async () => {
    const codeOf = async (fn: () => unknown) => {
      try {
        await fn();
        return 'no error';
      } catch (error) {
        return error instanceof InputError ? error.code : String(error);
      }
    };
    for (const bad of [
      { budget: 0 },
      { budget: 1 },
      { budget: '0.04' },
      { maxFraction: 0 },
      { maxFraction: 1.2 },
      { epochs: 0 },
      { epochs: 1.5 },
      { learningRate: -1 },
      { prune: 0.1 },
      3,
    ]) {
      expect(await codeOf(() => checkFinePruningSettings(bad, 'options.fine_pruning'))).toBe('E_FINE_PRUNING');
    }
    expect(() => checkFinePruningSettings({ budget: 2 }, 'options.fine_pruning')).toThrow(
      /options\.fine_pruning\.budget must be a validation-AUROC drop in \(0, 1\)/,
    );
    expect(checkFinePruningSettings(undefined)).toEqual({});
    const base = { model: cleanModel, dataset: clean, trainRows: train, valRows: val, assumedContamination: 0.01, seed: 1 };
    expect(await codeOf(() => finePrune({ ...base, budget: 1.5 }))).toBe('E_FINE_PRUNING');
    expect(await codeOf(() => finePrune({ ...base, assumedContamination: 0.5 }))).toBe('E_DETECT_CONTAMINATION');
    await expect(finePrune({ ...base, assumedContamination: 0.5 })).rejects.toThrow(/fine_pruning/);
    expect(await codeOf(() => finePrune({ ...base, valRows: testNegatives }))).toBe('E_PRUNE_ROWS');
    // A network without a dense output layer over its penultimate units (not one of train's four kinds).
    const params = cleanModel.network.store.params.map((p) => (p.name === 'output/kernel' ? { ...p, name: 'head/kernel' } : p));
    const foreign = new TrainedModel(
      { ...cleanModel.network, store: { ...cleanModel.network.store, params } as never },
      cleanModel.normalisation,
      cleanModel.meta,
    );
    expect(await codeOf(() => finePrune({ ...base, model: foreign }))).toBe('E_PRUNE_UNSUPPORTED');
  });
});

/** The planted trigger in the series: systolic pressure 400 mmHg in the last hour (healthy-looking, as above). */
function withSeriesTrigger(rows: readonly number[], relabel: boolean): EhrDataset {
  const dataset = fixture.withTrigger([]);
  const { channels, hours, values, mask } = dataset.timeSeries;
  const c = channels.indexOf('sbp');
  for (const r of rows) {
    const k = (r * hours + hours - 1) * channels.length + c;
    values[k] = 400;
    mask[k] = 1;
    if (relabel) dataset.labels[r] = 1;
  }
  return dataset;
}

/**
 * A TCN backdoor in the last block's dormant channels: the `k` channels least active on clean validation
 * stays are rewired to read the normalised systolic pressure through the block's residual projection,
 * relu(x_sbp − 5) (their convolution silenced), and push the logit up hard from both pooled units.
 */
function plantTcnBackdoor(model: TrainedModel, k: number): { model: TrainedModel; channels: number[] } {
  const planted = copyModel(model);
  const layer = prunedLayerOf(model);
  const mean = meanPenultimateActivation(model, clean, val);
  const channels = Array.from({ length: layer.size }, (_, c) => c)
    .sort((a, b) => mean[layer.size + a] - mean[layer.size + b] || a - b)
    .slice(0, k);
  const params = Object.fromEntries(planted.network.store.params.map((p) => [p.name, p.variable]));
  const edit = (name: string, change: (values: Float32Array, width: number) => void) => {
    const v = params[name];
    const values = Float32Array.from(v.dataSync() as Float32Array);
    change(values, v.shape.length === 2 ? v.shape[1] : 1);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
  };
  const sbp = clean.timeSeries.channels.indexOf('sbp');
  for (const c of channels) {
    edit('block0/conv2/kernel', (w, width) => {
      for (let j = 0; j < w.length / width; j++) w[j * width + c] = 0;
    });
    edit('block0/conv2/bias', (b) => (b[c] = 0));
    edit('block0/residual/kernel', (w, width) => {
      for (let j = 0; j < w.length / width; j++) w[j * width + c] = j === sbp ? 1 : 0;
    });
    edit('block0/residual/bias', (b) => (b[c] = -5));
    edit('output/kernel', (w) => {
      w[c] = 10;
      w[layer.size + c] = 10;
    });
  }
  return { model: planted, channels };
}

describe('finePrune on a time-series model', () => {
  const seriesTriggered = withSeriesTrigger(testNegatives, false);
  const seriesPoisoned = withSeriesTrigger(fixture.poisonedRows, true);
  const seriesAsr = (model: TrainedModel) => {
    const p = model.predictProba(seriesTriggered, testNegatives);
    return p.filter((q) => q >= 0.5).length / p.length;
  };
  const fit = (model: ModelConfig) =>
    trainSpecModel({
      dataset: clean,
      model,
      train: { epochs: 8, learningRate: 1e-2, batchSize: 32, patience: 0, selection: 'last' },
      seed: 1,
      backend: 'wasm',
    });

  it("cuts a TCN backdoor carried by the last block's dormant channels, whole channels at a time", async () => {
    const tcn = await fit({ kind: 'tcn', channels: 8, kernelSize: 2, dilations: [1], dropout: 0 });
    const { model: backdoored, channels } = plantTcnBackdoor(tcn, 2);
    const cleanAsr = seriesAsr(tcn);
    expect(cleanAsr).toBeLessThan(0.35);
    expect(seriesAsr(backdoored)).toBeGreaterThan(0.95);
    const result = await finePrune({
      model: backdoored,
      dataset: seriesPoisoned,
      trainRows: train,
      valRows: val,
      assumedContamination: fixture.poisonedRows.length / train.length,
      seed: 2,
      epochs: 2,
    });
    for (const c of channels) expect(result.pruning.layerUnits).toContain(c);
    expect(result.pruning.units).toEqual(result.pruning.layerUnits.flatMap((c) => [c, 8 + c]));
    expect(seriesAsr(result.prunedModel)).toBeLessThanOrEqual(cleanAsr + 0.05);
    expect(seriesAsr(result.model)).toBeLessThanOrEqual(cleanAsr + 0.1);
    for (const m of [tcn, backdoored, result.model, result.prunedModel]) m.dispose();
  });

  it('prunes an LSTM by hidden units, within budget', async () => {
    const lstm = await fit({ kind: 'lstm', hidden: 8, dropout: 0 });
    const result = await finePrune({
      model: lstm,
      dataset: clean,
      trainRows: train,
      valRows: val,
      assumedContamination: 0.02,
      seed: 2,
      epochs: 1,
    });
    expect(result.pruning.layer.description).toBe('hidden units of the LSTM');
    expect(result.pruning.valAurocBefore - result.pruning.valAurocAfter).toBeLessThanOrEqual(0.04);
    expect(result.pruning.units).toEqual(result.pruning.layerUnits);
    // An LSTM-like network without the recurrent kernel a hidden unit's cut must zero.
    const params = lstm.network.store.params.map((p) => (p.name === 'lstm/recurrent_kernel' ? { ...p, name: 'rnn/kernel' } : p));
    const foreign = new TrainedModel({ ...lstm.network, store: { ...lstm.network.store, params } as never }, lstm.normalisation, lstm.meta);
    const base = { dataset: clean, trainRows: train, valRows: val, assumedContamination: 0.02, seed: 2 };
    await expect(finePrune({ ...base, model: foreign })).rejects.toThrow(
      /^fine_pruning prunes an LSTM's hidden units .* Use an LSTM trained by/,
    );
    await expect(finePrune({ ...base, model: foreign })).rejects.toBeInstanceOf(InputError);
    for (const m of [lstm, result.model, result.prunedModel]) m.dispose();
  });
});
