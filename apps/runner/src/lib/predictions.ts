import { readFile } from 'node:fs/promises';
import { Bool, Float32, Int32, makeVector, Table, tableFromIPC, tableToIPC, Uint8, Utf8, vectorFromArray } from 'apache-arrow';
import { DataError, writeFileAtomic } from '@ehr-backdoor/core';
import type { RunnerCode } from './error-codes.js';

/** predictions.arrow: one row per evaluated stay (clean test stays, then their triggered versions). */
export interface PredictionBlock {
  readonly stayIds: Int32Array;
  readonly split: 'train' | 'val' | 'test';
  readonly yTrue: Uint8Array;
  readonly pTarget: Float32Array;
  readonly triggered: boolean;
}

export async function writePredictions(path: string, blocks: readonly PredictionBlock[]): Promise<void> {
  const n = blocks.reduce((a, b) => a + b.stayIds.length, 0);
  const stayId = new Int32Array(n);
  const yTrue = new Uint8Array(n);
  const pTarget = new Float32Array(n);
  const split: string[] = [];
  const triggered: boolean[] = [];
  let offset = 0;
  for (const block of blocks) {
    stayId.set(block.stayIds, offset);
    yTrue.set(block.yTrue, offset);
    pTarget.set(block.pTarget, offset);
    for (let i = 0; i < block.stayIds.length; i++) {
      split.push(block.split);
      triggered.push(block.triggered);
    }
    offset += block.stayIds.length;
  }
  const table = new Table({
    stay_id: makeVector({ type: new Int32(), data: stayId }),
    split: vectorFromArray(split, new Utf8()),
    y_true: makeVector({ type: new Uint8(), data: yTrue }),
    p_target: makeVector({ type: new Float32(), data: pTarget }),
    triggered: vectorFromArray(triggered, new Bool()),
  });
  await writeFileAtomic(path, tableToIPC(table, 'file'));
}

/** The clean test rows of a run's predictions.arrow (stay, p_target), as `export --verify` compares them. */
export async function readCleanTestPredictions(path: string): Promise<{ stayIds: number[]; pTarget: number[] }> {
  let table: Table;
  try {
    table = tableFromIPC(await readFile(path));
  } catch (error) {
    throw new DataError<RunnerCode>(
      'E_PREDICTIONS_CORRUPT',
      `${path} is not an Arrow IPC file (${(error as Error).message}); re-run the cell (or \`evaluate --checkpoint … --write\`) to write it again.`,
    );
  }
  const [ids, split, p, triggered] = ['stay_id', 'split', 'p_target', 'triggered'].map((name) => {
    const column = table.getChild(name);
    if (!column)
      throw new DataError<RunnerCode>(
        'E_PREDICTIONS_CORRUPT',
        `${path} has no column "${name}" (found: ${table.schema.fields.map((f) => f.name).join(', ') || 'none'}).`,
      );
    return column;
  });
  const out = { stayIds: [] as number[], pTarget: [] as number[] };
  for (let i = 0; i < table.numRows; i++) {
    if (split.get(i) !== 'test' || triggered.get(i)) continue;
    const value = Number(p.get(i));
    if (!(value >= 0 && value <= 1))
      throw new DataError<RunnerCode>('E_PREDICTIONS_CORRUPT', `${path} row ${i}: p_target is ${String(p.get(i))}, not a probability.`);
    out.stayIds.push(Number(ids.get(i)));
    out.pTarget.push(value);
  }
  return out;
}
