import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, DataError, InputError, sha256, writeDirectoryAtomic, type RandomState } from '@ehr-backdoor/core';
import type { BackendName } from './backend.js';
import type { ModelConfig, TrainConfig } from './config.js';
import type { InputNormalisation, InputShape } from './inputs.js';
import type { TokenLayout } from './models/network.js';
import type { ParamSpec } from './params.js';
import type { TrainCode } from './error-codes.js';

/**
 * Checkpoints on disk: plain JSON plus raw little-endian float32 files, listed with their sha256 in a
 * manifest. Loading parses JSON and copies bytes; it never evaluates code.
 *
 *   <run dir>/epoch-0007/  checkpoint.json  weights.bin  optimizer.bin  manifest.json   (full, every epoch)
 *   <run dir>/final/       checkpoint.json  weights.bin                 manifest.json   (weights only, the selected epoch)
 *
 * Each directory is written whole (temporary sibling, then rename); only the last `keepLast` epochs
 * and the best one are kept.
 */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** One epoch of training history: losses and validation AUROC. */
export interface EpochRecord {
  readonly epoch: number;
  /** Class-weighted binary cross-entropy, mean over the epoch's training rows. */
  readonly trainLoss: number;
  /** Unweighted binary cross-entropy on the validation rows (NaN without validation rows). */
  readonly valLoss: number;
  /** Validation AUROC (NaN with one class or no validation rows). */
  readonly valAuroc: number;
}

/**
 * `checkpoint.json` of a weights checkpoint: everything needed to rebuild the network and check it belongs to a run (config, dataset and backend).
 */
export interface WeightsCheckpointJson {
  readonly formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  readonly kind: 'weights' | 'full';
  readonly createdBy: '@ehr-backdoor/train';
  readonly modelConfig: ModelConfig;
  readonly trainConfig: TrainConfig;
  readonly seed: number;
  readonly configHash: string;
  readonly datasetHash: string;
  /** The backend the weights were trained on (results are bit-reproducible on that backend only). */
  readonly backend: BackendName;
  readonly network: { readonly inputShape: InputShape; readonly tokenLayout?: TokenLayout; readonly params: readonly ParamSpec[] };
  readonly normalisation: InputNormalisation;
  readonly classWeights: readonly [number, number];
  /** The epoch whose weights these are. */
  readonly epoch: number;
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
}

/**
 * `checkpoint.json` of an epoch checkpoint: the weights checkpoint plus optimizer, PRNG and data-order state, so training resumes bit-identically.
 */
export interface FullCheckpointJson extends WeightsCheckpointJson {
  readonly kind: 'full';
  /** PRNG states after this epoch: the next epoch's shuffle and dropout continue from them. */
  readonly rng: { readonly shuffle: RandomState; readonly dropout: RandomState };
  /** Where the data order stands: the next epoch to run, from its first batch. */
  readonly dataOrder: { readonly nextEpoch: number; readonly batch: number; readonly trainRows: number };
  readonly optimizer: { readonly algorithm: 'adamw'; readonly step: number };
  readonly bestScore: number;
  /** Why training ended at this epoch, or null while it goes on. */
  readonly stopped: null | 'early-stopping' | 'max-epochs';
  /**
   * False when validation AUROC is undefined (one class in the validation split), so early stopping is off.
   * Absent in checkpoints written before it was recorded; their `warnings` say so instead.
   */
  readonly validationDefined?: boolean;
  readonly warnings: readonly string[];
}

/** Either kind of `checkpoint.json`, told apart by `kind`. */
export type CheckpointJson = WeightsCheckpointJson | FullCheckpointJson;

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly json: CheckpointJson;
  readonly weights: Uint8Array;
  readonly optimizer?: Uint8Array;
}

export function epochDirName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

export async function writeCheckpoint(dir: string, json: CheckpointJson, weights: Uint8Array, optimizer?: Uint8Array): Promise<void> {
  await writeDirectoryAtomic(
    dir,
    async (tmp) => {
      const files: Record<string, Uint8Array> = {
        'checkpoint.json': Buffer.from(JSON.stringify(encodeNonFinite(json), null, 2) + '\n'),
        'weights.bin': weights,
      };
      if (optimizer) files['optimizer.bin'] = optimizer;
      const manifest: Record<string, { sha256: string; bytes: number }> = {};
      for (const [name, data] of Object.entries(files)) {
        await writeFile(join(tmp, name), data);
        manifest[name] = { sha256: sha256(data), bytes: data.byteLength };
      }
      await writeFile(
        join(tmp, 'manifest.json'),
        JSON.stringify({ formatVersion: CHECKPOINT_FORMAT_VERSION, files: manifest }, null, 2) + '\n',
      );
    },
    { overwrite: true },
  );
}

