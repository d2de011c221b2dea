import { readFile } from 'node:fs/promises';
import { tableFromIPC } from 'apache-arrow';

/** A run's detect-scores.arrow (written by `ehr-backdoor detect`): per detector, every training stay's score and the truth. */
export interface DetectorScores {
  readonly detector: string;
  readonly scores: Float64Array;
  readonly poisoned: Uint8Array;
}

/** @throws Error naming the problem when the file is unreadable or lacks a column. */
export async function readDetectScores(path: string): Promise<DetectorScores[]> {
  let table;
  try {
    table = tableFromIPC(await readFile(path));
  } catch (error) {
    throw new Error(`not an Arrow IPC file (${(error as Error).message})`);
  }
  const [detector, score, poisoned] = ['detector', 'score', 'poisoned'].map((name) => {
    const column = table.getChild(name);
    if (!column) throw new Error(`column "${name}" is missing`);
    return column;
  });
  const by = new Map<string, { scores: number[]; poisoned: number[] }>();
  for (let i = 0; i < table.numRows; i++) {
    const name = String(detector.get(i));
    const entry = by.get(name) ?? { scores: [], poisoned: [] };
    const s = score.get(i);
    entry.scores.push(typeof s === 'number' ? s : Number.NaN);
    entry.poisoned.push(poisoned.get(i) ? 1 : 0);
    by.set(name, entry);
  }
  return [...by.entries()].map(([name, e]) => ({
    detector: name,
    scores: Float64Array.from(e.scores),
    poisoned: Uint8Array.from(e.poisoned),
  }));
}
