import type { BackendChoice } from '@ehr-backdoor/train/names';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError, writeJsonAtomic } from '@ehr-backdoor/core';
import { openRun } from './analyse-run.js';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import { evaluateModel } from './evaluate.js';
import { addRows, SummaryBuilder, type Summary } from './summary.js';
import type { RunnerCode } from './error-codes.js';

/**
 * evaluate --checkpoint DIR: find the run that owns the checkpoint ─▶ open it (dataset checked by hash,
 * trigger, weights sha256-verified and never executed) ─▶ the same evaluation as the run ─▶ metrics.
 */
export interface CheckpointEvaluation {
  readonly runDir: string;
  readonly checkpoint: string;
  readonly metrics: Summary;
  /** Fields whose recomputed value differs from the run's summary.json (none when reproducible). */
  readonly differences: readonly { field: string; summary: unknown; recomputed: unknown }[];
}

export async function evaluateCheckpoint(
  checkpoint: string,
  options: { data?: string; backend?: BackendChoice; write?: boolean } = {},
): Promise<CheckpointEvaluation> {
  const dir = resolve(checkpoint);
  if (!existsSync(dir))
    throw new InputError<RunnerCode>(
      'E_CHECKPOINT_MISSING',
      `No checkpoint at ${dir}: pass a run's checkpoints/ directory or one epoch's directory in it.`,
    );
  const runDir = findRunDir(dir);
  const { dataset, model, trigger, targetLabel, seed } = await openRun(runDir, { ...options, checkpoint: dir });
  const summaryPath = join(runDir, 'summary.json');
  const previous = existsSync(summaryPath) ? (JSON.parse(await readFile(summaryPath, 'utf8')) as Record<string, unknown>) : undefined;
  const reference =
    previous && typeof previous.auroc === 'number' && typeof previous.clean_auroc_drop === 'number'
      ? previous.auroc + previous.clean_auroc_drop
      : null;
  // The run's own threshold rule (run_metadata.json, `measurement`); runs made before it existed: the default.
  const metadata = JSON.parse(await readFile(join(runDir, 'run_metadata.json'), 'utf8')) as {
    measurement?: { thresholdRule?: ThresholdRule };
  };
  const thresholdRule = metadata.measurement?.thresholdRule;
  const evaluation = evaluateModel(model, dataset, {
    trigger,
    targetLabel,
    seed,
    referenceCleanAuroc: reference,
    ...(thresholdRule ? { thresholdRule } : {}),
  });
  model.dispose();
  const builder = new SummaryBuilder();
  for (const rows of evaluation.summaryRows) addRows(builder, rows);
  const metrics = builder.build();
  const differences = previous
    ? Object.entries(metrics)
        .filter(([field]) => field !== 'reasons' && field !== 'formatVersion' && field in previous)
        .filter(([field, value]) => !sameNumber(previous[field], value))
        .map(([field, value]) => ({ field, summary: previous[field], recomputed: value }))
    : [];
  if (options.write)
    await writeJsonAtomic(join(runDir, 'evaluation.json'), { checkpoint: dir, metrics, differences, at: new Date().toISOString() });
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
  throw new InputError<RunnerCode>(
    'E_NOT_A_RUN',
    `${start} is not inside a run directory (no run_metadata.json above it): pass RUN/checkpoints or one of its epoch directories.`,
  );
}
