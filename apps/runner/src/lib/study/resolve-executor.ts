import { existsSync } from 'node:fs';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import type { Study } from './schema.js';
import type { Problem } from './study-error.js';

/** The executor with its prologue file's path made absolute (relative to the study file) and checked. */
export function resolveExecutor(study: Study, baseDir: string, problems: Problem[]): Study['executor'] {
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
