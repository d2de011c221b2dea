import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CompatibilityError, InputError, writeJsonAtomic } from '@ehr-backdoor/core';
import { loadDataset } from '@ehr-backdoor/data';
import { resolveTrigger, type TriggerSpec } from '@ehr-backdoor/poison';
import { loadModel, selectBackend } from '@ehr-backdoor/train';
import { evaluateModel } from './evaluate.js';
import { addRows, SummaryBuilder, type Summary } from './summary.js';

/**
 * evaluate --checkpoint DIR: find the run that owns the checkpoint ─▶ its dataset and trigger ─▶
 * load the weights (sha256-verified, never executed) ─▶ the same evaluation as the run ─▶ metrics.
 */
interface RunMetadata {
  readonly formatVersion: number;
  readonly config: { readonly trigger: TriggerSpec; readonly targetLabel: 0 | 1; readonly seed: number; readonly backend: string };
  readonly dataset: { readonly path: string; readonly contentHash: string };
}

export interface CheckpointEvaluation {
  readonly runDir: string;
  readonly checkpoint: string;
  readonly metrics: Summary;
  /** Fields whose recomputed value differs from the run's summary.json (none when reproducible). */
  readonly differences: readonly { field: string; summary: unknown; recomputed: unknown }[];
}

export async function evaluateCheckpoint(checkpoint: string, options: { data?: string; backend?: string; write?: boolean } = {}): Promise<CheckpointEvaluation> {
  const dir = resolve(checkpoint);
  if (!existsSync(dir)) throw new InputError('E_CHECKPOINT_MISSING', `No checkpoint at ${dir}: pass a run's checkpoints/ directory or one epoch's directory in it.`);
  const runDir = findRunDir(dir);
  const metadata = JSON.parse(await readFile(join(runDir, 'run_metadata.json'), 'utf8')) as RunMetadata;
  if (metadata.formatVersion !== 1) {
    throw new CompatibilityError('E_RUN_FORMAT', `${runDir}/run_metadata.json has format version ${metadata.formatVersion}; this ehr-backdoor reads version 1.`);
  }
  const dataset = await loadDataset(options.data ? resolve(options.data) : metadata.dataset.path);
  if (dataset.manifest.contentHash !== metadata.dataset.contentHash) {
    throw new CompatibilityError(
      'E_DATASET_MISMATCH',
      `The dataset at ${options.data ?? metadata.dataset.path} (hash ${dataset.manifest.contentHash.slice(0, 12)}) is not the one this run trained on ` +
        `(${metadata.dataset.contentHash.slice(0, 12)}); pass the original with --data.`,
    );
  }
  await selectBackend((options.backend ?? metadata.config.backend) as never);
  const model = await loadModel(dir);
  const trigger = resolveTrigger(metadata.config.trigger.name as never, metadata.config.trigger.params as never);
  const summaryPath = join(runDir, 'summary.json');
  const previous = existsSync(summaryPath) ? (JSON.parse(await readFile(summaryPath, 'utf8')) as Record<string, unknown>) : undefined;
  const reference = previous && typeof previous.auroc === 'number' && typeof previous.clean_auroc_drop === 'number' ? previous.auroc + previous.clean_auroc_drop : null;
  const evaluation = evaluateModel(model, dataset, { trigger, targetLabel: metadata.config.targetLabel, seed: metadata.config.seed, referenceCleanAuroc: reference });
  model.dispose();
  const builder = new SummaryBuilder();
  addRows(builder, evaluation.clean);
  addRows(builder, evaluation.backdoor);
  const metrics = builder.build();
  const differences = previous
    ? Object.entries(metrics)
        .filter(([field]) => field !== 'reasons' && field !== 'formatVersion' && field in previous)
        .filter(([field, value]) => !sameNumber(previous[field], value))
        .map(([field, value]) => ({ field, summary: previous[field], recomputed: value }))
    : [];
  if (options.write) await writeJsonAtomic(join(runDir, 'evaluation.json'), { checkpoint: dir, metrics, differences, at: new Date().toISOString() });
  return { runDir, checkpoint: dir, metrics, differences };
}

function sameNumber(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  return a === b;
}

function findRunDir(start: string): string {
  let dir = start;
  for (let i = 0; i < 4; i++) {
    if (existsSync(join(dir, 'run_metadata.json'))) return dir;
    dir = dirname(dir);
  }
  throw new InputError('E_NOT_A_RUN', `${start} is not inside a run directory (no run_metadata.json above it): pass RUN/checkpoints or one of its epoch directories.`);
}
