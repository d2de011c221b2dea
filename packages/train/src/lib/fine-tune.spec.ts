import { InputError } from '@ehr-backdoor/core';
import { fineTuneModel, type FineTuneOptions } from './fine-tune.js';
import { rowsOfSplit } from './inputs.js';
import type { TrainedModel } from './model.js';
import { outputKernelIndex } from './prune.js';
import { fixtureDataset } from './testing/fixture.js';
import { trainModel } from './train.js';

const dataset = fixtureDataset();
const rows = { train: rowsOfSplit(dataset, 'train'), val: rowsOfSplit(dataset, 'val') };
const bytes = (m: TrainedModel) => Buffer.from(m.network.store.serialise());

describe('fineTuneModel', () => {
  let model: TrainedModel;
  let base: Omit<FineTuneOptions, 'model'>;
  beforeAll(async () => {
    model = (
      await trainModel({
        dataset,
        model: { kind: 'mlp', hidden: [16, 8], dropout: 0.2 },
        train: { epochs: 3, batchSize: 32, learningRate: 0.01 },
        seed: 5,
        backend: 'wasm',
      })
    ).model;
    base = { dataset, rows, epochs: 2, learningRate: 0.005, seed: 9 };
  });

  it('starts from the given weights, leaves them unchanged, and is deterministic by seed', async () => {
    const original = bytes(model);
    const a = await fineTuneModel({ ...base, model });
    const b = await fineTuneModel({ ...base, model });
    expect(bytes(model).equals(original)).toBe(true);
    expect(bytes(a.model).equals(bytes(b.model))).toBe(true);
    expect(a.history).toEqual(b.history);
    expect(a.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(bytes(a.model).equals(original)).toBe(false);
    const other = await fineTuneModel({ ...base, model, seed: 10 });
    expect(bytes(other.model).equals(bytes(a.model))).toBe(false);
    // From trained weights, not from scratch: a vanishing step leaves the model where it was.
    const still = await fineTuneModel({ ...base, model, learningRate: 1e-12, epochs: 1 });
    const before = model.predictLogits(dataset, rows.val);
    const after = still.model.predictLogits(dataset, rows.val);
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i], 5);
    expect(still.model.normalisation).toEqual(model.normalisation);
    for (const m of [a, b, other, still]) m.model.dispose();
  });

  it('holds pruned units at exactly zero while the others learn', async () => {
    const { model: tuned } = await fineTuneModel({ ...base, model, prunedUnits: [0, 3, 5] });
    const kernel = outputKernelIndex(tuned);
    const w = tuned.network.store.params[kernel].variable.dataSync() as Float32Array;
    const w0 = model.network.store.params[kernel].variable.dataSync() as Float32Array;
    expect([w[0], w[3], w[5]]).toEqual([0, 0, 0]);
    expect(w[1]).not.toBe(w0[1]);
    tuned.dispose();
  });

  it('refuses bad epochs, learning rates, seeds, rows and units before training', async () => {
    const code = async (patch: Partial<FineTuneOptions>) => {
      try {
        await fineTuneModel({ ...base, model, ...patch });
        return 'no error';
      } catch (error) {
        return error instanceof InputError ? error.code : String(error);
      }
    };
    expect(await code({ epochs: 0 })).toBe('E_FINE_TUNE');
    expect(await code({ epochs: 1.5 })).toBe('E_FINE_TUNE');
    expect(await code({ learningRate: 0 })).toBe('E_FINE_TUNE');
    expect(await code({ learningRate: NaN })).toBe('E_FINE_TUNE');
    expect(await code({ seed: 0.5 })).toBe('E_FINE_TUNE');
    expect(await code({ rows: { train: [], val: rows.val } })).toBe('E_FINE_TUNE');
    expect(await code({ rows: { train: [dataset.n], val: rows.val } })).toBe('E_ROWS');
    expect(await code({ prunedUnits: [8] })).toBe('E_PRUNE_UNITS');
  });

  afterAll(() => model.dispose());
});