/** Reads and verifies one checkpoint directory (every file against the manifest's sha256). */
export async function readCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new InputError<TrainCode>(
      'E_CHECKPOINT_MISSING',
      `No checkpoint at ${dir}: manifest.json is missing. Pass a checkpoint directory (epoch-NNNN or final) or a run's checkpoint directory.`,
    );
  }
  const manifest = parseJson(await readFile(manifestPath, 'utf8'), manifestPath) as {
    formatVersion?: unknown;
    files?: Record<string, { sha256: string; bytes: number }>;
  };
  assertFormat(manifest.formatVersion, manifestPath);
  const files = manifest.files ?? {};
  for (const required of ['checkpoint.json', 'weights.bin']) {
    if (!files[required])
      throw new DataError<TrainCode>('E_CHECKPOINT_CORRUPT', `${manifestPath} does not list ${required}; the checkpoint is incomplete.`);
  }
  const read: Record<string, Uint8Array> = {};
  for (const [name, expected] of Object.entries(files)) {
    if (name.includes('/') || name.includes('\\'))
      throw new DataError<TrainCode>('E_CHECKPOINT_CORRUPT', `${manifestPath} names a file outside the checkpoint: ${name}.`);
    const path = join(dir, name);
    if (!existsSync(path)) throw new DataError<TrainCode>('E_CHECKPOINT_CORRUPT', `${path} is listed in the manifest but missing.`);
    const data = new Uint8Array(await readFile(path));
    if (sha256(data) !== expected.sha256) {
      throw new DataError<TrainCode>(
        'E_CHECKPOINT_CORRUPT',
        `${path} does not match its sha256 in manifest.json: the file is damaged or was changed after writing.`,
      );
    }
    read[name] = data;
  }
  const json = decodeNonFinite(
    parseJson(Buffer.from(read['checkpoint.json']).toString('utf8'), join(dir, 'checkpoint.json')),
  ) as CheckpointJson;
  assertFormat(json.formatVersion, join(dir, 'checkpoint.json'));
  if (json.kind === 'full' && !read['optimizer.bin']) {
    throw new DataError<TrainCode>('E_CHECKPOINT_CORRUPT', `${dir} is a full checkpoint without optimizer.bin.`);
  }
  return { dir, json, weights: read['weights.bin'], ...(read['optimizer.bin'] ? { optimizer: read['optimizer.bin'] } : {}) };
}

/** Epoch checkpoints in a run directory, oldest first (unfinished `.tmp-*` directories are ignored). */
export async function listEpochCheckpoints(runDir: string): Promise<{ epoch: number; dir: string }[]> {
  if (!existsSync(runDir)) return [];
  const entries = await readdir(runDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && /^epoch-\d{4,}$/.test(e.name))
    .map((e) => ({ epoch: Number(e.name.slice(6)), dir: join(runDir, e.name) }))
    .sort((a, b) => a.epoch - b.epoch);
}

/** Removes epoch checkpoints other than the last `keepLast` and the best. */
export async function pruneCheckpoints(runDir: string, keepLast: number, bestEpoch: number): Promise<void> {
  const all = await listEpochCheckpoints(runDir);
  const keep = new Set(all.slice(-keepLast).map((c) => c.epoch));
  keep.add(bestEpoch);
  for (const c of all) if (!keep.has(c.epoch)) await rm(c.dir, { recursive: true, force: true });
}

export function assertCompatible(json: CheckpointJson, where: string, expect: { configHash?: string; datasetHash?: string }): void {
  if (expect.configHash !== undefined && json.configHash !== expect.configHash) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_CONFIG',
      `The checkpoint at ${where} was written for another configuration (config hash ${json.configHash.slice(0, 12)}…, ` +
        `requested ${expect.configHash.slice(0, 12)}…): model ${JSON.stringify(json.modelConfig)}, seed ${json.seed}. ` +
        'Resume with the same model, training options and seed, or use a new checkpoint directory.',
      { saved: json.configHash, requested: expect.configHash },
    );
  }
  if (expect.datasetHash !== undefined && json.datasetHash !== expect.datasetHash) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_DATASET',
      `The checkpoint at ${where} was trained on another dataset (dataset hash ${json.datasetHash.slice(0, 12)}…, ` +
        `this dataset ${expect.datasetHash.slice(0, 12)}…). Resume with the same (poisoned) dataset, or use a new checkpoint directory.`,
      { saved: json.datasetHash, requested: expect.datasetHash },
    );
  }
}

function assertFormat(version: unknown, path: string): void {
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_FORMAT',
      `${path} has checkpoint format version ${JSON.stringify(version)}; this version of @ehr-backdoor/train reads version ${CHECKPOINT_FORMAT_VERSION}.`,
    );
  }
}

function parseJson(text: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError<TrainCode>('E_CHECKPOINT_CORRUPT', `${path} is not valid JSON (${(error as Error).message}).`);
  }
}

// JSON has no NaN or ±Infinity (a validation AUROC can be NaN): spell them as tagged strings.
const TAG = '$number:';
function encodeNonFinite(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return TAG + String(value);
  if (Array.isArray(value)) return value.map(encodeNonFinite);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeNonFinite(v)]));
  return value;
}
function decodeNonFinite(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(TAG)) return Number(value.slice(TAG.length));
  if (Array.isArray(value)) return value.map(decodeNonFinite);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeNonFinite(v)]));
  return value;
}
