import { createDataset, type DatasetArrays } from './create-dataset.js';
import { SPLIT_CODE } from './types.js';

/** Three stays, two features, one hour of two channels. */
const arrays: DatasetArrays = {
  stayIds: [30, 10, 20],
  subjectIds: [3, 1, 1],
  labels: [0, 1, 0],
  splits: ['train', 'val', 'test'],
  tabular: { features: ['a', 'b'].map((name) => ({ name, variable: name, stat: 'static' as const })), values: [1, 2, 3, 4, 5, 6] },
  timeSeries: { channels: ['heart_rate', 'sbp'], hours: 1, values: [80, 120, 90, 110, 70, 130], mask: [1, 1, 0, 1, 1, 0] },
};

describe('createDataset', () => {
  it('copies the arrays into typed arrays, split names as codes, and describes them in the manifest', () => {
    const dataset = createDataset(arrays);
    expect(dataset.n).toBe(3);
    expect(dataset.stayIds).toEqual(Int32Array.from([30, 10, 20]));
    expect(dataset.splits).toEqual(Uint8Array.from([SPLIT_CODE.train, SPLIT_CODE.val, SPLIT_CODE.test]));
    expect(dataset.timeSeries.fillValues).toEqual(new Float32Array(2));
    expect(dataset.manifest).toMatchObject({
      createdBy: '@ehr-backdoor/data createDataset',
      source: { path: 'in-memory', mimicVersion: 'none' },
      windowHours: 1,
      cohort: { steps: [{ name: 'provided stays', remaining: 3 }], stays: 3, positives: 1 },
      splits: { train: { stays: 1, positives: 0, subjects: 1 }, val: { stays: 1, positives: 1, subjects: 1 }, test: { stays: 1, positives: 0, subjects: 1 } },
      splitFractions: { train: 1 / 3, val: 1 / 3, test: 1 / 3 },
    });
    expect(dataset.manifest.variables.map((v) => v.name)).toEqual(['heart_rate', 'sbp']);
  });

  it('gives the same content hash to the same data, another to other labels', () => {
    expect(createDataset(arrays).manifest.contentHash).toBe(createDataset({ ...arrays, splits: [0, 1, 2] }).manifest.contentHash);
    expect(createDataset({ ...arrays, labels: [1, 1, 0] }).manifest.contentHash).not.toBe(createDataset(arrays).manifest.contentHash);
  });

  it.each([
    ['no stays', { stayIds: [], subjectIds: [], labels: [], splits: [] }, 'E_EMPTY_DATASET'],
    ['a short labels array', { labels: [0] }, 'E_SHAPE'],
    ['a tabular matrix of the wrong size', { tabular: { ...arrays.tabular, values: [1] } }, 'E_SHAPE'],
    ['zero hours', { timeSeries: { ...arrays.timeSeries, hours: 0 } }, 'E_SHAPE'],
    ['a mask of the wrong size', { timeSeries: { ...arrays.timeSeries, mask: [1] } }, 'E_SHAPE'],
    ['a fill value too few', { timeSeries: { ...arrays.timeSeries, fillValues: [1] } }, 'E_SHAPE'],
    ['a label of 2', { labels: [0, 2, 0] }, 'E_LABEL'],
    ['an unknown split code', { splits: [0, 1, 5] }, 'E_SPLIT'],
    ['a repeated stay id', { stayIds: [1, 1, 2] }, 'E_DUPLICATE_STAY'],
  ] as const)('refuses %s with %s', (_what, change, code) => {
    expect(() => createDataset({ ...arrays, ...change } as DatasetArrays)).toThrow(expect.objectContaining({ name: 'InputError', code }));
  });
});
