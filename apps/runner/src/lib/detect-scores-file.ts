import { Bool, Float64, Int32, makeVector, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { writeFileAtomic } from '@ehr-backdoor/core';

/**
 * detect-scores.arrow (written by `detect`): every detector's score for every training stay, whether it
 * flagged it, and whether the stay was poisoned; the truth is added only here, after the detectors ran,
 * to score them (the report draws score distributions and detection ROC curves from it).
 */
export interface DetectScoresInput {
  readonly trainRows: Int32Array;
  readonly stayIds: ArrayLike<number>;
  /** Row indices of the poisoned training stays (the plan's truth). */
  readonly poisonedRows: ArrayLike<number>;
  readonly detectors: readonly { readonly name: string; readonly scores: Float64Array; readonly flaggedRows: ArrayLike<number> }[];
}

export async function writeDetectScores(path: string, input: DetectScoresInput): Promise<void> {
  const poisoned = new Set(Array.from(input.poisonedRows));
  const n = input.trainRows.length;
  const detector: string[] = [];
  const rows = new Int32Array(n * input.detectors.length);
  const stays = new Int32Array(n * input.detectors.length);
  const scores = new Float64Array(n * input.detectors.length);
  const flaggedColumn: boolean[] = [];
  const poisonedColumn: boolean[] = [];
  input.detectors.forEach((d, i) => {
    const flagged = new Set(Array.from(d.flaggedRows));
    for (let k = 0; k < n; k++) {
      const row = input.trainRows[k];
      detector.push(d.name);
      rows[i * n + k] = row;
      stays[i * n + k] = input.stayIds[row];
      scores[i * n + k] = d.scores[k];
      flaggedColumn.push(flagged.has(row));
      poisonedColumn.push(poisoned.has(row));
    }
  });
  const table = new Table({
    detector: vectorFromArray(detector, new Utf8()),
    row_index: makeVector({ type: new Int32(), data: rows }),
    stay_id: makeVector({ type: new Int32(), data: stays }),
    score: makeVector({ type: new Float64(), data: scores }),
    flagged: vectorFromArray(flaggedColumn, new Bool()),
    poisoned: vectorFromArray(poisonedColumn, new Bool()),
  });
  await writeFileAtomic(path, tableToIPC(table, 'file'));
}
