/**
 * @ehr-backdoor/data — MIMIC-IV to an ICU-mortality dataset.
 *
 *   MIMIC-IV dir (hosp/ + icu/, csv.gz) ──DuckDB──▶ cohort ──▶ hourly grid + tabular summaries
 *       ──▶ patient-level splits, normalisation stats ──▶ Arrow IPC files + manifest.json
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
