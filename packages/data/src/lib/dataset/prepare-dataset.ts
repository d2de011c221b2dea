import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DataError, InputError, assertInput, hashJson, removeStaleTemporariesOf, sha256, temporaryPath, writeDirectoryAtomic } from '@ehr-backdoor/core';
import {
  COHORT_ROWS_SQL,
  UNIQUE_KEYS,
  cohortCandidatesSql,
  cohortCriteria,
  cohortFlowSql,
  cohortSql,
  DEFAULT_LABEL_DEFINITION,
  LABEL_DEFINITIONS,
  type LabelDefinition,
  duplicateKeySql,
  stageCohortTablesSql,
} from '../cohort/cohort-sql.js';
import {
  CREATE_WINDOW_EVENTS_SQL,
  HOURLY_GRID_SQL,
  RANGE_COUNTS_SQL,
  TABULAR_SUMMARY_SQL,
  insertWindowEventsSql,
  variableItemsSql,
} from '../features/events-sql.js';
import { createHourlyGrid, forwardFill, observedMedians, setObserved } from '../features/hourly-grid.js';
import { TabularMatrix, tabularFeatures } from '../features/tabular-features.js';
import { DuckDbSession, type QueryProgressReport } from '../mimic/duckdb-session.js';
import { startGzipChecks } from '../mimic/gzip-check.js';
import { detectMimicVersion, readHeaders, relativeName } from '../mimic/schema.js';
import { locateMimicTables, type LocatedTables } from '../mimic/tables.js';
import { DEFAULT_SPLIT_FRACTIONS, assertSplitFractions, assignPatientSplits, type SplitFractions } from '../splits/patient-splits.js';
import { CLINICAL_VARIABLES, STATIC_FEATURES, type TabularStat } from '../variables.js';
import { TABULAR_FILE, TIMESERIES_FILE, encodeTabular, encodeTimeSeries } from './arrow-files.js';
import { fitNormalisation, summariseSplits } from './create-dataset.js';
import { SPLIT_CODE, type CohortStep, type DatasetManifest, type EhrDataset } from './types.js';
import type { DataCode } from '../error-codes.js';

/**
 * `prepare`: a MIMIC-IV directory to an ICU-mortality dataset directory.
 *
 *   check options, locate hosp/ + icu/ tables ─▶ headers + release detection (DuckDB)
 *     ─▶ cohort: typed icustays/admissions/patients, criteria flags, CONSORT flow   (DuckDB)
 *     ─▶ window_events: chartevents + labevents filtered to item ids and windows   (DuckDB, streaming scans)
 *     ─▶ aggregates: hourly means, tabular summaries, out-of-range counts          (DuckDB → typed arrays)
 *     ─▶ patient splits ─▶ fill values (train medians) + forward fill ─▶ normalisation (train only)
 *     ─▶ Arrow files + manifest, written to a temporary sibling and renamed into place
 *
 * Memory: raw events stay inside DuckDB (bounded by `memoryLimit`, spilling to `tempDir`); JS holds
 * only per-stay aggregates, n × T × C floats plus an n × T × C mask.
 */
export type PreparePhase = 'inspect' | 'cohort' | 'chartevents' | 'labevents' | 'aggregate' | 'splits' | 'write';

/** Sent when a phase starts, and every 0.5 s while DuckDB scans an event table. */
export interface PrepareProgress {
  readonly phase: PreparePhase;
  readonly message: string;
  /** 0–100 within the phase when DuckDB can estimate it. */
  readonly percentage?: number;
}

/** Options of {@link prepareDataset}. */
export interface PrepareOptions {
  /** MIMIC-IV root holding hosp/ and icu/ (`.csv.gz` or `.csv`), release 2.2 or 3.x. */
  readonly mimicDir: string;
  /** Dataset directory to create; must not exist. */
  readonly outDir: string;
  /** Observation window from ICU admission, whole hours (default 24). */
  readonly windowHours?: number;
  /** Which mortality the label is: `hospital_mortality` (default) or `icu_mortality`. */
  readonly labelDefinition?: LabelDefinition;
  /** Seed of the patient-level splits (default 0). */
  readonly seed?: number;
  readonly splitFractions?: SplitFractions;
  /** Called at each phase start and every 0.5 s during long DuckDB scans (see {@link PrepareProgress}). */
  readonly onProgress?: (event: PrepareProgress) => void;
  /** DuckDB memory_limit (default '2GB'). */
  readonly memoryLimit?: string;
  /** DuckDB threads (default: available cores, at most 4). */
  readonly threads?: number;
  /** Where DuckDB spills (default: a `.tmp-duckdb-*` sibling of outDir, removed afterwards). */
  readonly tempDir?: string;
  /**
   * Inflate every .csv.gz once more to check its CRC (default true). DuckDB does not check gzip
   * trailers, so without this a truncated download reads as a shorter table. Runs beside the scans.
   */
  readonly verifyGzip?: boolean;
}

