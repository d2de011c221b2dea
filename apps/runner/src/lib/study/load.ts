import { readFile } from 'node:fs/promises';
import { InputError } from '@ehr-backdoor/core';
import { resolveStudy, type ResolvedStudy } from './resolve.js';
import { parseStudyText } from './source.js';
import type { RunnerCode } from '../error-codes.js';

/** Reads, parses and resolves a study file (YAML, or JSON: the same parser reads both). */
export async function loadStudyFile(path: string): Promise<ResolvedStudy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError<RunnerCode>(
      'E_STUDY_MISSING',
      `No study file at ${path}: give the path of a .yaml or .json study (see studies/ and docs/studies.md).`,
    );
  }
  const parsed = parseStudyText(text, path);
  if ('problems' in parsed) {
    throw new InputError<RunnerCode>(
      'E_STUDY_SYNTAX',
      `The study ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}; nothing was run or written:\n${parsed.problems.map((p) => `  ${p.where}: ${p.message}`).join('\n')}`,
      { problems: parsed.problems },
    );
  }
  return resolveStudy(parsed);
}
