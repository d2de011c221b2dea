import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import type { RunnerCode } from './error-codes.js';

/**
 * The check `run` and `sweep` make before any cell starts. Kept apart from run-cell.ts so the sweep
 * parent, which only checks and dispatches, does not load the evaluation stack (evaluate, predictions,
 * Arrow) that only the processes running cells need.
 */
export async function assertDatasetDir(dataDir: string): Promise<void> {
  if (!existsSync(join(dataDir, 'manifest.json'))) {
    throw new InputError<RunnerCode>(
      'E_DATASET_MISSING',
      `${dataDir} is not a prepared dataset (no manifest.json): create one with \`ehr-backdoor prepare --mimic DIR --out ${dataDir}\`.`,
    );
  }
}