/** What {@link prepareDataset} wrote and how long each phase took. */
export interface PrepareResult {
  readonly outDir: string;
  readonly manifest: DatasetManifest;
  /** The dataset as written (what `loadDataset(outDir)` returns, without re-reading the files). */
  readonly dataset: EhrDataset;
  /** Seconds per phase. */
  readonly seconds: Readonly<Partial<Record<PreparePhase, number>>>;
}

const MAX_WINDOW_HOURS = 24 * 14;

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
  const config = checkOptions(options);
  const tables = locateMimicTables(config.mimicDir);
  const progress = options.onProgress ?? (() => undefined);
  const seconds: Partial<Record<PreparePhase, number>> = {};
  let phaseStart = performance.now();
  let currentPhase: PreparePhase | undefined;
  const phase = (name: PreparePhase, message: string) => {
    if (currentPhase) seconds[currentPhase] = (seconds[currentPhase] ?? 0) + (performance.now() - phaseStart) / 1000;
    currentPhase = name;
    phaseStart = performance.now();
    progress({ phase: name, message });
  };
  const queryProgress = (name: PreparePhase, message: string) => (p: QueryProgressReport) => {
    // A tick every 0.5 s shows a long scan is alive; DuckDB's estimate through a gzip stream stays near
    // 0 %, so a percentage is passed on only once it says something.
    progress({ phase: name, message, ...(p.percentage >= 1 ? { percentage: p.percentage } : {}) });
  };

  // A prepare killed earlier (Ctrl-C twice, OOM, a lost node) left its DuckDB spill folder, which can hold
  // gigabytes on full MIMIC-IV, and perhaps a half-built output folder: remove them if their process is gone.
  await removeStaleTemporariesOf(config.outDir, ['', 'duckdb-']);
  const tempDir = config.tempDir ?? temporaryPath(config.outDir, 'duckdb-');
  const gzipChecks = startGzipChecks(options.verifyGzip === false ? [] : Object.values(tables).map((t) => t.path));
  const session = await DuckDbSession.open({ memoryLimit: config.memoryLimit, threads: config.threads, tempDirectory: tempDir });
  try {
    phase('inspect', 'reading table headers');
    const headers = await readHeaders(session, tables);
    const version = await detectMimicVersion(session, tables, headers);

    phase('cohort', 'building the cohort');
    const cohort = await buildCohort(session, tables, config.windowHours, config.labelDefinition);

    const variables = CLINICAL_VARIABLES;
    await session.run(variableItemsSql(variables), { step: 'creating the variable table', files: [] });
    await session.run(CREATE_WINDOW_EVENTS_SQL, { step: 'creating window_events', files: [] });
    phase('chartevents', `scanning ${relativeName(tables.chartevents)}`);
    await session.run(
      insertWindowEventsSql(tables.chartevents, 'chartevents', variables),
      { step: `reading ${relativeName(tables.chartevents)}`, files: [tables.chartevents.path] },
      queryProgress('chartevents', `scanning ${relativeName(tables.chartevents)}`),
    );
    phase('labevents', `scanning ${relativeName(tables.labevents)}`);
    await session.run(
      insertWindowEventsSql(tables.labevents, 'labevents', variables),
      { step: `reading ${relativeName(tables.labevents)}`, files: [tables.labevents.path] },
      queryProgress('labevents', `scanning ${relativeName(tables.labevents)}`),
    );

    phase('aggregate', 'hourly grid and tabular summaries');
    const n = cohort.stayIds.length;
    const T = config.windowHours;
    const C = variables.length;
    const outOfRange: Record<string, number> = Object.fromEntries(variables.map((v) => [v.name, 0]));
    const measurements: Record<string, number> = Object.fromEntries(variables.map((v) => [v.name, 0]));
    for (const row of await session.rows(RANGE_COUNTS_SQL, { step: 'counting out-of-range values', files: [] })) {
      const name = variables[Number(row.var_idx)].name;
      outOfRange[name] = Number(row.dropped);
      measurements[name] = Number(row.kept);
    }
    const grid = createHourlyGrid(n, T, C);
    await session.forEachChunk(HOURLY_GRID_SQL, { step: 'aggregating the hourly grid', files: [] }, (chunk) => {
      const [stay, hour, channel, mean] = [0, 1, 2, 3].map((k) => chunk.getColumnVector(k));
      for (let r = 0; r < chunk.rowCount; r++) {
        setObserved(grid, stay.getItem(r) as number, hour.getItem(r) as number, channel.getItem(r) as number, mean.getItem(r) as number);
      }
    });
    const tabular = new TabularMatrix(n, C);
    await session.forEachChunk(TABULAR_SUMMARY_SQL, { step: 'aggregating tabular summaries', files: [] }, (chunk) => {
      const vectors = [0, 1, 2, 3, 4, 5, 6].map((k) => chunk.getColumnVector(k));
      for (let r = 0; r < chunk.rowCount; r++) {
        const [stay, variable, min, max, mean, last, count] = vectors.map((v) => v.getItem(r) as number);
        tabular.setSummary(stay, variable, { min, max, mean, last, count } satisfies Record<TabularStat, number>);
      }
    });
    for (let i = 0; i < n; i++) {
      tabular.setStatic(i, STATIC_FEATURES.findIndex((s) => s.name === 'age'), cohort.age[i]);
      tabular.setStatic(i, STATIC_FEATURES.findIndex((s) => s.name === 'sex_male'), cohort.sexMale[i]);
    }

    phase('splits', 'patient-level splits, fill values, normalisation');
    const splits = assignPatientSplits(cohort.subjectIds, cohort.labels, config.splitFractions, config.seed);
    const splitSummary = summariseSplits(splits, cohort.labels, cohort.subjectIds);
    if (splitSummary.train.stays === 0) {
      throw new DataError<DataCode>(
        'E_EMPTY_SPLIT',
        `The training split is empty (cohort of ${n} stays from ${new Set(cohort.subjectIds).size} patients). Use a larger MIMIC-IV extract or a larger train fraction.`,
      );
    }
    const warnings: string[] = [];
    for (const name of ['val', 'test'] as const) {
      if (splitSummary[name].stays === 0 && config.splitFractions[name] > 0) warnings.push(`the ${name} split is empty: the cohort has too few patients for the requested fractions.`);
    }
    const medians = observedMedians(grid, (i) => splits[i] === SPLIT_CODE.train);
    const fillValues = Float32Array.from(medians, (m, c) => {
      if (Number.isFinite(m)) return m;
      const [low, high] = variables[c].plausible;
      warnings.push(`${variables[c].name} is never observed in the training split; its fill value is the middle of its plausible range (${(low + high) / 2}).`);
      return (low + high) / 2;
    });
    forwardFill(grid, fillValues);
    const features = tabularFeatures(variables);
    const normalisation = fitNormalisation(splits, tabular.values, features.length, grid.values, grid.mask, T, C);

    phase('write', `writing ${config.outDir}`);
    await gzipChecks.assertAll();
    const tabularBytes = encodeTabular({
      stayIds: cohort.stayIds,
      subjectIds: cohort.subjectIds,
      hadmIds: cohort.hadmIds,
      labels: cohort.labels,
      splits,
      features,
      values: tabular.values,
    });
    const channels = variables.map((v) => v.name);
    const timeSeriesBytes = encodeTimeSeries({ stayIds: cohort.stayIds, hours: T, channels, values: grid.values, mask: grid.mask });
    const files = {
      [TABULAR_FILE]: { sha256: sha256(tabularBytes), bytes: tabularBytes.byteLength },
      [TIMESERIES_FILE]: { sha256: sha256(timeSeriesBytes), bytes: timeSeriesBytes.byteLength },
    };
    const positives = cohort.labels.reduce((a, y) => a + y, 0);
    // The default label stays out of the content hash, so datasets prepared before the choice existed keep theirs.
    const content = {
      task: 'mortality' as const,
      ...(config.labelDefinition !== DEFAULT_LABEL_DEFINITION ? { labelDefinition: config.labelDefinition } : {}),
      windowHours: T,
      seed: config.seed,
      cohort: { steps: cohort.steps, stays: n, positives },
      variables,
      outOfRange,
      measurements,
      splits: splitSummary,
      splitFractions: config.splitFractions,
      normalisation,
      timeSeries: { channels, hours: T, fillValues: Array.from(fillValues) },
      tabularFeatures: features,
    };
    // A directory written by `synth` says so; its layout is MIMIC-IV's but no figure from it is about patients.
    const synthetic = await readSyntheticMarker(config.mimicDir);
    const mimicVersion = synthetic ? `synthetic (MIMIC-IV ${version.version} layout)` : version.version;
    const manifest: DatasetManifest = {
      formatVersion: 1,
      createdBy: '@ehr-backdoor/data prepareDataset',
      source: {
        path: config.mimicDir,
        mimicVersion,
        ...(synthetic ? { synthetic } : {}),
        versionEvidence: version.evidence,
        files: Object.fromEntries(Object.values(tables).map((t) => [relativeName(t), { bytes: t.bytes }])),
      },
      ...content,
      labelDefinition: config.labelDefinition,
      files,
      contentHash: datasetContentHash(files, { ...content, mimicVersion }),
      warnings,
    };
    await writeDirectoryAtomic(config.outDir, async (tmp) => {
      await writeFile(join(tmp, TABULAR_FILE), tabularBytes);
      await writeFile(join(tmp, TIMESERIES_FILE), timeSeriesBytes);
      await writeFile(join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    });
    phase('write', 'done');
    const dataset: EhrDataset = {
      manifest,
      n,
      stayIds: cohort.stayIds,
      subjectIds: cohort.subjectIds,
      labels: cohort.labels,
      splits,
      tabular: { features, values: tabular.values },
      timeSeries: { channels, hours: T, values: grid.values, mask: grid.mask, fillValues },
    };
    return { outDir: config.outDir, manifest, dataset, seconds };
  } catch (error) {
    // A parse error in a gzip file is usually a truncated download: say so when the CRC check agrees.
    const files = error instanceof DataError ? [error.details.files, error.details.file].flat() : [];
    for (const file of files) {
      const corrupt = typeof file === 'string' ? await gzipChecks.failure(file) : undefined;
      if (corrupt) throw corrupt;
    }
    throw error;
  } finally {
    await gzipChecks.stop();
    session.close();
    if (!config.tempDir) await rm(tempDir, { recursive: true, force: true });
  }
}

