import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import type { LabelDefinition } from '@ehr-backdoor/data';
import { InputError } from '@ehr-backdoor/core';
import { resolveTrigger, triggerViews, type PoisonMode, type TriggerName } from '@ehr-backdoor/poison/names';
import {
  DEFAULT_MODEL_CONFIGS,
  resolveModelConfig,
  resolveTrainConfig,
  viewOf,
  type BackendChoice,
  type ModelConfig,
  type TrainConfig,
} from '@ehr-backdoor/train/names';
import type { z } from 'zod';
import { formatRate } from '../grid.js';
import { didYouMean } from './did-you-mean.js';
import { studyJsonSchema, studySchema, type Study } from './schema.js';
import { discriminatorValues, keysAt } from './schema-walk.js';
import type { StudySource } from './source.js';

/**
 * A study file ─▶ parsed (syntax) ─▶ checked against the schema (types, unknown keys, defaults filled)
 * ─▶ checked by the packages (model hyper-parameters, training settings, trigger parameters) ─▶ checked
 * as a grid (variant names, model lists, data paths, folders that would collide) ─▶ ResolvedStudy.
 *
 * Every problem found is reported at once, each as `file:line:column: key.path: what is wrong`, in one
 * InputError (exit 2) raised before anything is written.
 */
export interface ResolvedModelVariant {
  readonly name: string;
  readonly config: ModelConfig;
  readonly training: TrainConfig;
}

export interface ResolvedAttack {
  readonly name: string;
  readonly trigger: TriggerName;
  readonly params: Readonly<Record<string, unknown>>;
  readonly target: 0 | 1;
  readonly mode: PoisonMode;
  /** Model variants it runs on: its list (or every variant), minus exclusions and variants whose view the trigger lacks. */
  readonly models: readonly string[];
  /** Variants left out because the trigger has no form on their view, with the reason. */
  readonly leftOut: readonly string[];
}

export type ResolvedData =
  | { readonly kind: 'default' }
  | { readonly kind: 'dataset'; readonly dir: string }
  | {
      readonly kind: 'synth';
      readonly stays: number;
      readonly seed: number;
      readonly windowHours: number;
      readonly splitSeed: number;
      readonly label: LabelDefinition;
      readonly dir: string;
    }
  | {
      readonly kind: 'mimic';
      readonly mimicDir: string;
      readonly windowHours: number;
      readonly splitSeed: number;
      readonly label: LabelDefinition;
      readonly dir: string;
    };

export interface ResolvedStudy {
  readonly source: string;
  /** The study as parsed, every schema default filled in. */
  readonly study: Study;
  readonly data: ResolvedData;
  readonly backend: BackendChoice;
  readonly models: readonly ResolvedModelVariant[];
  readonly attacks: readonly ResolvedAttack[];
  readonly rates: readonly number[];
  readonly seeds: readonly number[];
}

interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly at?: 'key' | 'value';
  /** The error code when this is the only problem (the code `run`/`sweep` used before studies, where one existed). */
  readonly code?: string;
}

export function resolveStudy(source: StudySource, options: { baseDir?: string } = {}): ResolvedStudy {
  const parsed = studySchema.safeParse(source.value);
  if (!parsed.success) throw studyError(source, schemaProblems(parsed.error.issues, source.value));
  const study = parsed.data;
  const problems: Problem[] = [];
  const baseDir =
    options.baseDir ??
    (source.name.includes('/') || source.name.endsWith('.yaml') || source.name.endsWith('.json')
      ? dirname(resolvePath(source.name))
      : process.cwd());

  const models = Object.entries(study.models)
    .map(([name, variant]) => resolveModelVariant(name, variant, study, problems))
    .filter((m) => m !== undefined);
  if (models.length === 0 && problems.length === 0)
    problems.push({
      path: ['models'],
      code: 'E_EMPTY_GRID',
      message: 'the study names no model variant: add one, e.g. `mlp: {kind: mlp}`.',
    });
  const attacks = Object.entries(study.attacks)
    .map(([name, attack]) => resolveAttack(name, attack, study, models, problems))
    .filter((a) => a !== undefined);
  const poisonedRates = study.rates.filter((r) => r > 0);
  if (attacks.length === 0 && poisonedRates.length > 0 && problems.length === 0) {
    problems.push({
      path: ['attacks'],
      code: 'E_EMPTY_GRID',
      message: 'the study names no attack variant but poisoned rates: add one, e.g. `hr220: {trigger: rare_value}`, or keep only rate 0.',
    });
  }
  checkCollisions(study, problems);
  if (problems.length === 0 && poisonedRates.length > 0 && attacks.every((a) => a.models.length === 0)) {
    problems.push({
      path: ['attacks'],
      code: 'E_EMPTY_GRID',
      message: "the grid is empty: no attack variant runs on any model variant (check `models`/`exclude` and the triggers' views).",
    });
  }
  const data = resolveData(study, baseDir, problems);
  const executor = resolveExecutor(study, baseDir, problems);
  if (problems.length) throw studyError(source, problems);
  return {
    source: source.name,
    study: { ...study, executor },
    data,
    backend: study.backend as BackendChoice,
    models,
    attacks,
    rates: [...new Set(study.rates)].sort((a, b) => a - b),
    seeds: [...new Set(study.seeds)],
  };
}

