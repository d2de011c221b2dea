import { assertInput } from '@ehr-backdoor/core';
import { SPLIT_CODE, type DatasetView, type EhrDataset, type TabularView, type TimeSeriesView } from '@ehr-backdoor/data';
import { isPoisoned } from './poisoned-datasets.js';
import type { StealthReport } from './stealth.js';
import { applyTriggerViews, toSpec, type TriggerInput, type ViewArrays } from './triggers/apply.js';
import { contextFor } from './triggers/context.js';
import { triggerDefinition } from './triggers/registry.js';
import type { TriggerSpec } from './triggers/types.js';
import type { PoisonCode } from './error-codes.js';

/**
 * The attack-success test set of {@link buildTriggeredTestSet}: the test stays whose label is not the
 * target, with the trigger applied, ready for the model.
 */
export interface TriggeredTestSet {
  readonly trigger: TriggerSpec;
  readonly targetLabel: 0 | 1;
  /** Test rows (indices into the dataset) whose true label ≠ target, ascending. */
  readonly rowIndices: readonly number[];
  readonly stayIds: Int32Array;
  /** True labels (all ≠ target). */
  readonly labels: Uint8Array;
  /** Views restricted to these stays (m rows), triggered where the trigger is defined, clean otherwise. */
  readonly tabular: TabularView;
  readonly timeSeries: TimeSeriesView;
  readonly views: readonly DatasetView[];
  readonly stealth: readonly StealthReport[];
  readonly resolved: Readonly<Record<string, unknown>>;
  /** Why the set is empty, when it is (attack success is then undefined: NaN downstream). */
  readonly reason?: string;
}

/**
 * Every test stay whose true label is not the target, with the trigger applied: the inputs on which
 * attack success (share predicted as target) is measured. Training statistics come from `dataset`,
 * which should be the clean dataset the plan was made on, so test triggers equal training triggers.
 */
export function buildTriggeredTestSet(dataset: EhrDataset, trigger: TriggerInput, targetLabel: 0 | 1 = 1): TriggeredTestSet {
  assertInput<PoisonCode>(
    targetLabel === 0 || targetLabel === 1,
    'E_TARGET_LABEL',
    () => `buildTriggeredTestSet: targetLabel must be 0 or 1, got ${String(targetLabel)}.`,
  );
  assertInput<PoisonCode>(
    !isPoisoned(dataset),
    'E_POISONED_DATASET',
    () =>
      'buildTriggeredTestSet: pass the clean dataset the plan was made on, not the output of applyPoisoning (its training statistics, which triggers read, are poisoned).',
  );
  const spec = toSpec(trigger);
  const views = triggerDefinition(spec.name).views;
  const rows: number[] = [];
  for (let i = 0; i < dataset.n; i++) if (dataset.splits[i] === SPLIT_CODE.test && dataset.labels[i] !== targetLabel) rows.push(i);
  const subset = rowSubset(dataset, rows);
  // Triggers index rows of the arrays they are given; the training statistics still come from the full dataset.
  const applied = applyTriggerViews(
    contextFor(dataset),
    spec,
    views,
    rows.map((_, m) => m),
    subset,
  );
  const tab = applied.tabular?.values ?? subset.tabular;
  const values = applied.timeseries?.values ?? subset.tsValues;
  const mask = applied.timeseries?.mask ?? subset.tsMask;
  return {
    trigger: spec,
    targetLabel,
    rowIndices: rows,
    stayIds: Int32Array.from(rows, (i) => dataset.stayIds[i]),
    labels: Uint8Array.from(rows, (i) => dataset.labels[i]),
    tabular: { features: dataset.tabular.features, values: tab },
    timeSeries: { ...dataset.timeSeries, values, mask, fillValues: Float32Array.from(dataset.timeSeries.fillValues) },
    views,
    stealth: [applied.tabular?.stealth, applied.timeseries?.stealth].filter((s): s is StealthReport => s !== undefined),
    resolved: applied.resolved,
    ...(rows.length === 0 && { reason: `the test split has no stay with label ≠ ${targetLabel}` }),
  };
}

/** Copies of both views' arrays restricted to `rows`, in that order. */
function rowSubset(dataset: EhrDataset, rows: readonly number[]): ViewArrays {
  const F = dataset.tabular.features.length;
  const stride = dataset.timeSeries.hours * dataset.timeSeries.channels.length;
  const subset: ViewArrays = {
    tabular: new Float32Array(rows.length * F),
    tsValues: new Float32Array(rows.length * stride),
    tsMask: new Uint8Array(rows.length * stride),
  };
  rows.forEach((row, m) => {
    subset.tabular.set(dataset.tabular.values.subarray(row * F, (row + 1) * F), m * F);
    subset.tsValues.set(dataset.timeSeries.values.subarray(row * stride, (row + 1) * stride), m * stride);
    subset.tsMask.set(dataset.timeSeries.mask.subarray(row * stride, (row + 1) * stride), m * stride);
  });
  return subset;
}

/**
 * The triggered test stays as an EhrDataset of their own (row k = `triggered.rowIndices[k]` of
 * `dataset`, all in the test split), so any model can predict on them.
 */
export function triggeredTestDataset(dataset: EhrDataset, triggered: TriggeredTestSet): EhrDataset {
  const n = triggered.rowIndices.length;
  return {
    manifest: dataset.manifest,
    n,
    stayIds: triggered.stayIds,
    subjectIds: Int32Array.from(triggered.rowIndices, (i) => dataset.subjectIds[i]),
    labels: triggered.labels,
    splits: new Uint8Array(n).fill(SPLIT_CODE.test),
    tabular: triggered.tabular,
    timeSeries: triggered.timeSeries,
  };
}
