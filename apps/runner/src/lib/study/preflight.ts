import { readFile } from 'node:fs/promises';
import { InputError } from '@ehr-backdoor/core';
import type { PlannedCell } from '../cell-config.js';
import { studyError, type ResolvedStudy } from './resolve.js';
import { memorySource, parseStudyText, type StudySource } from './source.js';

/**
 * Bad input that only the dataset can reveal — a clean-label attack whose target label no training stay
 * has, a rate too small to poison one stay, a trigger variable or window the dataset lacks — found before
 * a study writes anything, instead of as failed cells after the clean models have trained. Each attack
 * variant is planned once per poisoned rate on the study's dataset (the cell's own plan call, with its
 * first seed; planning reads the data and writes nothing). Every problem is reported at once, at the
 * attack's key in the study file.
 */
export async function assertAttacksPlannable(study: ResolvedStudy, cells: readonly PlannedCell[], dataDir: string): Promise<void> {
  const first = new Map<string, PlannedCell>();
  for (const cell of cells) {
    const key = `${cell.trigger}\u0000${cell.rate}`;
    if (cell.rate > 0 && cell.config && !first.has(key)) first.set(key, cell);
  }
  if (first.size === 0) return;
  const { loadDataset } = await import('@ehr-backdoor/data');
  const { planPoisoning, resolveTrigger } = await import('@ehr-backdoor/poison');
  let dataset: Awaited<ReturnType<typeof loadDataset>>;
  try {
    dataset = await loadDataset(dataDir);
  } catch {
    // A dataset that does not load is each cell's error to report, as it was before this check.
    return;
  }
  const problems: { path: string[]; message: string; code?: string }[] = [];
  const reported = new Set<string>();
  for (const cell of first.values()) {
    const { attack, rateBasis } = cell.config!;
    try {
      const trigger = resolveTrigger(attack.trigger as string, attack.params);
      planPoisoning({
        dataset,
        trigger,
        rate: cell.rate,
        targetLabel: attack.target,
        mode: attack.mode,
        seed: cell.seed,
        rateBasis: rateBasis ?? 'eligible',
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      // One message per attack and kind of problem: an attack without eligible stays fails at every rate.
      const id = `${cell.trigger}\u0000${error.code}`;
      if (reported.has(id)) continue;
      reported.add(id);
      problems.push({ path: ['attacks', cell.trigger], code: error.code, message: studyMessage(error, cell.rate, dataDir) });
    }
  }
  if (problems.length) throw studyError(await sourceOf(study), problems);
}

/**
 * The plan's refusal in the study file's words: the library's own fix names its API (`mode 'clean-label'`,
 * `targetLabel`), which a study writer would look for in vain, so it gives way to the study's keys.
 */
function studyMessage(error: InputError<string>, rate: number, dataDir: string): string {
  const where = ` (rate ${rate}, dataset ${dataDir}).`;
  const inStudyWords = STUDY_FIXES[error.code];
  return inStudyWords ? inStudyWords(error, where) : `${error.message.replace(/\.$/, '')}${where}`;
}

/** How to fix, in a study, what a plan refuses most often (keyed by poison's codes). */
const STUDY_FIXES: Partial<Record<string, (error: InputError<string>, where: string) => string>> = {
  E_NO_ELIGIBLE_ROWS: (error, where) => {
    // Built from the error's details, not by cutting the library's wording.
    const { mode, targetLabel, trainSize } = error.details as { mode: string; targetLabel: number; trainSize: number };
    const other = mode === 'dirty-label' ? 'clean-label' : 'dirty-label';
    const wanted = mode === 'dirty-label' ? `label ≠ ${targetLabel}` : `label = ${targetLabel}`;
    const what = `${mode} with target ${targetLabel} has no eligible rows (0 training stays with ${wanted} among ${trainSize})`;
    return `${what}${where} Set \`mode: ${other}\` or \`target: ${1 - targetLabel}\` for this attack, or use a dataset whose training split has the stays it needs.`;
  },
  E_POISON_RATE_TOO_SMALL: (error, where) =>
    `${error.message.replace(/\.$/, '')}${where} Raise the rate (or leave it out of \`rates\`) for this dataset.`,
};

/** The study file's text again, for the positions of its keys; a study built in memory has none. */
async function sourceOf(study: ResolvedStudy): Promise<StudySource> {
  try {
    const parsed = parseStudyText(await readFile(study.source, 'utf8'), study.source);
    if (!('problems' in parsed)) return parsed;
  } catch {
    // Not a file (sweep's in-memory study): names without positions.
  }
  return memorySource(study.source, study.study);
}