function resolveModelVariant(
  name: string,
  variant: Study['models'][string],
  study: Study,
  problems: Problem[],
): ResolvedModelVariant | undefined {
  const { training: own, ...modelInput } = variant;
  let config: ModelConfig | undefined;
  try {
    config = resolveModelConfig(modelInput as Parameters<typeof resolveModelConfig>[0]);
  } catch (error) {
    const field = Object.keys(DEFAULT_MODEL_CONFIGS[variant.kind]).find(
      (k) => (error as Error).message.includes(`${k} `) || (error as Error).message.includes(`(${k}`),
    );
    problems.push({
      path: ['models', name, ...(field && field in variant ? [field] : [])],
      message: (error as Error).message,
      code: codeOf(error),
    });
    return undefined;
  }
  const merged = { ...stripUndefined(study.training), ...stripUndefined(own ?? {}) };
  let training: TrainConfig;
  try {
    training = resolveTrainConfig(merged);
  } catch (error) {
    problems.push({ path: own ? ['models', name, 'training'] : ['training'], message: (error as Error).message, code: codeOf(error) });
    return undefined;
  }
  return { name, config, training };
}

function resolveAttack(
  name: string,
  attack: Study['attacks'][string],
  study: Study,
  models: readonly ResolvedModelVariant[],
  problems: Problem[],
): ResolvedAttack | undefined {
  let params: Readonly<Record<string, unknown>>;
  try {
    params = resolveTrigger(attack.trigger as string, attack.params ?? {}).params as Readonly<Record<string, unknown>>;
  } catch (error) {
    const details = (error as { details?: { parameter?: string } }).details;
    const parameter = details?.parameter;
    const message = (error as Error).message;
    const named = parameter ?? Object.keys(attack.params ?? {}).find((k) => message.includes(`'${k}'`) || message.includes(`"${k}"`));
    problems.push({
      path: ['attacks', name, 'params', ...(named && attack.params && named in attack.params ? [named] : [])],
      message,
      code: codeOf(error),
    });
    return undefined;
  }
  const known = Object.keys(study.models);
  const listed = attack.models ?? known;
  for (const [key, list] of [
    ['models', attack.models ?? []],
    ['exclude', attack.exclude ?? []],
  ] as const) {
    list.forEach((m, i) => {
      if (!known.includes(m))
        problems.push({
          path: ['attacks', name, key, i],
          message: `no model variant is named "${m}".${didYouMean(m, known)} Model variants: ${known.join(', ')}.`,
          code: 'E_UNKNOWN_MODEL',
        });
    });
  }
  const views = triggerViews(attack.trigger);
  const runsOn: string[] = [];
  const leftOut: string[] = [];
  for (const model of models) {
    if (!listed.includes(model.name) || (attack.exclude ?? []).includes(model.name)) continue;
    const view = viewOf(model.config.kind);
    if (views.includes(view)) runsOn.push(model.name);
    else if (attack.models)
      problems.push({
        path: ['attacks', name, 'models'],
        code: 'E_TRIGGER_VIEW',
        message: `trigger ${attack.trigger} has no ${view} form, so it cannot run on "${model.name}" (${model.config.kind}); remove that variant from the list.`,
      });
    else leftOut.push(`${model.name} × ${name} (the trigger has no ${view} form)`);
  }
  return {
    name,
    trigger: attack.trigger,
    params,
    target: attack.target ?? study.poisoning.target,
    mode: (attack.mode ?? study.poisoning.mode) as PoisonMode,
    models: runsOn,
    leftOut,
  };
}