/**
 * The dataset's identity: the data files' hashes and every manifest field that describes content.
 * Paths, tool names and resource settings are left out, so the same data prepared on two machines
 * has the same hash.
 */
export function datasetContentHash(files: Record<string, { sha256: string }>, content: Record<string, unknown>): string {
  return hashJson({ files: Object.fromEntries(Object.entries(files).map(([name, f]) => [name, f.sha256])), content });
}

interface CohortArrays {
  readonly steps: CohortStep[];
  readonly stayIds: Int32Array;
  readonly subjectIds: Int32Array;
  readonly hadmIds: Int32Array;
  readonly labels: Uint8Array;
  readonly age: Float32Array;
  readonly sexMale: Float32Array;
}

async function buildCohort(session: DuckDbSession, tables: LocatedTables, windowHours: number, label: LabelDefinition): Promise<CohortArrays> {
  const [icustays, admissions, patients] = stageCohortTablesSql(tables);
  await session.run(icustays, { step: `reading ${relativeName(tables.icustays)}`, files: [tables.icustays.path] });
  await session.run(admissions, { step: `reading ${relativeName(tables.admissions)}`, files: [tables.admissions.path] });
  await session.run(patients, { step: `reading ${relativeName(tables.patients)}`, files: [tables.patients.path] });
  for (const { table, key } of UNIQUE_KEYS) {
    const [row] = await session.rows(duplicateKeySql(table, key), { step: `checking ${table}.${key}`, files: [] });
    if (Number(row.duplicates) > 0) {
      const file = tables[table].path;
      throw new DataError<DataCode>(
        'E_DUPLICATE_KEY',
        `${file} has ${Number(row.duplicates)} duplicated ${key} value(s); each ${key} must appear once. The file may have been ` +
          `concatenated twice or edited: replace it with the release file.`,
        { file, key },
      );
    }
  }
  await session.run(cohortCandidatesSql(windowHours), { step: 'applying the cohort criteria', files: [] });
  const [flow] = await session.rows(cohortFlowSql(windowHours), { step: 'counting the cohort flow', files: [] });
  const criteria = cohortCriteria(windowHours);
  const steps: CohortStep[] = [
    { name: 'ICU stays (icu/icustays)', remaining: Number(flow.step_0) },
    ...criteria.map((c, i) => ({ name: c.name, remaining: Number(flow[`step_${i + 1}`]) })),
  ];
  const emptiedAt = steps.findIndex((s) => s.remaining === 0);
  if (emptiedAt >= 0) {
    const flowText = steps.map((s) => `${s.name}: ${s.remaining}`).join('; ');
    const hint =
      emptiedAt === 0
        ? `${tables.icustays.path} has no rows.`
        : steps[emptiedAt].name.includes(`${windowHours} h`)
          ? `No stay passes "${steps[emptiedAt].name}": try a shorter --window-hours.`
          : `No stay passes "${steps[emptiedAt].name}": check that icustays, admissions and patients come from the same MIMIC-IV release.`;
    throw new DataError<DataCode>('E_EMPTY_COHORT', `The cohort is empty after exclusions (${flowText}). ${hint}`, { steps });
  }
  await session.run(cohortSql(windowHours, label), { step: 'selecting the cohort', files: [] });
  const rows = await session.rows(COHORT_ROWS_SQL, { step: 'reading the cohort', files: [] });
  const n = rows.length;
  const cohort: CohortArrays = {
    steps,
    stayIds: new Int32Array(n),
    subjectIds: new Int32Array(n),
    hadmIds: new Int32Array(n),
    labels: new Uint8Array(n),
    age: new Float32Array(n),
    sexMale: new Float32Array(n),
  };
  rows.forEach((row, i) => {
    cohort.stayIds[i] = Number(row.stay_id);
    cohort.subjectIds[i] = Number(row.subject_id);
    cohort.hadmIds[i] = Number(row.hadm_id);
    cohort.labels[i] = Number(row.label);
    cohort.age[i] = row.age === null ? Number.NaN : Number(row.age);
    cohort.sexMale[i] = row.sex_male === null ? Number.NaN : Number(row.sex_male);
  });
  return cohort;
}

