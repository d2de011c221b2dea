import { InputError } from '@ehr-backdoor/core';
import { parse } from 'yaml';
import type { CellConfig } from './cell-config.js';
import type { CellKey } from './grid.js';
import { studyThreshold } from './plan.js';
import { studyCells } from './study/cells.js';
import { resolveStudy } from './study/resolve.js';
import { memorySource } from './study/source.js';
import type { RunnerCode } from './error-codes.js';

/** The flags of `ehr-backdoor run` (commands/run.ts), as yargs parses them: the input of {@link runStudyInput}. */
export interface RunFlags {
  data: string;
  model: string;
  trigger: string;
  'poison-rate': number;
  seed: number;
  out: string;
  epochs: number;
  /** One of train's backend names (yargs' `choices`); the study schema checks it again. */
  backend: string;
  mode: string;
  'target-label': number;
  'batch-size'?: number;
  'learning-rate'?: number;
  patience: number;
  selection: string;
  'threshold-rule': string;
  'rate-basis': string;
  'trigger-param'?: string[];
  'model-param'?: string[];
  'weight-decay'?: number;
  'class-weights'?: string;
  'min-delta'?: number;
}

/**
 * A study document made of `run`'s flags. Its names and enumerated values are the flags' strings, so it is
 * checked like a study file (by the study schema, in `singleCell`), not trusted as a typed study.
 */
export interface RunStudyDocument {
  readonly backend: string;
  readonly training: Readonly<Record<string, unknown>>;
  readonly models: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly poisoning: { readonly target: number; readonly mode: string; readonly rateBasis: string };
  readonly evaluation: { readonly threshold: { fpr: number } | { fixed: number } };
  readonly attacks: Readonly<Record<string, { readonly trigger: string; readonly params: Readonly<Record<string, unknown>> }>>;
  readonly rates: readonly number[];
  readonly seeds: readonly number[];
}

/**
 * `run` is a study of one cell: its flags become a study in memory, checked by the same schema and
 * packages as a study file (so `--trigger-param` and `--model-param` take exactly the keys a study's
 * `params` and model variants do).
 */
export function runStudyInput(args: RunFlags): RunStudyDocument {
  const classWeights = args['class-weights'];
  const training = {
    epochs: args.epochs,
    patience: args.patience,
    selection: args.selection,
    ...(args['batch-size'] ? { batchSize: args['batch-size'] } : {}),
    ...(args['learning-rate'] ? { learningRate: args['learning-rate'] } : {}),
    ...(args['weight-decay'] !== undefined ? { weightDecay: args['weight-decay'] } : {}),
    ...(args['min-delta'] !== undefined ? { minDelta: args['min-delta'] } : {}),
    ...(classWeights !== undefined
      ? { classWeights: classWeights.includes(',') ? classWeights.split(',').map(Number) : classWeights }
      : {}),
  };
  const poisoned = args['poison-rate'] > 0;
  return {
    backend: args.backend,
    training,
    models: { [args.model]: { kind: args.model, ...keyValues(args['model-param'], '--model-param') } },
    poisoning: { target: args['target-label'], mode: args.mode, rateBasis: args['rate-basis'] },
    evaluation: { threshold: studyThreshold(args['threshold-rule']) },
    // A clean run evaluates no other trigger (as before studies): it names no attack.
    attacks: poisoned ? { [args.trigger]: { trigger: args.trigger, params: keyValues(args['trigger-param'], '--trigger-param') } } : {},
    rates: [args['poison-rate']],
    seeds: [args.seed],
  };
}

/** The one cell of a `run` study. */
export function singleCell(input: RunStudyDocument, rate: number, seed: number): { cell: CellKey; config: CellConfig } {
  const study = resolveStudy(memorySource('the run options', input), { baseDir: process.cwd() });
  const planned = studyCells(study).find((c) => c.rate === rate && c.seed === seed);
  if (!planned?.config) {
    const reason = study.attacks[0]?.leftOut[0] ?? 'no cell';
    throw new InputError<RunnerCode>(
      'E_TRIGGER_VIEW',
      `The trigger is not defined on the view the model reads: ${reason}. Choose another trigger or model.`,
    );
  }
  const { config, hash: _hash, ...cell } = planned;
  return { cell, config };
}

/** `key=value` pairs, each value read as YAML (`220`, `true`, `[spo2, sbp]`, `heart_rate`). */
export function keyValues(pairs: readonly string[] | undefined, flag: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new InputError<RunnerCode>('E_OPTION', `${flag} ${pair}: write key=value, e.g. ${flag} value=220.`);
    const key = pair.slice(0, at);
    if (key in out) throw new InputError<RunnerCode>('E_OPTION', `${flag} sets "${key}" twice.`);
    try {
      out[key] = parse(pair.slice(at + 1));
    } catch (error) {
      throw new InputError<RunnerCode>(
        'E_OPTION',
        `${flag} ${pair}: the value is not valid YAML (${(error as Error).message.split('\n')[0]}).`,
      );
    }
  }
  return out;
}