/** Two names that would share a folder: `none` (the clean cells' folder), names equal but for case, rates equal at 4 decimals. */
function checkCollisions(study: Study, problems: Problem[]): void {
  if ('none' in study.attacks)
    problems.push({
      path: ['attacks', 'none'],
      at: 'key',
      code: 'E_STUDY_COLLISION',
      message: 'the attack variant name "none" is the folder of the clean (rate 0) cells; choose another name.',
    });
  for (const section of ['models', 'attacks'] as const) {
    const seen = new Map<string, string>();
    for (const name of Object.keys(study[section])) {
      const other = seen.get(name.toLowerCase());
      if (other !== undefined)
        problems.push({
          path: [section, name],
          at: 'key',
          code: 'E_STUDY_COLLISION',
          message: `the ${section === 'models' ? 'model' : 'attack'} variants "${other}" and "${name}" would share one folder on a case-insensitive file system; rename one.`,
        });
      else seen.set(name.toLowerCase(), name);
    }
  }
  const folders = new Map<string, number>();
  study.rates.forEach((rate, i) => {
    const folder = formatRate(rate);
    const first = folders.get(folder);
    if (first !== undefined && study.rates[first] !== rate)
      problems.push({
        path: ['rates', i],
        code: 'E_STUDY_COLLISION',
        message: `rates ${study.rates[first]} and ${rate} both write to the folder "${folder}" (rates are kept to 4 decimals); drop one.`,
      });
    else folders.set(folder, i);
  });
}

function resolveData(study: Study, baseDir: string, problems: Problem[]): ResolvedData {
  const d = study.data;
  const sources = (['dataset', 'synth', 'mimic'] as const).filter((k) => d[k] !== undefined);
  if (sources.length > 1) {
    problems.push({ path: ['data', sources[1]], at: 'key', message: `give one data source, not ${sources.join(' and ')}.` });
    return { kind: 'default' };
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolvePath(baseDir, p));
  const prepare = {
    windowHours: d.prepare?.windowHours ?? 24,
    splitSeed: d.prepare?.seed ?? 0,
    label: d.prepare?.label ?? 'hospital_mortality',
  };
  if (d.prepare && !d.synth && !d.mimic)
    problems.push({
      path: ['data', 'prepare'],
      at: 'key',
      message: '`prepare` applies to `synth` or `mimic` data; a prepared `dataset` is used as it is.',
    });
  if (d.dir && !d.synth && !d.mimic)
    problems.push({
      path: ['data', 'dir'],
      at: 'key',
      message: '`dir` is where `synth` or `mimic` data is prepared; use `dataset` for a prepared dataset.',
    });
  if (d.dataset !== undefined) {
    const dir = abs(d.dataset);
    if (!existsSync(dir))
      problems.push({
        path: ['data', 'dataset'],
        code: 'E_DATASET_MISSING',
        message: `the dataset directory ${dir} does not exist; prepare one with \`ehr-backdoor prepare --mimic DIR --out ${d.dataset}\` or fix the path.`,
      });
    else if (!existsSync(resolvePath(dir, 'manifest.json')))
      problems.push({
        path: ['data', 'dataset'],
        code: 'E_DATASET_MISSING',
        message: `${dir} is not a prepared dataset (no manifest.json); prepare one with \`ehr-backdoor prepare\`.`,
      });
    return { kind: 'dataset', dir };
  }
  if (d.synth)
    return {
      kind: 'synth',
      stays: d.synth.stays,
      seed: d.synth.seed,
      ...prepare,
      dir: abs(d.dir ?? `data/synth-${d.synth.stays}-${d.synth.seed}`),
    };
  if (d.mimic !== undefined) {
    const mimicDir = abs(d.mimic);
    if (!existsSync(mimicDir))
      problems.push({
        path: ['data', 'mimic'],
        code: 'E_DATASET_MISSING',
        message: `the MIMIC-IV directory ${mimicDir} does not exist; give the folder that holds hosp/ and icu/.`,
      });
    return { kind: 'mimic', mimicDir, ...prepare, dir: abs(d.dir ?? 'data/mimic-prepared') };
  }
  return { kind: 'default' };
}

