import { rm } from 'node:fs/promises';
import { DataError, removeStaleTemporariesOf, temporaryPath } from '@ehr-backdoor/core';
import { buildCohort } from '../cohort/build-cohort.js';
import { aggregateFeatures } from '../features/aggregate-features.js';
import { createWindowEvents, scanWindowEvents } from '../features/window-events.js';
import { DuckDbSession } from '../mimic/duckdb-session.js';
import { startGzipChecks, type GzipChecks } from '../mimic/gzip-check.js';
import { detectMimicVersion, readHeaders, relativeName } from '../mimic/schema.js';
import { locateMimicTables } from '../mimic/tables.js';
import { CLINICAL_VARIABLES } from '../variables.js';
import { PhaseClock } from './phase-clock.js';
import { checkPrepareOptions } from './prepare-options.js';
import type { PrepareOptions, PrepareResult } from './prepare-types.js';
import { splitAndNormalise } from './split-and-normalise.js';
import { writePreparedDataset } from './write-prepared-dataset.js';

/**
 * `prepare`: a MIMIC-IV directory to an ICU-mortality dataset directory.
 *
 *   check options, locate hosp/ + icu/ tables ─▶ headers + release detection (DuckDB)    prepare-options, mimic/
 *     ─▶ cohort: typed icustays/admissions/patients, criteria flags, CONSORT flow      cohort/build-cohort
 *     ─▶ window_events: chartevents + labevents filtered to item ids and windows      features/window-events
 *     ─▶ aggregates: hourly means, tabular summaries, out-of-range counts             features/aggregate-features
 *     ─▶ patient splits ─▶ fill values (train medians) + forward fill ─▶ normalisation  split-and-normalise
 *     ─▶ Arrow files + manifest, written to a temporary sibling and renamed into place  write-prepared-dataset
 *
 * Memory: raw events stay inside DuckDB (bounded by `memoryLimit`, spilling to `tempDir`); JS holds
 * only per-stay aggregates, n × T × C floats plus an n × T × C mask.
 */
export type { PrepareOptions, PreparePhase, PrepareProgress, PrepareResult } from './prepare-types.js';

/**
 * Prepares a MIMIC-IV directory as an ICU-mortality dataset directory (Arrow files and manifest.json; the
 * phases are drawn above). The directory appears whole or not at all.
 * @throws InputError `E_OPTION`, `E_SEED` or `E_WINDOW_HOURS` for a bad option; `E_OUTPUT_EXISTS` when
 * `outDir` exists; `E_MIMIC_DIR_NOT_FOUND`, `E_MIMIC_LAYOUT` or `E_MISSING_TABLE` when the MIMIC-IV files are
 * not where they should be.
 * @throws DataError `E_CORRUPT_FILE`, `E_BAD_CSV`, `E_READ_FAILED`, `E_MISSING_COLUMN` or `E_DUPLICATE_KEY` for
 * unreadable or malformed tables, `E_EMPTY_COHORT` or `E_EMPTY_SPLIT` when exclusions or the split leave no stay,
 * `E_BAD_SYNTHETIC_MARKER` for a corrupt synthetic marker file.
 */
export async function prepareDataset(options: PrepareOptions): Promise<PrepareResult> {
  const config = checkPrepareOptions(options);
  const tables = locateMimicTables(config.mimicDir);
  const clock = new PhaseClock(options.onProgress ?? (() => undefined));
  const variables = CLINICAL_VARIABLES;
  // A prepare killed earlier (Ctrl-C twice, OOM, a lost node) left its DuckDB spill folder, which can hold
  // gigabytes on full MIMIC-IV, and perhaps a half-built output folder: remove them if their process is gone.
  await removeStaleTemporariesOf(config.outDir, ['', 'duckdb-']);
  const tempDir = config.tempDir ?? temporaryPath(config.outDir, 'duckdb-');
  const gzipChecks = startGzipChecks(options.verifyGzip === false ? [] : Object.values(tables).map((t) => t.path));
  const session = await DuckDbSession.open({ memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory: tempDir });
  try {
    clock.start('inspect', 'reading table headers');
    const version = await detectMimicVersion(session, tables, await readHeaders(session, tables));

    clock.start('cohort', 'building the cohort');
    const cohort = await buildCohort(session, tables, config.windowHours, config.labelDefinition);
    await createWindowEvents(session, variables);
    for (const source of ['chartevents', 'labevents'] as const) {
      const message = `scanning ${relativeName(tables[source])}`;
      clock.start(source, message);
      await scanWindowEvents(session, tables[source], source, variables, clock.queryProgress(source, message));
    }

    clock.start('aggregate', 'hourly grid and tabular summaries');
    const aggregated = await aggregateFeatures(session, cohort, config.windowHours, variables);

    clock.start('splits', 'patient-level splits, fill values, normalisation');
    const split = splitAndNormalise(cohort, aggregated, variables, config.splitFractions, config.seed);

    clock.start('write', `writing ${config.outDir}`);
    await gzipChecks.assertAll();
    const { manifest, dataset } = await writePreparedDataset({ config, tables, version, cohort, variables, aggregated, split });
    clock.start('write', 'done');
    return { outDir: config.outDir, manifest, dataset, seconds: clock.seconds };
  } catch (error) {
    throw await explainedByGzip(error, gzipChecks);
  } finally {
    await gzipChecks.stop();
    session.close();
    if (!config.tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/** A parse error in a gzip file is usually a truncated download: the CRC check's error when it agrees, else `error`. */
async function explainedByGzip(error: unknown, gzipChecks: GzipChecks): Promise<unknown> {
  const files = error instanceof DataError ? [error.details.files, error.details.file].flat() : [];
  for (const file of files) {
    const corrupt = typeof file === 'string' ? await gzipChecks.failure(file) : undefined;
    if (corrupt) return corrupt;
  }
  return error;
}
