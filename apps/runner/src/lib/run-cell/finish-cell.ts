import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { AWAITING_FILE, ERROR_FILE, SUMMARY_FILE } from '../cell-state.js';
import { assembleSummary, summaryToCsv, type Summary, type SummaryInputs } from '../summary.js';
import { withCleanReference, type CleanReference, type OwnResults } from './clean-reference.js';

/** What a finished cell writes last: its summary's inputs (before the baseline's columns) and run_metadata.json. */
export interface FinishedCell {
  readonly inputs: SummaryInputs;
  readonly own: OwnResults;
  /** run_metadata.json as written when the cell is done (status "done", the cell's own timings). */
  readonly metadata: object;
}

/**
 * run_metadata.json (status "done"), summary.csv, then summary.json: written last, it marks the cell done,
 * so a cell stopped anywhere before it is resumed, never half-counted. A poisoned cell's clean-AUROC drop
 * and ASR lift are computed here against `reference` (null: no finished clean run).
 */
export async function finishCell(dir: string, finished: FinishedCell, reference: CleanReference | null): Promise<Summary> {
  const { inputs, own, metadata } = finished;
  const rows = inputs.cell.rate === 0 ? inputs.rows : withCleanReference(inputs.rows, own, reference, inputs.cell);
  const summary = assembleSummary({ ...inputs, rows });
  await writeJsonAtomic(join(dir, 'run_metadata.json'), metadata);
  await writeFileAtomic(join(dir, 'summary.csv'), summaryToCsv(summary));
  await rm(join(dir, ERROR_FILE), { force: true });
  await writeJsonAtomic(join(dir, SUMMARY_FILE), summary);
  await rm(join(dir, AWAITING_FILE), { force: true });
  return summary;
}

/** Keeps a finished cell's summary inputs until its clean baseline is there; NaN and undefined survive the JSON. */
export async function writeAwaiting(dir: string, finished: FinishedCell): Promise<void> {
  const encode = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? { $number: String(value) } : value === undefined ? { $undefined: true } : value;
  await writeFileAtomic(join(dir, AWAITING_FILE), JSON.stringify({ formatVersion: 1, ...finished }, encode, 2) + '\n');
}

/**
 * The cell's kept summary inputs, or null when it has none. One that cannot be read is not trusted: the
 * cell is evaluated again (its training resumes from its last checkpoint, so nothing is trained twice).
 */
export async function readAwaiting(dir: string): Promise<FinishedCell | null> {
  const path = join(dir, AWAITING_FILE);
  if (!existsSync(path)) return null;
  try {
    const { formatVersion, ...finished } = revive(JSON.parse(await readFile(path, 'utf8'))) as FinishedCell & { formatVersion: unknown };
    return formatVersion === 1 ? finished : null;
  } catch {
    return null;
  }
}

// A reviver cannot return undefined without deleting the key, and a summary writes an undefined metric as null.
function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (value === null || typeof value !== 'object') return value;
  if ('$number' in value) return Number((value as { $number: string }).$number);
  if ('$undefined' in value) return undefined;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, revive(v)]));
}
