import { join } from 'node:path';
import type { AggregatedRow } from '../aggregate/aggregate.js';
import type { RunArtifacts } from '../artifacts/run-artifacts.js';
import type { CollectedRun } from '../collect/collect-runs.js';
import { AGGREGATED_COLUMNS } from './columns.js';
import type { ParquetColumn, ParquetTable, ParquetType } from './parquet.js';

/**
 * The report's Parquet files, each the Parquet twin of a table the report already has:
 *
 *   aggregated.parquet   = aggregated.csv / aggregated.arrow (one row per group × metric × detector)
 *   runs.parquet         = runs.csv (one row per run: coordinates and every summary field)
 *   predictions.parquet  = every run's predictions.arrow stacked, with the run's coordinates in front
 */
const AGGREGATED_TYPES: Record<(typeof AGGREGATED_COLUMNS)[number][1], ParquetType> = {
  string: 'VARCHAR',
  number: 'DOUBLE',
  int: 'INTEGER',
  bool: 'BOOLEAN',
};

export function aggregatedTable(dir: string, rows: readonly AggregatedRow[]): ParquetTable {
  return {
    path: join(dir, 'aggregated.parquet'),
    columns: AGGREGATED_COLUMNS.map(([name, kind]) => ({ name, type: AGGREGATED_TYPES[kind] })),
    rows: rows.map((r) => AGGREGATED_COLUMNS.map(([name]) => r[name] as string | number | boolean)),
  };
}

const RUN_COLUMNS: readonly ParquetColumn[] = [
  { name: 'dir', type: 'VARCHAR' },
  { name: 'dataset_hash', type: 'VARCHAR' },
  { name: 'model', type: 'VARCHAR' },
  { name: 'trigger', type: 'VARCHAR' },
  { name: 'mode', type: 'VARCHAR' },
  { name: 'poison_rate', type: 'DOUBLE' },
  { name: 'seed', type: 'INTEGER' },
];

const coordinates = (r: CollectedRun) => [
  r.dir,
  r.summary.datasetHash,
  r.summary.model,
  r.summary.trigger,
  r.summary.mode,
  r.summary.poisonRate,
  r.summary.seed,
];

export function runsTable(dir: string, runs: readonly CollectedRun[]): ParquetTable {
  const metricFields = [...new Set(runs.flatMap((r) => Object.keys(r.summary.metrics)))].sort();
  return {
    path: join(dir, 'runs.parquet'),
    columns: [
      ...RUN_COLUMNS,
      { name: 'target_label', type: 'INTEGER' },
      { name: 'backend', type: 'VARCHAR' },
      { name: 'selection', type: 'VARCHAR' },
      ...metricFields.map((name) => ({ name, type: 'DOUBLE' as const })),
    ],
    rows: runs.map((r) => [
      ...coordinates(r),
      r.summary.targetLabel,
      r.summary.backend,
      r.summary.selection,
      ...metricFields.map((f) => r.summary.metrics[f] ?? null),
    ]),
  };
}

/** Undefined when no run has readable predictions. */
export function predictionsTable(
  dir: string,
  runs: readonly CollectedRun[],
  artifacts: ReadonlyMap<string, RunArtifacts>,
): ParquetTable | undefined {
  const withPredictions = runs.filter((r) => artifacts.get(r.dir)?.predictions);
  if (withPredictions.length === 0) return undefined;
  return {
    path: join(dir, 'predictions.parquet'),
    columns: [
      ...RUN_COLUMNS,
      { name: 'target_label', type: 'INTEGER' },
      { name: 'stay_id', type: 'INTEGER' },
      { name: 'split', type: 'VARCHAR' },
      { name: 'y_true', type: 'UTINYINT' },
      { name: 'p_target', type: 'FLOAT' },
      { name: 'triggered', type: 'BOOLEAN' },
    ],
    rows: (function* () {
      for (const run of withPredictions) {
        const p = artifacts.get(run.dir)!.predictions!;
        const front = [...coordinates(run), run.summary.targetLabel];
        for (let i = 0; i < p.stayId.length; i++) yield [...front, p.stayId[i], p.split[i], p.yTrue[i], p.pTarget[i], p.triggered[i] === 1];
      }
    })(),
  };
}