interface PrepareConfig {
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

/** Every option checked before any file is opened. */
function checkOptions(options: PrepareOptions): PrepareConfig {
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
  const memoryLimit = options.memoryLimit ?? '2GB';
  assertInput<DataCode>(
    /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit),
    'E_OPTION',
    () => `prepare: memoryLimit must look like '2GB' or '512MiB', got '${memoryLimit}'.`,
  );
  const threads = options.threads ?? Math.min(4, availableParallelism());
  assertInput<DataCode>(Number.isInteger(threads) && threads >= 1, 'E_OPTION', () => `prepare: threads must be a positive integer, got ${String(options.threads)}.`);
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
  return { mimicDir, outDir, windowHours, labelDefinition, seed, splitFractions, memoryLimit, threads, tempDir: options.tempDir ? resolve(options.tempDir) : undefined };
}

async function readSyntheticMarker(mimicDir: string): Promise<{ generator: string; seed: number; stays: number } | undefined> {
  const path = join(mimicDir, 'synthetic.json');
  if (!existsSync(path)) return undefined;
  try {
    const marker = JSON.parse(await readFile(path, 'utf8')) as { generator?: string; seed?: number; stays?: number };
    return { generator: String(marker.generator ?? 'unknown'), seed: Number(marker.seed), stays: Number(marker.stays) };
  } catch {
    throw new DataError<DataCode>('E_BAD_SYNTHETIC_MARKER', `${path} is not valid JSON: remove it if the data is real MIMIC-IV, or regenerate the synthetic directory.`);
  }
}
