import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset } from './create-dataset.js';
import { loadDataset } from './load-dataset.js';
import { writeDataset } from './write-dataset.js';

// Three stays, two hours, two channels; one tabular feature with a NaN (never measured).
const arrays = {
  stayIds: [30, 10, 20],
  subjectIds: [3, 1, 2],
  labels: [1, 0, 0],
  splits: ['train', 'val', 'test'] as const,
  tabular: {
    features: [
      { name: 'heart_rate_max', variable: 'heart_rate', stat: 'max' as const },
      { name: 'age', variable: 'age', stat: 'static' as const },
    ],
    values: [120, 70, NaN, 55, 90, 80],
  },
  timeSeries: {
    channels: ['heart_rate', 'sbp'],
    hours: 2,
    values: [100, 120, 110, 118, 80, 130, 80, 125, 90, 140, 95, 135],
    mask: [1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1],
    fillValues: [85, 125],
  },
  seed: 4,
};

describe('writeDataset', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'write-dataset-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes what loadDataset reads back unchanged, with the same content hash', async () => {
    const dataset = createDataset(arrays);
    const { manifest } = await writeDataset(dataset, join(dir, 'ds'));
    const loaded = await loadDataset(join(dir, 'ds'));
    expect(loaded.n).toBe(3);
    expect(Array.from(loaded.stayIds)).toEqual([30, 10, 20]);
    expect(Array.from(loaded.subjectIds)).toEqual([3, 1, 2]);
    expect(Array.from(loaded.labels)).toEqual([1, 0, 0]);
    expect(Array.from(loaded.splits)).toEqual([0, 1, 2]);
    expect(Array.from(loaded.tabular.values)).toEqual([120, 70, NaN, 55, 90, 80]);
    expect(loaded.tabular.features).toEqual(arrays.tabular.features);
    expect(Array.from(loaded.timeSeries.values)).toEqual(arrays.timeSeries.values);
    expect(Array.from(loaded.timeSeries.mask)).toEqual(arrays.timeSeries.mask);
    expect(Array.from(loaded.timeSeries.fillValues)).toEqual([85, 125]);
    expect(loaded.timeSeries.channels).toEqual(['heart_rate', 'sbp']);
    expect(loaded.manifest.contentHash).toBe(dataset.manifest.contentHash);
    expect(loaded.manifest.normalisation).toEqual(dataset.manifest.normalisation);
    expect(Object.keys(manifest.files).sort()).toEqual(['tabular.arrow', 'timeseries.arrow']);
  });

  it('never overwrites an existing directory', async () => {
    await expect(writeDataset(createDataset(arrays), dir)).rejects.toMatchObject({ code: 'E_OUTPUT_EXISTS' });
  });

  it('records file hashes, so a damaged file is refused on load', async () => {
    await writeDataset(createDataset(arrays), join(dir, 'ds'));
    const path = join(dir, 'ds', 'tabular.arrow');
    const bytes = readFileSync(path);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(path, bytes);
    await expect(loadDataset(join(dir, 'ds'))).rejects.toMatchObject({ code: 'E_DATASET_CORRUPT' });
  });
});
