import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative, resolve } from 'node:path';
import { InputError, assertInput } from '@ehr-backdoor/core';
import { DEFAULT_LABEL_DEFINITION, LABEL_DEFINITIONS, type LabelDefinition } from '../cohort/cohort-sql.js';
import { DEFAULT_SPLIT_FRACTIONS, assertSplitFractions, type SplitFractions } from '../splits/patient-splits.js';
import type { PrepareOptions } from './prepare-types.js';
import type { DataCode } from '../error-codes.js';

const MAX_WINDOW_HOURS = 24 * 14;

/** {@link PrepareOptions} checked, defaults filled in, paths absolute. */
export interface PrepareConfig {
  readonly mimicDir: string;
  readonly outDir: string;
  readonly windowHours: number;
  readonly labelDefinition: LabelDefinition;
  readonly seed: number;
  readonly splitFractions: SplitFractions;
  readonly memoryLimit: string;
  readonly threads: number;
  readonly tempDir?: string;
}

/**
 * Every option checked before any file is opened.
 * @throws InputError `E_OPTION`, `E_WINDOW_HOURS`, `E_LABEL_DEFINITION`, `E_SEED`, `E_OUTPUT_EXISTS`.
 */
export function checkPrepareOptions(options: PrepareOptions): PrepareConfig {
  assertInput<DataCode>(
    typeof options.mimicDir === 'string' && options.mimicDir.length > 0,
    'E_OPTION',
    () => 'prepare: mimicDir (--mimic) is required: the MIMIC-IV folder holding hosp/ and icu/.',
  );
  assertInput<DataCode>(typeof options.outDir === 'string' && options.outDir.length > 0, 'E_OPTION', () => 'prepare: outDir (--out) is required.');
  const windowHours = options.windowHours ?? 24;
  assertInput<DataCode>(
    Number.isInteger(windowHours) && windowHours > 0 && windowHours <= MAX_WINDOW_HOURS,
    'E_WINDOW_HOURS',
    () => `prepare: --window-hours must be a whole number of hours in [1, ${MAX_WINDOW_HOURS}], got ${String(options.windowHours)}. The default is 24.`,
  );
  const labelDefinition = options.labelDefinition ?? DEFAULT_LABEL_DEFINITION;
  assertInput<DataCode>(
    LABEL_DEFINITIONS.includes(labelDefinition),
    'E_LABEL_DEFINITION',
    () => `prepare: --label must be one of ${LABEL_DEFINITIONS.join(', ')} (in-hospital or ICU mortality), got ${JSON.stringify(options.labelDefinition)}.`,
  );
  const seed = options.seed ?? 0;
  assertInput<DataCode>(Number.isSafeInteger(seed) && seed >= 0, 'E_SEED', () => `prepare: --seed must be a non-negative integer, got ${String(options.seed)}.`);
  const splitFractions = options.splitFractions ?? DEFAULT_SPLIT_FRACTIONS;
  assertSplitFractions(splitFractions);
  const { memoryLimit, threads } = checkResources(options);
  const { mimicDir, outDir } = checkPaths(options);
  return { mimicDir, outDir, windowHours, labelDefinition, seed, splitFractions, memoryLimit, threads, tempDir: options.tempDir ? resolve(options.tempDir) : undefined };
}

function checkResources(options: PrepareOptions): { memoryLimit: string; threads: number } {
  const memoryLimit = options.memoryLimit ?? '2GB';
  assertInput<DataCode>(
    /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit),
    'E_OPTION',
    () => `prepare: memoryLimit must look like '2GB' or '512MiB', got '${memoryLimit}'.`,
  );
  const threads = options.threads ?? Math.min(4, availableParallelism());
  assertInput<DataCode>(Number.isInteger(threads) && threads >= 1, 'E_OPTION', () => `prepare: threads must be a positive integer, got ${String(options.threads)}.`);
  return { memoryLimit, threads };
}

/** The output must be new, and outside the MIMIC-IV directory. */
function checkPaths(options: PrepareOptions): { mimicDir: string; outDir: string } {
  const mimicDir = resolve(options.mimicDir);
  const outDir = resolve(options.outDir);
  if (existsSync(outDir)) {
    throw new InputError<DataCode>(
      'E_OUTPUT_EXISTS',
      `prepare: output ${outDir} already exists. Datasets are never overwritten: choose another --out or delete it first.`,
      { path: outDir },
    );
  }
  const inside = relative(mimicDir, outDir);
  assertInput<DataCode>(
    inside.startsWith('..') || inside === outDir,
    'E_OPTION',
    () => `prepare: --out ${outDir} is inside the MIMIC-IV directory ${mimicDir}; write the dataset elsewhere.`,
  );
  return { mimicDir, outDir };
}
