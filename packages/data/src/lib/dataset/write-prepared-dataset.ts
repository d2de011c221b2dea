import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, hashJson, sha256, writeDirectoryAtomic } from '@ehr-backdoor/core';
import type { CohortArrays } from '../cohort/build-cohort.js';
import { DEFAULT_LABEL_DEFINITION } from '../cohort/cohort-sql.js';
import type { AggregatedFeatures } from '../features/aggregate-features.js';
import { relativeName, type MimicVersion } from '../mimic/schema.js';
import type { LocatedTables } from '../mimic/tables.js';
import type { ClinicalVariable } from '../variables.js';
import { TABULAR_FILE, TIMESERIES_FILE, encodeTabular, encodeTimeSeries } from './arrow-files.js';
import type { PrepareConfig } from './prepare-options.js';
import type { SplitDataset } from './split-and-normalise.js';
import type { DatasetManifest, EhrDataset } from './types.js';
import type { DataCode } from '../error-codes.js';

/**
 * The `write` phase of `prepare`: the Arrow files encoded, the manifest (provenance, cohort flow, statistics,
 * file hashes, content hash), all written to a temporary sibling of `outDir` and renamed into place.
 */
export interface PreparedParts {
  readonly config: PrepareConfig;
  readonly tables: LocatedTables;
  readonly version: MimicVersion;
  readonly cohort: CohortArrays;
  readonly variables: readonly ClinicalVariable[];
  readonly aggregated: AggregatedFeatures;
  readonly split: SplitDataset;
}

export async function writePreparedDataset(parts: PreparedParts): Promise<{ manifest: DatasetManifest; dataset: EhrDataset }> {
  const { config, cohort, aggregated, split } = parts;
  const { grid, tabular } = aggregated;
  const tabularBytes = encodeTabular({
    stayIds: cohort.stayIds,
    subjectIds: cohort.subjectIds,
    hadmIds: cohort.hadmIds,
    labels: cohort.labels,
    splits: split.splits,
    features: split.features,
    values: tabular.values,
  });
  const channels = parts.variables.map((v) => v.name);
  const timeSeriesBytes = encodeTimeSeries({ stayIds: cohort.stayIds, hours: config.windowHours, channels, values: grid.values, mask: grid.mask });
  const files = {
    [TABULAR_FILE]: { sha256: sha256(tabularBytes), bytes: tabularBytes.byteLength },
    [TIMESERIES_FILE]: { sha256: sha256(timeSeriesBytes), bytes: timeSeriesBytes.byteLength },
  };
  const manifest = await preparedManifest(parts, files);
  await writeDirectoryAtomic(config.outDir, async (tmp) => {
    await writeFile(join(tmp, TABULAR_FILE), tabularBytes);
    await writeFile(join(tmp, TIMESERIES_FILE), timeSeriesBytes);
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  });
  const dataset: EhrDataset = {
    manifest,
    n: cohort.stayIds.length,
    stayIds: cohort.stayIds,
    subjectIds: cohort.subjectIds,
    labels: cohort.labels,
    splits: split.splits,
    tabular: { features: split.features, values: tabular.values },
    timeSeries: { channels, hours: config.windowHours, values: grid.values, mask: grid.mask, fillValues: split.fillValues },
  };
  return { manifest, dataset };
}

async function preparedManifest(parts: PreparedParts, files: Record<string, { sha256: string; bytes: number }>): Promise<DatasetManifest> {
  const { config, tables, version, cohort, variables, aggregated, split } = parts;
  const n = cohort.stayIds.length;
  const T = config.windowHours;
  const positives = cohort.labels.reduce((a, y) => a + y, 0);
  // The default label stays out of the content hash, so datasets prepared before the choice existed keep theirs.
  const content = {
    task: 'mortality' as const,
    ...(config.labelDefinition !== DEFAULT_LABEL_DEFINITION ? { labelDefinition: config.labelDefinition } : {}),
    windowHours: T,
    seed: config.seed,
    cohort: { steps: cohort.steps, stays: n, positives },
    variables,
    outOfRange: aggregated.outOfRange,
    measurements: aggregated.measurements,
    splits: split.summary,
    splitFractions: config.splitFractions,
    normalisation: split.normalisation,
    timeSeries: { channels: variables.map((v) => v.name), hours: T, fillValues: Array.from(split.fillValues) },
    tabularFeatures: split.features,
  };
  // A directory written by `synth` says so; its layout is MIMIC-IV's but no figure from it is about patients.
  const synthetic = await readSyntheticMarker(config.mimicDir);
  const mimicVersion = synthetic ? `synthetic (MIMIC-IV ${version.version} layout)` : version.version;
  return {
    formatVersion: 1,
    createdBy: '@ehr-backdoor/data prepareDataset',
    source: {
      path: config.mimicDir,
      mimicVersion,
      ...(synthetic ? { synthetic } : {}),
      versionEvidence: version.evidence,
      files: Object.fromEntries(Object.values(tables).map((t) => [relativeName(t), { bytes: t.bytes }])),
    },
    ...content,
    labelDefinition: config.labelDefinition,
    files,
    contentHash: datasetContentHash(files, { ...content, mimicVersion }),
    warnings: split.warnings,
  };
}

/**
 * The dataset's identity: the data files' hashes and every manifest field that describes content.
 * Paths, tool names and resource settings are left out, so the same data prepared on two machines
 * has the same hash.
 */
export function datasetContentHash(files: Record<string, { sha256: string }>, content: Record<string, unknown>): string {
  return hashJson({ files: Object.fromEntries(Object.entries(files).map(([name, f]) => [name, f.sha256])), content });
}

async function readSyntheticMarker(mimicDir: string): Promise<{ generator: string; seed: number; stays: number } | undefined> {
  const path = join(mimicDir, 'synthetic.json');
  if (!existsSync(path)) return undefined;
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as { generator?: string; seed?: number; stays?: number };
    return { generator: String(marker.generator ?? 'unknown'), seed: Number(marker.seed), stays: Number(marker.stays) };
  } catch {
    throw new DataError<DataCode>('E_BAD_SYNTHETIC_MARKER', `${path} is not valid JSON: remove it if the data is real MIMIC-IV, or regenerate the synthetic directory.`);
  }
}
