import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { InputError, BugError } from '@ehr-backdoor/core';
import type { SweepArgs } from '../commands/sweep.js';
import { studyThreshold } from './plan.js';
import { slurmOptionsFromArgs } from './slurm/cli-options.js';
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
  if (!(PRESET_NAMES as readonly string[]).includes(preset)) throw new InputError<RunnerCode>('E_PRESET', `Unknown preset "${preset}": use ${PRESET_NAMES.join(', ')}.`);
  const path = join(STUDIES_DIR, `${preset}.yaml`);
  const parsed = parseStudyText(await readFile(path, 'utf8'), path);
  if ('problems' in parsed) throw new BugError(`the shipped study ${path} does not parse: ${parsed.problems[0].message} (this is a bug)`);
  return parsed.value as StudyInput;
}

/** The study a `sweep` invocation describes: its preset's, with every given flag in place of its key. */
export async function sweepStudyInput(args: SweepArgs): Promise<StudyInput> {
  const base = await presetStudy(args.preset);
  if (args.retrain && !args.detect) throw new InputError<RunnerCode>('E_OPTION', '--retrain measures a defence and needs --detect.');
  const training = { ...base.training, patience: args.patience, selection: args.selection as 'best' | 'last', ...(args.epochs !== undefined ? { epochs: args.epochs } : {}) };
  const given = <T>(xs: T[] | undefined, flag: string): T[] | undefined => {
    if (xs && xs.length === 0) throw new InputError<RunnerCode>('E_EMPTY_GRID', `${flag} names nothing: give at least one value (see \`ehr-backdoor sweep --help\`).`);
    return xs;
  };
  const models = given(args.models, '--models');
  const triggers = given(args.triggers, '--triggers')?.filter((t) => t !== 'none');
  if (triggers && triggers.length === 0) throw new InputError<RunnerCode>('E_EMPTY_GRID', 'The sweep grid is empty: a poisoned rate needs at least one trigger other than `none`.');
  const { $schema: _schema, description: _description, executor: _executor, ...rest } = base;
  return {
    ...rest,
    ...(args.data ? { data: { dataset: resolve(args.data) } } : {}),
    backend: args.backend,
    training,
    ...(models ? { models: Object.fromEntries(models.map((kind) => [kind, { kind }])) as StudyInput['models'] } : {}),
    poisoning: { target: args['target-label'] as 0 | 1, mode: args.mode, rateBasis: args['rate-basis'] as 'eligible' | 'train' },
    evaluation: { threshold: studyThreshold(args['threshold-rule'] ?? 'fpr=0.05') },
    ...(triggers ? { attacks: Object.fromEntries(triggers.map((trigger) => [trigger, { trigger }])) as StudyInput['attacks'] } : {}),
    ...(given(args['poison-rates'], '--poison-rates') ? { rates: args['poison-rates'] } : {}),
    ...(given(args.seeds, '--seeds') ? { seeds: args.seeds } : {}),
    analyses: {
      explain: args.explain ? { ...(args['save-attributions'] ? { saveAttributions: true } : {}) } : false,
      detect: args.detect
        ? {
            ...(args.detectors?.length ? { detectors: args.detectors } : {}),
            retrain: args.retrain,
            ...(args['assumed-contamination'] !== undefined ? { assumedContamination: args['assumed-contamination'] } : {}),
          }
        : false,
    } as StudyInput['analyses'],
    executor: args.executor === 'slurm' ? { kind: 'slurm' } : { kind: 'local', workers: Math.max(0, args.workers) },
  } as StudyInput;
}

export async function runSweep(args: SweepArgs): Promise<void> {
  const slurm = slurmOptionsFromArgs(args);
  const input = await sweepStudyInput(args);
  const { resolveStudy } = await import('./study/resolve.js');
  const study = resolveStudy(memorySource(`sweep --preset ${args.preset}`, input), { baseDir: process.cwd() });
  const { runStudy } = await import('./study/run-study.js');
  await runStudy(study, {
    out: resolve(args.out ?? join('runs', args.preset)),
    preset: args.preset,
    leaveHeld: args['leave-held'] ?? false,
    ...(args.executor === 'slurm' ? { slurm } : {}),
  });
}
