import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import type { CellKey } from './grid.js';
import type { RunnerCode } from './error-codes.js';

/**
 * The checks `run` and `sweep` make before any cell starts. Kept apart from run-cell.ts so the sweep
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

/**
 * Checks every model and trigger name of a grid before any cell starts, and returns the cells whose
 * trigger is defined on the model's view (a time-series-only trigger has no meaning for a tabular
 * model) together with the pairs left out.
 */
export async function validateCellNames(cells: readonly CellKey[]): Promise<{ cells: CellKey[]; skipped: string[] }> {
  // The name tables live with the models and triggers; imported here, not at the top, so `--help` and
  // the checks before them stay light.
  const { MODEL_KINDS, viewOf } = await import('@ehr-backdoor/train/names');
  const { TRIGGER_NAMES, triggerViews } = await import('@ehr-backdoor/poison/names');
  const kept: CellKey[] = [];
  const skipped = new Set<string>();
  for (const cell of cells) {
    const kind = MODEL_KINDS.find((k) => k === cell.model);
    if (!kind) throw new InputError<RunnerCode>('E_UNKNOWN_MODEL', `Unknown model "${cell.model}": choose from ${MODEL_KINDS.join(', ')}.`);
    if (!(TRIGGER_NAMES as readonly string[]).includes(cell.trigger)) {
      throw new InputError<RunnerCode>('E_UNKNOWN_TRIGGER', `Unknown trigger "${cell.trigger}": choose from ${TRIGGER_NAMES.join(', ')}.`);
    }
    const view = viewOf(kind);
    if (triggerViews(cell.trigger).includes(view)) kept.push(cell);
    else skipped.add(`${cell.model} × ${cell.trigger} (the trigger has no ${view} form)`);
  }
  return { cells: kept, skipped: [...skipped] };
}
