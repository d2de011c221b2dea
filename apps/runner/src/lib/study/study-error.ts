import { InputError } from '@ehr-backdoor/core';
import type { StudySource } from './source.js';

/** One thing wrong with a study, at a key path; every problem of a study is reported at once by {@link studyError}. */
export interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly at?: 'key' | 'value';
  /** The error code when this is the only problem (the code `run`/`sweep` used before studies, where one existed). */
  readonly code?: string;
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

export function codeOf(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}
