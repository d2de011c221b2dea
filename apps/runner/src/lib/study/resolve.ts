import { dirname, resolve as resolvePath } from 'node:path';
import type { BackendChoice } from '@ehr-backdoor/train/names';
import { checkCollisions } from './collisions.js';
import { resolveAttack, type ResolvedAttack } from './resolve-attacks.js';
import { resolveData, type ResolvedData } from './resolve-data.js';
import { resolveExecutor } from './resolve-executor.js';
import { resolveModelVariant, type ResolvedModelVariant } from './resolve-models.js';
import { schemaProblems } from './schema-problems.js';
import { studySchema, type Study } from './schema.js';
import type { StudySource } from './source.js';
import { studyError, type Problem } from './study-error.js';

export type { ResolvedAttack } from './resolve-attacks.js';
export type { ResolvedData } from './resolve-data.js';
export type { ResolvedModelVariant } from './resolve-models.js';
export { studyError } from './study-error.js';

/**
 * A study file ─▶ parsed (syntax) ─▶ checked against the schema (types, unknown keys, defaults filled)
 * ─▶ checked by the packages (model hyper-parameters, training settings, trigger parameters) ─▶ checked
 * as a grid (variant names, model lists, data paths, folders that would collide) ─▶ ResolvedStudy.
 *
 * Every problem found is reported at once, each as `file:line:column: key.path: what is wrong`, in one
 * InputError (exit 2) raised before anything is written.
 */
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
