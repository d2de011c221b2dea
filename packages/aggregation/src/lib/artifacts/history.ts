import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One epoch of a run's training history, as the train package's checkpoints record it. */
export interface EpochPoint {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valAuroc: number;
}

// Checkpoints spell NaN and ±Infinity as tagged strings (JSON has neither); see train's checkpoint.ts.
const TAG = '$number:';
const num = (v: unknown): number =>
  typeof v === 'number' ? v : typeof v === 'string' && v.startsWith(TAG) ? Number(v.slice(TAG.length)) : Number.NaN;

/**
 * The training history of a run directory: from `checkpoints/final/checkpoint.json`, else from the
 * newest `checkpoints/epoch-NNNN/`. Every checkpoint carries the whole history up to its epoch, so the
 * newest one holds all of it. Undefined when the run kept no checkpoint.
 * @throws Error naming the file when a checkpoint.json exists but is not a readable history.
 */
export async function readHistory(runDir: string): Promise<EpochPoint[] | undefined> {
  const dir = join(runDir, 'checkpoints');
  if (!existsSync(dir)) return undefined;
  let path = join(dir, 'final', 'checkpoint.json');
  if (!existsSync(path)) {
    const epochs = (await readdir(dir)).filter((n) => /^epoch-\d{4,}$/.test(n)).sort();
    if (epochs.length === 0) return undefined;
    path = join(dir, epochs[epochs.length - 1], 'checkpoint.json');
    if (!existsSync(path)) return undefined;
  }
  let json: { history?: unknown };
  try {
    json = JSON.parse(await readFile(path, 'utf8')) as { history?: unknown };
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(json.history)) throw new Error(`${path} has no "history" array`);
  return json.history.map((h: Record<string, unknown>) => ({
    epoch: num(h.epoch),
    trainLoss: num(h.trainLoss),
    valLoss: num(h.valLoss),
    valAuroc: num(h.valAuroc),
  }));
}
