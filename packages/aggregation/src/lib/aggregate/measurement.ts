import type { RunCollection } from '../collect/collect-runs.js';
import type { RunSummary } from '../collect/summary.js';
import { WARN, type AggregationWarning } from '../collect/warnings.js';

/**
 * How the runs were measured: the primary dataset (the one with the most runs), and each measurement
 * setting's values, with a warning for every mix (datasets, epoch selection, measurement settings).
 */
export function measurementOf(collection: RunCollection): {
  primaryDataset: string;
  measurement: { rateBasis: string[]; thresholdRule: string[]; labelDefinition: string[]; targetLabel: string[] };
  warnings: AggregationWarning[];
} {
  const warnings: AggregationWarning[] = [];
  const datasetOrder = [...runsPer(collection, (s) => s.datasetHash).entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const primaryDataset = datasetOrder[0]?.[0] ?? '';
  if (datasetOrder.length > 1)
    warnings.push(
      WARN.mixedDatasets(
        datasetOrder.map(([h]) => h),
        primaryDataset,
      ),
    );
  const runsPerSelection = runsPer(collection, (s) => s.selection);
  if (runsPerSelection.size > 1)
    warnings.push(WARN.mixedSelection([...runsPerSelection.entries()].sort((a, b) => a[0].localeCompare(b[0]))));
  const measurement = {
    rateBasis: runsPer(collection, (s) => s.rateBasis),
    thresholdRule: runsPer(collection, (s) => s.thresholdRule),
    labelDefinition: runsPer(collection, (s) => s.labelDefinition),
    targetLabel: runsPer(collection, (s) => String(s.targetLabel ?? 'unknown')),
  };
  const names = {
    rateBasis: 'poison-rate bases',
    thresholdRule: 'operating-threshold rules',
    labelDefinition: 'label definitions',
    targetLabel: 'target labels',
  } as const;
  for (const key of Object.keys(names) as (keyof typeof names)[]) {
    if (measurement[key].size > 1)
      warnings.push(
        WARN.mixedMeasurement(
          names[key],
          [...measurement[key].entries()].sort((a, b) => a[0].localeCompare(b[0])),
        ),
      );
  }
  return {
    primaryDataset,
    measurement: {
      rateBasis: [...measurement.rateBasis.keys()].sort(),
      thresholdRule: [...measurement.thresholdRule.keys()].sort(),
      labelDefinition: [...measurement.labelDefinition.keys()].sort(),
      targetLabel: [...measurement.targetLabel.keys()].sort(),
    },
    warnings,
  };
}

function runsPer(collection: RunCollection, key: (summary: RunSummary) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const run of collection.runs) counts.set(key(run.summary), (counts.get(key(run.summary)) ?? 0) + 1);
  return counts;
}
