import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireCellLock, removeStaleTemporaries, SUMMARY_FILE } from './cell-state.js';
import { cellDir } from './grid.js';
import type { Summary } from './summary.js';
import { evaluateCell } from './run-cell/evaluate-cell.js';
import { startMetadata } from './run-cell/metadata.js';
import { readAwaiting } from './run-cell/finish-cell.js';
import { settleCell, writeCellOutputs } from './run-cell/outputs.js';
import { checkRunDirectory, recordCellError } from './run-cell/run-directory.js';
import { setUpCell } from './run-cell/setup.js';
import { trainCell } from './run-cell/train-cell.js';
import type { CellReporter, CellRequest } from './run-cell/request.js';

/**
 * One cell, start to finish (or from its last checkpoint to finish):
 *
 *   load dataset (or a sweep worker's cached copy) ─▶ poisoning plan ─▶ check run dir config ─▶ lock
 *        ─▶ poisoned training split ─▶ train (resumes from checkpoints/) ─▶ clean test metrics
 *        ─▶ triggered test set ─▶ backdoor metrics ─▶ predictions.arrow
 *        ─▶ (poisoned: the clean baseline's summary, read now) ─▶ summary.json (last: it marks the cell done) ─▶ unlock
 *
 * One call per phase, each in run-cell/: setup (everything checked, nothing written) ─▶ run-directory
 * (same configuration? error.json) ─▶ metadata ─▶ train-cell ─▶ evaluate-cell ─▶ outputs ─▶ finish-cell.
 * With `deferBaseline` (a sweep) a poisoned cell whose baseline is not done yet stops before summary.json,
 * its inputs kept in awaiting-baseline.json, and returns null; run again, it only writes the summary.
 */
export type { CellReporter, CellRequest } from './run-cell/request.js';
export { RUN_FORMAT_VERSION } from './run-cell/metadata.js';
export { CALIBRATION_FILE } from './run-cell/outputs.js';

export async function executeCell(request: CellRequest & { deferBaseline?: false }, report?: CellReporter): Promise<Summary>;
export async function executeCell(request: CellRequest, report?: CellReporter): Promise<Summary | null>;
export async function executeCell(request: CellRequest, report: CellReporter = () => undefined): Promise<Summary | null> {
  const dir = cellDir(request.runsRoot, request.cell);
  const started = Date.now();
  // Everything that can be checked is checked before the run directory is touched, so bad input
  // leaves nothing behind.
  const setup = await setUpCell(request, report);
  if (existsSync(dir)) await checkRunDirectory(dir, setup.configHash);

  await mkdir(dir, { recursive: true });
  const unlock = await acquireCellLock(dir);
  try {
    await removeStaleTemporaries(dir);
    if (existsSync(join(dir, SUMMARY_FILE))) {
      request.onAlreadyDone?.();
      return JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as Summary;
    }
    await checkRunDirectory(dir, setup.configHash);
    // Trained and evaluated before its baseline finished: only the summary is left to write.
    const awaiting = await readAwaiting(dir);
    if (awaiting) return await settleCell(dir, request, awaiting);
    const backend = await setup.train.selectBackend(setup.cellConfig.backend);
    report({ phase: setup.train.describeBackend(backend) });
    const metadata = await startMetadata(dir, request, setup, backend, started);
    const trained = await trainCell(dir, setup, backend, report);
    const evaluated = await evaluateCell(dir, setup, trained.trained.model, report);
    // Sweep workers run many cells in one process: free this cell's weights before the next.
    trained.trained.model.dispose();
    return await writeCellOutputs(dir, request, setup, { backend, metadata, trained, evaluated, started });
  } catch (error) {
    await recordCellError(dir, error);
    throw error;
  } finally {
    await unlock();
  }
}
