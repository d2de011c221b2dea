import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CompatibilityError, DataError, InputError, sha256 } from '@ehr-backdoor/core';
import { TABULAR_FILE, TIMESERIES_FILE, decodeTabular, decodeTimeSeries } from './arrow-files.js';
import type { DatasetManifest, EhrDataset } from './types.js';
import type { DataCode } from '../error-codes.js';

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /** Check each file's sha256 against the manifest (default true): a changed file is a different dataset. */
  readonly verify?: boolean;
}

/**
 * Reads a dataset directory written by `prepareDataset`. The n × T × C values and mask, and the
 * per-stay id/label/split columns, are typed-array views of the Arrow files' bytes (no copy); the
 * tabular matrix is transposed once from Arrow's columns to the contract's row-major layout.
 */
export async function loadDataset(dir: string, options: LoadOptions = {}): Promise<EhrDataset> {
  const root = resolve(dir);
  const manifestPath = join(root, 'manifest.json');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new InputError<DataCode>('E_DATASET_NOT_FOUND', `Dataset directory ${root} does not exist. Create it with \`ehr-backdoor prepare --mimic DIR --out ${dir}\`.`);
  }
  if (!existsSync(manifestPath)) {
    throw new InputError<DataCode>('E_DATASET_NOT_FOUND', `${root} has no manifest.json: it is not a dataset written by \`ehr-backdoor prepare\`.`);
  }
  let manifest: DatasetManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as DatasetManifest;
  } catch (error) {
    throw new DataError<DataCode>('E_DATASET_CORRUPT', `${manifestPath} is not valid JSON (${(error as Error).message}); re-create the dataset.`, {}, { cause: error });
  }
  if (manifest.formatVersion !== 1) {
    throw new CompatibilityError<DataCode>(
      'E_DATASET_FORMAT',
      `${manifestPath} has formatVersion ${String(manifest.formatVersion)}; this version of ehr-backdoor reads format 1. Re-create the dataset with this version's \`prepare\`.`,
    );
  }
  const { timeSeries, tabularFeatures } = manifest;
  if (!timeSeries || !tabularFeatures) {
    throw new CompatibilityError<DataCode>('E_DATASET_FORMAT', `${manifestPath} lacks the timeSeries/tabularFeatures layout written by \`prepare\`; re-create the dataset.`);
  }

  const read = async (name: string): Promise<Uint8Array> => {
    const path = join(root, name);
    if (!existsSync(path)) throw new DataError<DataCode>('E_DATASET_CORRUPT', `${path} is missing; the dataset is incomplete. Re-create it with \`ehr-backdoor prepare\`.`);
    const bytes = await readFile(path);
    const expected = manifest.files[name]?.sha256;
    if ((options.verify ?? true) && expected !== undefined && sha256(bytes) !== expected) {
      throw new DataError<DataCode>('E_DATASET_CORRUPT', `${path} does not match the sha256 in manifest.json: it was modified or damaged. Re-create the dataset.`);
    }
    // A Buffer may be a view into a shared pool: give Arrow the exact bytes so its views stay aligned and private.
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
  };
  const tab = decodeTabular(await read(TABULAR_FILE), TABULAR_FILE, tabularFeatures);
  const ts = decodeTimeSeries(await read(TIMESERIES_FILE), TIMESERIES_FILE, timeSeries.hours, timeSeries.channels);
  const n = tab.stayIds.length;
  const cells = n * timeSeries.hours * timeSeries.channels.length;
  if (ts.stayIds.length !== n || ts.values.length !== cells || ts.mask.length !== cells || manifest.cohort.stays !== n) {
    throw new DataError<DataCode>('E_DATASET_CORRUPT', `${root}: the Arrow files disagree on the number of stays (${n} tabular, ${ts.stayIds.length} time-series, ${manifest.cohort.stays} in the manifest).`);
  }
  for (let i = 0; i < n; i++) {
    if (tab.stayIds[i] !== ts.stayIds[i]) {
      throw new DataError<DataCode>('E_DATASET_CORRUPT', `${root}: ${TABULAR_FILE} and ${TIMESERIES_FILE} list stays in a different order (row ${i}).`);
    }
  }
  return {
    manifest,
    n,
    stayIds: tab.stayIds,
    subjectIds: tab.subjectIds,
    labels: tab.labels,
    splits: tab.splits,
    tabular: { features: tabularFeatures, values: tab.values },
    timeSeries: {
      channels: timeSeries.channels,
      hours: timeSeries.hours,
      values: ts.values,
      mask: ts.mask,
      fillValues: Float32Array.from(timeSeries.fillValues),
    },
  };
}
