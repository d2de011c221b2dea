import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireCellLock, removeStaleTemporaries, SUMMARY_FILE } from './cell-state.js';
import { cellDir } from './grid.js';
import type { Summary } from './summary.js';
import { evaluateCell } from './run-cell/evaluate-cell.js';
import { startMetadata } from './run-cell/metadata.js';
import { writeCellOutputs } from './run-cell/outputs.js';
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
 *        ─▶ summary.json (last: it marks the cell done) ─▶ unlock
 *
 * One call per phase, each in run-cell/: setup (everything checked, nothing written) ─▶ run-directory
 * (same configuration? error.json) ─▶ metadata ─▶ train-cell ─▶ evaluate-cell ─▶ outputs.
 */
export type { CellReporter, CellRequest } from './run-cell/request.js';
export { RUN_FORMAT_VERSION } from './run-cell/metadata.js';
export { CALIBRATION_FILE } from './run-cell/outputs.js';

export async function executeCell(request: CellRequest, report: CellReporter = () => undefined): Promise<Summary> {
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
    const backend = await setup.train.selectBackend(setup.cellConfig.backend);
    report({ phase: setup.train.describeBackend(backend) });
    const metadata = await startMetadata(dir, request, setup, backend, started);
    const trained = await trainCell(dir, setup, backend, report);
    const evaluated = await evaluateCell(dir, request, setup, trained.trained.model, report);
    // Sweep workers run many cells in one process: free this cell's weights before the next.
    trained.trained.model.dispose();
    return await writeCellOutputs(dir, setup, { backend, metadata, trained, evaluated, started });
  } catch (error) {
    await recordCellError(dir, error);
    throw error;
  } finally {
    await unlock();
  }
}
