import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, environmentErrorFrom, writeJsonAtomic } from '@ehr-backdoor/core';
import { ERROR_FILE } from '../cell-state.js';
import type { RunnerCode } from '../error-codes.js';

/** A run directory that holds another config's run is never silently reused or overwritten. */
export async function checkRunDirectory(dir: string, configHash: string): Promise<void> {
  const path = join(dir, 'run_metadata.json');
  if (!existsSync(path)) return;
  let previous: { configHash?: string };
  try {
    previous = JSON.parse(await readFile(path, 'utf8')) as { configHash?: string };
  } catch {
    throw new CompatibilityError<RunnerCode>(
      'E_RUN_DIR_CORRUPT',
      `${path} is not valid JSON; remove the run directory ${dir} to start it again.`,
    );
  }
  if (previous.configHash !== configHash) {
    throw new CompatibilityError<RunnerCode>(
      'E_RUN_DIR_CONFIG',
      `The run directory ${dir} holds a run of another configuration (config hash ${previous.configHash?.slice(0, 12)} ≠ ${configHash.slice(0, 12)}); ` +
        `use another --out, or remove that directory to start over.`,
    );
  }
}

/** error.json: why the cell stopped (a full disk or a read-only folder named as such), for status and the report. */
export async function recordCellError(dir: string, error: unknown): Promise<void> {
  const explained = environmentErrorFrom(error) ?? error;
  await writeJsonAtomic(join(dir, ERROR_FILE), {
    message: explained instanceof Error ? explained.message : String(explained),
    code: (explained as { code?: string }).code ?? null,
    at: new Date().toISOString(),
  }).catch(() => undefined);
}
