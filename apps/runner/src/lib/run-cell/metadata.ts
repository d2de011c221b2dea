import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { writeJsonAtomic } from '@ehr-backdoor/core';
import type { BackendInfo } from '@ehr-backdoor/train';
import type { CellRequest } from './request.js';
import { collectVersions } from '../versions.js';
import type { CellSetup } from './setup.js';

export const RUN_FORMAT_VERSION = 1;

/** run_metadata.json's provenance: written with status "running" when the cell starts, "done" with its timings at the end. */
export type CellMetadata = Awaited<ReturnType<typeof cellMetadata>>;

async function cellMetadata(request: CellRequest, setup: CellSetup, backend: BackendInfo) {
  const { cell, cellConfig, config, configHash, dataset, train, rateBasis, thresholdRule } = setup;
  return {
    formatVersion: RUN_FORMAT_VERSION,
    runId: `${cell.model}/${cell.trigger}/${cell.rate}/seed_${cell.seed}`,
    config,
    configHash,
    dataset: { path: request.dataDir, contentHash: dataset.manifest.contentHash, mimicVersion: dataset.manifest.source.mimicVersion },
    versions: await collectVersions(),
    variants: { model: cellConfig.modelVariant, attack: cellConfig.attackVariant },
    backend: { requested: cellConfig.backend, used: backend.name, description: train.describeBackend(backend), skipped: backend.skipped },
    seeds: { poisoning: cell.seed, training: cell.seed, bootstrap: cell.seed },
    measurement: { rateBasis, thresholdRule },
    platform: { os: platform(), release: release(), arch: arch() },
  };
}

/** Writes run_metadata.json with status "running" and returns its provenance for the final one. */
export async function startMetadata(
  dir: string,
  request: CellRequest,
  setup: CellSetup,
  backend: BackendInfo,
  started: number,
): Promise<CellMetadata> {
  const metadata = await cellMetadata(request, setup, backend);
  await writeJsonAtomic(join(dir, 'run_metadata.json'), {
    ...metadata,
    status: 'running',
    timings: { startedAt: new Date(started).toISOString() },
  });
  return metadata;
}
