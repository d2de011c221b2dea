import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError, assertInput, removeStaleTemporariesOf, sha256, writeDirectoryAtomic } from '@ehr-backdoor/core';
import { TABULAR_FILE, TIMESERIES_FILE, encodeTabular, encodeTimeSeries } from './arrow-files.js';
import type { DatasetManifest, EhrDataset } from './types.js';
import type { DataCode } from '../error-codes.js';

/** What {@link writeDataset} wrote. */
/** What `writeDataset` wrote. */
export interface WriteDatasetResult {
  /** The dataset directory, absolute. */
  readonly outDir: string;
  /** The manifest as written: the dataset's own, with the files' hashes and the layout `loadDataset` needs. */
  readonly manifest: DatasetManifest;
}

/**
 * Writes an in-memory dataset (typically from `createDataset`) as a dataset directory in the format
 * `prepareDataset` writes, so `loadDataset`, the CLI (`--data DIR`) and pyarrow read a study's own
 * cohort like a prepared MIMIC-IV one:
 *
 *   EhrDataset ─▶ tabular.arrow + timeseries.arrow ─▶ manifest.json (file hashes, layout) ─▶ renamed into place
 *
 * The manifest's `contentHash` is kept: it identifies the stays, labels and values, which writing does
 * not change. `hadm_id` is not part of the in-memory contract and is written as 0. An existing
 * `outDir` is never overwritten.
 */
export async function writeDataset(dataset: EhrDataset, outDir: string): Promise<WriteDatasetResult> {
  assertInput<DataCode>(typeof outDir === 'string' && outDir.length > 0, 'E_OPTION', () => 'writeDataset: outDir is required.');
  const { n, tabular, timeSeries } = dataset;
  const F = tabular.features.length;
  const cells = n * timeSeries.hours * timeSeries.channels.length;
  assertInput<DataCode>(
    tabular.values.length === n * F && timeSeries.values.length === cells && timeSeries.mask.length === cells && dataset.stayIds.length === n,
    'E_SHAPE',
    () => `writeDataset: the views do not match n = ${n} stays (tabular ${tabular.values.length} for ${n} × ${F}, time series ${timeSeries.values.length} for ${cells}).`,
  );
  const root = resolve(outDir);
  if (existsSync(root)) {
    throw new InputError<DataCode>('E_OUTPUT_EXISTS', `writeDataset: ${root} already exists. Datasets are never overwritten: choose another directory or delete it first.`, {
      path: root,
    });
  }
  const tabularBytes = encodeTabular({
    stayIds: dataset.stayIds,
    subjectIds: dataset.subjectIds,
    hadmIds: new Int32Array(n),
    labels: dataset.labels,
    splits: dataset.splits,
    features: tabular.features,
    values: tabular.values,
  });
  const timeSeriesBytes = encodeTimeSeries({
    stayIds: dataset.stayIds,
    hours: timeSeries.hours,
    channels: timeSeries.channels,
    values: timeSeries.values,
    mask: timeSeries.mask,
  });
  const manifest: DatasetManifest = {
    ...dataset.manifest,
    files: {
      [TABULAR_FILE]: { sha256: sha256(tabularBytes), bytes: tabularBytes.byteLength },
      [TIMESERIES_FILE]: { sha256: sha256(timeSeriesBytes), bytes: timeSeriesBytes.byteLength },
    },
    timeSeries: { channels: [...timeSeries.channels], hours: timeSeries.hours, fillValues: Array.from(timeSeries.fillValues) },
    tabularFeatures: [...tabular.features],
  };
  await removeStaleTemporariesOf(root);
  await writeDirectoryAtomic(root, async (tmp) => {
    await writeFile(join(tmp, TABULAR_FILE), tabularBytes);
    await writeFile(join(tmp, TIMESERIES_FILE), timeSeriesBytes);
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  });
  return { outDir: root, manifest };
}

