import type { LabelDefinition } from '../cohort/cohort-sql.js';
import type { SplitFractions } from '../splits/patient-splits.js';
import type { DatasetManifest, EhrDataset } from './types.js';

/** The phases of `prepareDataset`, in order (see the drawing in prepare-dataset.ts). */
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
