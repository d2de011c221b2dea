import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { InputError, BugError } from '@ehr-backdoor/core';
import { studyThreshold } from './plan.js';
import type { SlurmRunOptions } from './slurm/run-slurm.js';
import type { StudyInput } from './study/schema.js';
import { memorySource, parseStudyText } from './study/source.js';
import type { RunnerCode } from './error-codes.js';

/**
 * sweep: the preset's study file (studies/{preset}.yaml) ─▶ each flag given replaces its key ─▶ a study
 *        built in memory ─▶ resolved and run exactly as `study run` runs a file (study/run-study.ts)
 *
 * The flags with defaults (--patience, --selection, --backend, --mode, --target-label) always apply; the
 * shipped presets use those same defaults, so `sweep --preset X` and `study run studies/X.yaml` are one
 * study and write the same cells.
 */
export { SweepFailedError } from './study/run-study.js';

export const PRESET_NAMES = ['smoke', 'default', 'full'] as const;

/** The repository's studies/ folder, where the presets are study files. */
export const STUDIES_DIR = fileURLToPath(new URL('../../../../studies/', import.meta.url));

export async function presetStudy(preset: string): Promise<StudyInput> {
  if (!(PRESET_NAMES as readonly string[]).includes(preset))
    throw new InputError<RunnerCode>('E_PRESET', `Unknown preset "${preset}": use ${PRESET_NAMES.join(', ')}.`);
  const path = join(STUDIES_DIR, `${preset}.yaml`);
  const parsed = parseStudyText(await readFile(path, 'utf8'), path);
  if ('problems' in parsed) throw new BugError(`the shipped study ${path} does not parse: ${parsed.problems[0].message} (this is a bug)`);
  return parsed.value as StudyInput;
}

/**
 * What a sweep is asked for: the preset and each flag the user gave (undefined: the preset's key stays). The
 * command (commands/sweep.ts) fills it from its flags; the library takes no CLI argv.
 */
export interface SweepOptions {
  readonly preset: string;
  readonly data?: string;
  readonly out?: string;
  readonly models?: readonly string[];
  readonly triggers?: readonly string[];
  readonly poisonRates?: readonly number[];
  readonly seeds?: readonly number[];
  readonly epochs?: number;
  readonly patience: number;
  readonly selection: string;
  readonly thresholdRule?: string;
  readonly rateBasis: string;
  readonly backend: string;
  readonly mode: string;
  readonly targetLabel: number;
  readonly explain: boolean;
  readonly saveAttributions?: boolean;
  readonly detect: boolean;
  readonly detectors?: readonly string[];
  readonly assumedContamination?: number;
  readonly retrain: boolean;
  readonly executor: string;
  readonly workers: number;
  readonly leaveHeld?: boolean;
  /** With `executor: 'slurm'`: how cells are submitted. */
  readonly slurm?: SlurmRunOptions;
}

/** The study a `sweep` invocation describes: its preset's, with every given flag in place of its key. */
export async function sweepStudyInput(args: SweepOptions): Promise<StudyInput> {
  const base = await presetStudy(args.preset);
  if (args.retrain && !args.detect) throw new InputError<RunnerCode>('E_OPTION', '--retrain measures a defence and needs --detect.');
  const training = {
    ...base.training,
    patience: args.patience,
    selection: args.selection as 'best' | 'last',
    ...(args.epochs !== undefined ? { epochs: args.epochs } : {}),
  };
  const given = <T>(xs: readonly T[] | undefined, flag: string): readonly T[] | undefined => {
    if (xs && xs.length === 0)
      throw new InputError<RunnerCode>(
        'E_EMPTY_GRID',
        `${flag} names nothing: give at least one value (see \`ehr-backdoor sweep --help\`).`,
      );
    return xs;
  };
  const models = given(args.models, '--models');
  const triggers = given(args.triggers, '--triggers')?.filter((t) => t !== 'none');
  if (triggers && triggers.length === 0)
    throw new InputError<RunnerCode>(
      'E_EMPTY_GRID',
      'The sweep grid is empty: a poisoned rate needs at least one trigger other than `none`.',
    );
  const { $schema: _schema, description: _description, executor: _executor, ...rest } = base;
  return {
    ...rest,
    ...(args.data ? { data: { dataset: resolve(args.data) } } : {}),
    backend: args.backend,
    training,
    ...(models ? { models: Object.fromEntries(models.map((kind) => [kind, { kind }])) as StudyInput['models'] } : {}),
    poisoning: { target: args.targetLabel as 0 | 1, mode: args.mode, rateBasis: args.rateBasis as 'eligible' | 'train' },
    evaluation: { threshold: studyThreshold(args.thresholdRule ?? 'fpr=0.05') },
    // A trigger the preset names keeps the preset's parameters (the default study's temporal_pattern is
    // not the trigger's built-in one), so `sweep --triggers` with the preset's triggers is the preset.
    ...(triggers
      ? {
          attacks: Object.fromEntries(
            triggers.map((trigger) => [trigger, presetAttack(base, trigger) ?? { trigger }]),
          ) as StudyInput['attacks'],
        }
      : {}),
    ...(given(args.poisonRates, '--poison-rates') ? { rates: args.poisonRates } : {}),
    ...(given(args.seeds, '--seeds') ? { seeds: args.seeds } : {}),
    analyses: {
      explain: args.explain ? { ...(args.saveAttributions ? { saveAttributions: true } : {}) } : false,
      detect: args.detect
        ? {
            ...(args.detectors?.length ? { detectors: args.detectors } : {}),
            retrain: args.retrain,
            ...(args.assumedContamination !== undefined ? { assumedContamination: args.assumedContamination } : {}),
          }
        : false,
    } as StudyInput['analyses'],
    executor: args.executor === 'slurm' ? { kind: 'slurm' } : { kind: 'local', workers: Math.max(0, args.workers) },
  } as StudyInput;
}

/** The preset's parameters for a trigger (only those: the flags decide target, mode and models). */
function presetAttack(base: StudyInput, trigger: string): StudyInput['attacks'][string] | undefined {
  const attack = base.attacks?.[trigger] as { trigger: string; params?: Record<string, unknown> } | undefined;
  return attack && attack.trigger === trigger && attack.params
    ? ({ trigger, params: attack.params } as StudyInput['attacks'][string])
    : undefined;
}

export async function runSweep(args: SweepOptions): Promise<void> {
  const input = await sweepStudyInput(args);
  const { resolveStudy } = await import('./study/resolve.js');
  const study = resolveStudy(memorySource(`sweep --preset ${args.preset}`, input), { baseDir: process.cwd() });
  const { runStudy } = await import('./study/run-study.js');
  await runStudy(study, {
    out: resolve(args.out ?? join('runs', args.preset)),
    preset: args.preset,
    leaveHeld: args.leaveHeld ?? false,
    ...(args.executor === 'slurm' ? { slurm: args.slurm ?? {} } : {}),
  });
}
