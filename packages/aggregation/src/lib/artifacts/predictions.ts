import { readFile } from 'node:fs/promises';
import { tableFromIPC, type Table } from 'apache-arrow';

/**
 * A run's `predictions.arrow` (docs/formats.md): one row per evaluated stay, the clean test stays and
 * their triggered copies. Read as plain typed arrays so curves and Parquet never touch Arrow again.
 */
export interface RunPredictions {
  readonly stayId: Int32Array;
  readonly split: readonly string[];
  readonly yTrue: Uint8Array;
  readonly pTarget: Float32Array;
  readonly triggered: Uint8Array;
}

/** Why a predictions file cannot be used: what is wrong and where, for a warning or an error. */
export class PredictionsFileError extends Error {
  override readonly name = 'PredictionsFileError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

const COLUMNS = ['stay_id', 'split', 'y_true', 'p_target', 'triggered'] as const;

/**
 * Reads and checks a predictions file: the five columns present, labels 0/1, probabilities in [0, 1].
 * @throws PredictionsFileError naming the file and the first problem found.
 */
export async function readPredictions(path: string): Promise<RunPredictions> {
  let table: Table;
  try {
    table = tableFromIPC(await readFile(path));
  } catch (error) {
    throw new PredictionsFileError(
      path,
      `not an Arrow IPC file (${(error as Error).message}); re-run the cell, or \`ehr-backdoor evaluate --checkpoint … --write\`, to write it again`,
    );
  }
  for (const name of COLUMNS) {
    if (!table.getChild(name))
      throw new PredictionsFileError(
        path,
        `column "${name}" is missing (found: ${table.schema.fields.map((f) => f.name).join(', ') || 'none'})`,
      );
  }
  const n = table.numRows;
  const stayId = new Int32Array(n);
  const yTrue = new Uint8Array(n);
  const pTarget = new Float32Array(n);
  const triggered = new Uint8Array(n);
  const split: string[] = new Array<string>(n);
  const col = (name: (typeof COLUMNS)[number]) => table.getChild(name)!;
  const [ids, splits, ys, ps, ts] = COLUMNS.map(col);
  for (let i = 0; i < n; i++) {
    const y = Number(ys.get(i));
    const p = Number(ps.get(i));
    if (y !== 0 && y !== 1) throw new PredictionsFileError(path, `row ${i}: y_true is ${String(ys.get(i))}, not 0 or 1`);
    if (!(p >= 0 && p <= 1))
      throw new PredictionsFileError(path, `row ${i}: p_target is ${String(ps.get(i))}, not a probability in [0, 1]`);
    stayId[i] = Number(ids.get(i));
    split[i] = String(splits.get(i));
    yTrue[i] = y;
    pTarget[i] = p;
    triggered[i] = ts.get(i) ? 1 : 0;
  }
  return { stayId, split, yTrue, pTarget, triggered };
}

/** The clean test stays (untriggered) of a run's predictions: the rows every clean metric is computed on. */
export function cleanTestRows(p: RunPredictions): { yTrue: Uint8Array; pTarget: Float32Array } {
  const idx: number[] = [];
  for (let i = 0; i < p.yTrue.length; i++) if (p.split[i] === 'test' && p.triggered[i] === 0) idx.push(i);
  return { yTrue: Uint8Array.from(idx, (i) => p.yTrue[i]), pTarget: Float32Array.from(idx, (i) => p.pTarget[i]) };
}