/** The executor with its prologue file's path made absolute (relative to the study file) and checked. */
function resolveExecutor(study: Study, baseDir: string, problems: Problem[]): Study['executor'] {
  const executor = study.executor;
  if (executor.kind !== 'slurm' || executor.prologue === undefined) return executor;
  const prologue = isAbsolute(executor.prologue) ? executor.prologue : resolvePath(baseDir, executor.prologue);
  if (!existsSync(prologue))
    problems.push({
      path: ['executor', 'prologue'],
      code: 'E_PROLOGUE',
      message: `the prologue file ${prologue} does not exist; give a file of shell lines run before each cell (e.g. \`module load nodejs/20\`).`,
    });
  return { ...executor, prologue };
}

/** zod's issues as problems, with "did you mean" for unknown keys and names. */
function schemaProblems(issues: readonly z.core.$ZodIssue[], value: unknown): Problem[] {
  const schema = studyJsonSchema();
  const out: Problem[] = [];
  const visit = (issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, path, value);
      for (const key of issue.keys) {
        out.push({
          path: [...path, key],
          at: 'key',
          code: 'E_STUDY_KEY',
          message: `unknown key "${key}".${didYouMean(key, known)}${known.length ? ` Keys here: ${known.join(', ')}.` : ''}`,
        });
      }
    } else if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
      const parent = path.slice(0, -1);
      const options = discriminatorValues(schema, parent, String(issue.discriminator), value);
      const given = valueAt(value, path);
      const what =
        issue.discriminator === 'kind' && parent[0] === 'models'
          ? 'model kind'
          : issue.discriminator === 'trigger'
            ? 'trigger'
            : String(issue.discriminator);
      out.push({
        path,
        code: what === 'model kind' ? 'E_UNKNOWN_MODEL' : what === 'trigger' ? 'E_UNKNOWN_TRIGGER' : 'E_STUDY_VALUE',
        message:
          given === undefined
            ? `missing "${String(issue.discriminator)}": choose from ${options.join(', ')}.`
            : `unknown ${what} ${JSON.stringify(given)}.${typeof given === 'string' ? didYouMean(given, options) : ''} Choose from ${options.join(', ')}.`,
      });
    } else if (issue.code === 'invalid_union' && issue.errors.length) {
      // The branch that got furthest is the one the author meant (e.g. `detect: {…}` rather than `false`).
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      for (const inner of best) visit(inner, path);
    } else if (issue.code === 'invalid_value' && issue.values.every((v) => typeof v === 'string')) {
      const given = valueAt(value, path);
      const options = issue.values as string[];
      out.push({
        path,
        code: path.includes('detectors') ? 'E_DETECT_UNKNOWN' : 'E_STUDY_VALUE',
        message: `${JSON.stringify(given)} is not one of ${options.join(', ')}.${typeof given === 'string' ? didYouMean(given, options) : ''}`,
      });
    } else {
      const empty = issue.code === 'too_small' && path.length === 1 && (path[0] === 'rates' || path[0] === 'seeds');
      out.push({ path, code: empty ? 'E_EMPTY_GRID' : 'E_STUDY_VALUE', message: issue.message.replace(/^Invalid input: /, '') });
    }
  };
  for (const issue of issues) visit(issue, []);
  return out;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(...issues.map((i) => i.path.length + (i.code === 'invalid_value' && i.path.length === 0 ? -1 : 0)));
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

export function studyError(source: StudySource, problems: readonly Problem[]): InputError {
  const lines = problems.map(
    (p) => `${source.locate(p.path, p.at)}: ${p.path.length ? `${p.path.map(String).join('.')}: ` : ''}${p.message}`,
  );
  const codes = new Set(problems.map((p) => p.code ?? 'E_STUDY'));
  // One problem is stated on the first line (what a terminal shows first, and what `grep` finds).
  const message =
    problems.length === 1
      ? `${lines[0]}\n(the study ${source.name} is not valid; nothing was run or written)`
      : `The study ${source.name} is not valid (${problems.length} problems); nothing was run or written:\n${lines.map((l) => `  ${l}`).join('\n')}`;
  // A lone problem keeps its code, which may be another package's (an invalid training option is train's).
  return new InputError<string>(codes.size === 1 ? [...codes][0] : 'E_STUDY', message, {
    problems: problems.map((p) => ({ where: source.locate(p.path, p.at), path: p.path.map(String).join('.'), message: p.message })),
  });
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
