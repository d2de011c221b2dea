import { InputError } from '@ehr-backdoor/core';
import { validationAuroc } from './auroc.js';
import { rowsOfSplit } from './inputs.js';
import { TrainedModel } from './model.js';
import {
  assertPrunable,
  copyModel,
  meanPenultimateActivation,
  outputKernelIndex,
  pruneByActivation,
  prunePenultimate,
  unitContribution,
} from './prune.js';
import { fixtureDataset } from './testing/fixture.js';
import { trainModel } from './train.js';
import { MODEL_KINDS, type ModelKind } from './config.js';

const dataset = fixtureDataset();
const val = rowsOfSplit(dataset, 'val');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof InputError ? error.code : `not an InputError: ${String(error)}`;
  }
  return 'no error';
};
const outputWeights = (m: TrainedModel) => m.network.store.params[outputKernelIndex(m)].variable.dataSync() as Float32Array;

describe('penultimate pruning', () => {
  let model: TrainedModel;
  beforeAll(async () => {
    model = (
      await trainModel({
        dataset,
        model: { kind: 'mlp', hidden: [16, 12], dropout: 0 },
        train: { epochs: 4, batchSize: 32, learningRate: 0.01 },
        seed: 3,
        backend: 'wasm',
      })
    ).model;
  });

  it('cuts a unit by zeroing its output weight, in a copy, and the logits lose exactly its part', () => {
    const before = Float32Array.from(outputWeights(model));
    const pruned = prunePenultimate(model, [1, 4]);
    expect(Array.from(outputWeights(model))).toEqual(Array.from(before));
    const after = outputWeights(pruned);
    expect([after[1], after[4]]).toEqual([0, 0]);
    expect(Array.from(after).filter((_, u) => u !== 1 && u !== 4)).toEqual(Array.from(before).filter((_, u) => u !== 1 && u !== 4));
    const full = model.predictLogits(dataset, val);
    const cut = pruned.predictLogits(dataset, val);
    const { values, dim } = model.penultimate(dataset, val);
    const carried = unitContribution(model, dataset, val, [1, 4]);
    for (let i = 0; i < val.length; i++) {
      const part = values[i * dim + 1] * before[1] + values[i * dim + 4] * before[4];
      expect(cut[i]).toBeCloseTo(full[i] - part, 4);
      expect(carried[i]).toBeCloseTo(Math.abs(values[i * dim + 1] * before[1]) + Math.abs(values[i * dim + 4] * before[4]), 5);
    }
    pruned.dispose();
  });

  it('walks units in increasing mean activation and stops within the validation-AUROC budget', () => {
    const labels = Array.from(val, (r) => dataset.labels[r]);
    const result = pruneByActivation(model, dataset, { rows: val, budget: 0.02 });
    const mean = meanPenultimateActivation(model, dataset, val);
    expect(Array.from(result.meanActivation)).toEqual(Array.from(mean));
    for (let k = 1; k < result.units.length; k++) expect(mean[result.units[k]]).toBeGreaterThanOrEqual(mean[result.units[k - 1]]);
    expect(result.valAurocBefore - result.valAurocAfter).toBeLessThanOrEqual(0.02);
    expect(result.valAurocBefore).toBeCloseTo(validationAuroc(model.predictLogits(dataset, val), labels).value, 6);
    // The walk stopped at the first cut over budget, or ran out of units (one is always kept).
    if (result.curve.length > result.units.length + 1)
      expect(result.valAurocBefore - result.curve[result.units.length + 1]).toBeGreaterThan(0.02);
    else expect(result.units.length).toBe(result.penultimateSize - 1);
    // The host-side walk agrees with the network run with the units cut.
    const pruned = prunePenultimate(model, result.units);
    expect(validationAuroc(pruned.predictLogits(dataset, val), labels).value).toBeCloseTo(result.valAurocAfter, 3);
    pruned.dispose();
    const capped = pruneByActivation(model, dataset, { rows: val, budget: 0.99, maxFraction: 0.25 });
    expect(capped.units.length).toBe(3);
  });

  it('copies a model to independent weights', () => {
    const copy = copyModel(model);
    expect(Buffer.from(copy.network.store.serialise()).equals(Buffer.from(model.network.store.serialise()))).toBe(true);
    copy.dispose();
    expect(model.predictLogits(dataset, [0]).length).toBe(1);
  });

  it('refuses budgets and fractions out of range, unknown units, one-class validation rows', () => {
    for (const budget of [0, 1, -0.1, NaN])
      expect(codeOf(() => pruneByActivation(model, dataset, { rows: val, budget }))).toBe('E_PRUNE_BUDGET');
    for (const maxFraction of [0, 1.5])
      expect(codeOf(() => pruneByActivation(model, dataset, { rows: val, budget: 0.04, maxFraction }))).toBe('E_PRUNE_BUDGET');
    expect(codeOf(() => prunePenultimate(model, [12]))).toBe('E_PRUNE_UNITS');
    expect(codeOf(() => prunePenultimate(model, [2, 2]))).toBe('E_PRUNE_UNITS');
    const negatives = Array.from(val).filter((r) => dataset.labels[r] === 0);
    expect(codeOf(() => pruneByActivation(model, dataset, { rows: negatives, budget: 0.04 }))).toBe('E_PRUNE_ROWS');
  });

  it('refuses a network without a dense output layer over its penultimate units', () => {
    const params = model.network.store.params.map((p) => (p.name === 'output/kernel' ? { ...p, name: 'head/kernel' } : p));
    const foreign = new TrainedModel(
      { ...model.network, store: { ...model.network.store, params } as never },
      model.normalisation,
      model.meta,
    );
    expect(codeOf(() => prunePenultimate(foreign, [0]))).toBe('E_PRUNE_UNSUPPORTED');
    expect(() => prunePenultimate(foreign, [0])).toThrow(/output layer 'output\/kernel'.*mlp, tabtransformer, lstm or tcn/);
    expect(() => assertPrunable(foreign, 'fine_pruning')).toThrow(/^fine_pruning needs a model whose output layer/);
    expect(() => assertPrunable(model, 'fine_pruning')).not.toThrow();
  });

  afterAll(() => model.dispose());
});

describe('every model kind has a prunable penultimate layer', () => {
  const small: Record<ModelKind, object> = {
    mlp: {},
    tabtransformer: { dModel: 8, heads: 2, layers: 1 },
    lstm: { hidden: 4 },
    tcn: { channels: 4, dilations: [1] },
  };
  it.each(MODEL_KINDS)('%s', async (kind) => {
    const { model } = await trainModel({
      dataset,
      model: { kind, ...small[kind] } as never,
      train: { epochs: 1, batchSize: 64 },
      seed: 1,
      backend: 'wasm',
    });
    const pruned = prunePenultimate(model, [0]);
    expect(outputWeights(pruned)[0]).toBe(0);
    expect(outputWeights(pruned).length).toBe(model.network.penultimateSize);
    const full = model.predictLogits(dataset, val);
    const cut = pruned.predictLogits(dataset, val);
    const { values, dim } = model.penultimate(dataset, val);
    const w0 = outputWeights(model)[0];
    for (let i = 0; i < val.length; i += 7) expect(cut[i]).toBeCloseTo(full[i] - values[i * dim] * w0, 4);
    pruned.dispose();
    model.dispose();
  });
});
