import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, writeJsonAtomic } from '@ehr-backdoor/core';
import type { PlannedCell } from '../cell-config.js';
import { cellId } from '../grid.js';
import type { ResolvedStudy } from './resolve.js';
import type { RunnerCode } from '../error-codes.js';

/**
 * study.resolved.json, in a runs root: the study as it was run with every default filled in (variants
 * with their complete model, training and trigger configurations), and the identity hash of every cell
 * that ever ran there (docs/formats.md). A later run of a changed study compares against it; the
 * aggregate app reads the variants from it.
 */
export const RESOLVED_STUDY_FILE = 'study.resolved.json';

export interface ResolvedStudyFile {
  readonly formatVersion: 1;
  readonly source: string;
  readonly writtenAt: string;
  readonly study: ResolvedStudy['study'];
  readonly models: ResolvedStudy['models'];
  readonly attacks: ResolvedStudy['attacks'];
  readonly data: ResolvedStudy['data'];
  /** Cell folder (`model/attack/rate/seed_s`) → identity hash, of this study's cells and earlier ones run here. */
  readonly cells: Readonly<Record<string, string>>;
}

export async function readResolvedStudy(runsRoot: string): Promise<ResolvedStudyFile | undefined> {
  const path = join(runsRoot, RESOLVED_STUDY_FILE);
  if (!existsSync(path)) return undefined;
  let file: ResolvedStudyFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as ResolvedStudyFile;
  } catch (error) {
    throw new CompatibilityError<RunnerCode>(
      'E_RESOLVED_STUDY',
      `${path} is not valid JSON (${(error as Error).message}); remove it only if no cell of that folder is kept.`,
    );
  }
  if (file.formatVersion !== 1)
    throw new CompatibilityError<RunnerCode>(
      'E_RESOLVED_STUDY',
      `${path} has format version ${String(file.formatVersion)}; this ehr-backdoor reads version 1.`,
    );
  return file;
}

export async function writeResolvedStudy(runsRoot: string, study: ResolvedStudy, cells: readonly PlannedCell[]): Promise<void> {
  const previous = await readResolvedStudy(runsRoot);
  const hashes: Record<string, string> = { ...(previous?.cells ?? {}) };
  for (const cell of cells) if (cell.hash) hashes[cellId(cell)] = cell.hash;
  const file: ResolvedStudyFile = {
    formatVersion: 1,
    source: study.source,
    writtenAt: new Date().toISOString(),
    study: study.study,
    models: study.models,
    attacks: study.attacks,
    data: study.data,
    cells: hashes,
  };
  await writeJsonAtomic(join(runsRoot, RESOLVED_STUDY_FILE), file);
}
