/**
 * @ehr-backdoor/data — MIMIC-IV to an ICU-mortality dataset.
 *
 *   MIMIC-IV dir (hosp/ + icu/, csv.gz) ──DuckDB──▶ cohort ──▶ hourly grid + tabular summaries
 *       ──▶ patient-level splits, normalisation stats ──▶ Arrow IPC files + manifest.json
 *
 * @packageDocumentation
 */
export { CLINICAL_VARIABLES, STATIC_FEATURES, TABULAR_STATS, variableByName } from './lib/variables.js';
export type { ClinicalVariable, ItemConversion, TabularStat, VariableKind, VariableSource } from './lib/variables.js';
export { SPLIT_CODE } from './lib/dataset/types.js';
export type {
  CohortStep,
  DatasetManifest,
  DatasetView,
  EhrDataset,
  NormalisationStats,
  SplitName,
  TabularFeature,
  TabularView,
  TimeSeriesView,
} from './lib/dataset/types.js';
export { createDataset } from './lib/dataset/create-dataset.js';
export type { DatasetArrays } from './lib/dataset/create-dataset.js';
export { prepareDataset } from './lib/dataset/prepare-dataset.js';
export { LABEL_DEFINITIONS, DEFAULT_LABEL_DEFINITION } from './lib/cohort/cohort-sql.js';
export type { LabelDefinition } from './lib/cohort/cohort-sql.js';
export type { PrepareOptions, PreparePhase, PrepareProgress, PrepareResult } from './lib/dataset/prepare-dataset.js';
export { writeDataset } from './lib/dataset/write-dataset.js';
export type { WriteDatasetResult } from './lib/dataset/write-dataset.js';
export { loadDataset } from './lib/dataset/load-dataset.js';
export type { LoadOptions } from './lib/dataset/load-dataset.js';
export { assignPatientSplits, DEFAULT_SPLIT_FRACTIONS } from './lib/splits/patient-splits.js';
export type { SplitFractions } from './lib/splits/patient-splits.js';
export { generateSyntheticMimic, MAX_SYNTHETIC_STAYS } from './lib/synth/generate-synthetic-mimic.js';
export type { ExpectedCohortStep, SyntheticMimicOptions, SyntheticMimicSummary, SyntheticProgress } from './lib/synth/generate-synthetic-mimic.js';
export { SYNTHETIC_TABLE_COLUMNS } from './lib/synth/schema.js';
export type { SyntheticTableName } from './lib/synth/schema.js';
