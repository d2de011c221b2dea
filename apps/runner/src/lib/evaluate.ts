import type { EhrDataset } from '@ehr-backdoor/data';
import {
  accuracy,
  auroc,
  computeBackdoorMetrics,
  computeClassificationMetrics,
  confusionCounts,
  DEFAULT_THRESHOLD_RULE,
  operatingPointMetrics,
  operatingThreshold,
  reliabilityDiagram,
  targetCalibrationError,
  targetReliabilityDiagram,
  WARNING,
  type BackdoorMetrics,
  type ClassificationMetrics,
  type OperatingThreshold,
  type ProbabilityBin,
  type ReliabilityBin,
  type ThresholdRule,
} from '@ehr-backdoor/metrics';
import { buildTriggeredTestSet, triggeredTestDataset, type TriggeredTestSet, type TriggerSpec } from '@ehr-backdoor/poison';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import type { PredictionBlock } from './predictions.js';
import { BugError } from '@ehr-backdoor/core';

/**
 * Evaluation of a trained model, shared by `run`/`sweep` and `evaluate --checkpoint`:
 *
 *   clean validation stays ─▶ operating threshold on p(target) (the rule, default FPR 5 % on the non-target class)
 *   clean test stays ─▶ clean metrics (+ bootstrap CIs), thresholded at the operating point and at 0.5
 *   test stays with y ≠ target ─▶ trigger ─▶ p(target) triggered vs untriggered ─▶ backdoor metrics, at both
 */
export interface Evaluation {
  /** Clean-test metrics at the fixed threshold 0.5 (the summary writes the thresholded ones as `*_at_0_5`). */
  readonly clean: ClassificationMetrics;
  /** The operating threshold chosen on the clean validation split. */
  readonly threshold: OperatingThreshold;
  /** Every metric row of the summary, with the summary's column names (operating point first, then `*_at_0_5`). */
  readonly summaryRows: readonly MetricRows[];
  /** Reliability-diagram data of the clean test set (calibration.json). */
  readonly calibration: CalibrationData;
  /** p(label 1) of every test stay, untriggered: what the trigger responses compare against. */
  readonly cleanTest: CleanTestPredictions;
  readonly backdoor: BackdoorMetrics;
  readonly nTest: number;
  readonly triggered: TriggeredTestSet;
  readonly predictions: readonly PredictionBlock[];
}

/** The model's p(label 1) for the test rows `rows` of the dataset, in that order. */
export interface CleanTestPredictions {
  readonly rows: ArrayLike<number>;
  readonly pLabel1: Float32Array;
}

/** Summary columns with the reasons of their NaN values. */
export interface MetricRows {
  readonly metrics: Readonly<Record<string, number>>;
  readonly warnings: readonly { readonly metric: string; readonly message: string }[];
}

/** calibration.json: both reliability diagrams of the clean test set. */
export interface CalibrationData {
  readonly targetLabel: 0 | 1;
  /** Top-label diagram (predicted-class confidence, the `ece` column). */
  readonly topLabel: readonly ReliabilityBin[];
  /** p(target) diagram (the `ece_target` column). */
  readonly target: readonly ProbabilityBin[];
}

/** Columns thresholded at the operating point; at 0.5 they are written again as `{column}_at_0_5`. */
const THRESHOLDED_CLEAN = ['accuracy', 'precision', 'recall', 'f1'] as const;
const THRESHOLDED_BACKDOOR = ['asr', 'asr_ci_low', 'asr_ci_high', 'asr_n_success', 'flip_rate', 'flip_rate_n_base'] as const;

export interface EvaluateOptions {
  /** How the operating threshold is chosen (default: FPR 5 % on the validation split's non-target class). */
  readonly thresholdRule?: ThresholdRule;
  readonly trigger: TriggerSpec;
  readonly targetLabel: 0 | 1;
  /** Seed of the bootstrap resampling. */
  readonly seed: number;
  /** Clean-test AUROC of the matching rate-0 run; null when there is none. */
  readonly referenceCleanAuroc: number | null;
  /** A rate-0 run is its own reference: its clean-AUROC drop is 0. */
  readonly isCleanRun?: boolean;
}

export function evaluateModel(model: TrainedModel, dataset: EhrDataset, options: EvaluateOptions): Evaluation {
  const testRows = rowsOfSplit(dataset, 'test');
  const yTest = Uint8Array.from(testRows, (i) => dataset.labels[i]);
  const pTest = model.predictProba(dataset, testRows);
  const clean = computeClassificationMetrics(yTest, pTest, { bootstrap: { seed: options.seed } });
  const threshold = validationThreshold(model, dataset, options.targetLabel, options.thresholdRule ?? DEFAULT_THRESHOLD_RULE);

  const cleanTest = { rows: testRows, pLabel1: pTest };
  const { triggered, pUntriggered, pTriggered } = triggerResponse(model, dataset, options.trigger, options.targetLabel, cleanTest);
  const backdoor = computeBackdoorMetrics(
    {
      yTrue: triggered.labels,
      pTriggered,
      pClean: pUntriggered,
      referenceCleanAuroc: options.referenceCleanAuroc ?? (options.isCleanRun ? clean.metrics.auroc : null),
      cleanAuroc: clean.metrics.auroc,
    },
    { targetLabel: options.targetLabel, bootstrap: { seed: options.seed } },
  );
  // "Poisoned-set" AUROC/accuracy: every test stay triggered (the ASR set holds only y ≠ target, where
  // AUROC is undefined), scored against the true labels.
  const targetClass = buildTriggeredTestSet(dataset, options.trigger, (1 - options.targetLabel) as 0 | 1);
  const pTargetClass = model.predictProba(triggeredTestDataset(dataset, targetClass), Int32Array.from(targetClass.rowIndices.keys()));
  const yAll = Uint8Array.from([...triggered.labels, ...targetClass.labels]);
  const pAll = Float32Array.from([...pTriggered, ...pTargetClass]);
  const poisonedAuroc = auroc(yAll, pAll);
  const poisonedAccuracy = accuracy(yAll, pAll);
  const poisonedSet = {
    metrics: { ...backdoor.metrics, poisoned_auroc: poisonedAuroc.value, poisoned_accuracy: poisonedAccuracy.value },
    warnings: [
      ...backdoor.warnings.filter((w) => w.metric !== 'poisoned_auroc' && w.metric !== 'poisoned_accuracy'),
      ...(poisonedAuroc.reason
        ? [{ metric: 'poisoned_auroc', code: poisonedAuroc.code ?? WARNING.undefinedInput, message: poisonedAuroc.reason }]
        : []),
      ...(poisonedAccuracy.reason
        ? [{ metric: 'poisoned_accuracy', code: poisonedAccuracy.code ?? WARNING.undefinedInput, message: poisonedAccuracy.reason }]
        : []),
    ],
  } as BackdoorMetrics;
  const atThreshold = backdoorAtThreshold(triggered.labels, pTriggered, pUntriggered, options.targetLabel, threshold, options.seed);
  // predictions.arrow holds p(target); the models and metrics speak p(label 1).
  const toTarget = (p: Float32Array) => (options.targetLabel === 1 ? p : p.map((x) => 1 - x));
  const ece = targetCalibrationError(yTest, pTest, { targetLabel: options.targetLabel });
  return {
    clean,
    threshold,
    summaryRows: [
      thresholdRows(threshold),
      cleanRows(yTest, pTest, clean, options.targetLabel, threshold),
      { metrics: { ece_target: ece.value }, warnings: ece.reason ? [{ metric: 'ece_target', message: ece.reason }] : [] },
      mergeRows(
        atThreshold,
        poisonedAccuracyAtThreshold(yAll, pAll, options.targetLabel, threshold),
        renameRows(rowsOf(poisonedSet), [...THRESHOLDED_BACKDOOR, 'poisoned_accuracy']),
      ),
    ],
    calibration: {
      targetLabel: options.targetLabel,
      topLabel: reliabilityDiagram(yTest, pTest),
      target: targetReliabilityDiagram(yTest, pTest, { targetLabel: options.targetLabel }),
    },
    cleanTest,
    backdoor: poisonedSet,
    nTest: testRows.length,
    triggered,
    predictions: [
      {
        stayIds: Int32Array.from(testRows, (i) => dataset.stayIds[i]),
        split: 'test',
        yTrue: yTest,
        pTarget: toTarget(pTest),
        triggered: false,
      },
      { stayIds: triggered.stayIds, split: 'test', yTrue: triggered.labels, pTarget: toTarget(pTriggered), triggered: true },
    ],
  };
}

/**
 * The clean model under another trigger, the rate-0 point of that trigger's ASR curve: ASR, flip rate (at the
 * model's operating threshold and at 0.5) and confidence shift, without a bootstrap or the clean metrics again.
 */
export function triggerBaseline(
  model: TrainedModel,
  dataset: EhrDataset,
  trigger: TriggerSpec,
  targetLabel: 0 | 1,
  cleanTest: CleanTestPredictions,
  threshold: OperatingThreshold,
): MetricRows {
  const { triggered, pUntriggered, pTriggered } = triggerResponse(model, dataset, trigger, targetLabel, cleanTest);
  const at05 = computeBackdoorMetrics(
    { yTrue: triggered.labels, pTriggered, pClean: pUntriggered, referenceCleanAuroc: null },
    { targetLabel, bootstrap: false },
  );
  const atThreshold = backdoorAtThreshold(triggered.labels, pTriggered, pUntriggered, targetLabel, threshold, false);
  const keep = (rows: MetricRows, columns: readonly string[]) => ({
    metrics: Object.fromEntries(columns.map((c) => [c, rows.metrics[c]])),
    warnings: rows.warnings.filter((w) => columns.includes(w.metric)),
  });
  return mergeRows(
    keep(atThreshold, ['asr', 'flip_rate']),
    keep(renameRows(rowsOf(at05), ['asr', 'flip_rate']), ['asr_at_0_5', 'flip_rate_at_0_5', 'confidence_shift']),
  );
}

/** The operating threshold on p(target), chosen on the model's clean validation split. */
export function validationThreshold(model: TrainedModel, dataset: EhrDataset, targetLabel: 0 | 1, rule: ThresholdRule): OperatingThreshold {
  const valRows = rowsOfSplit(dataset, 'val');
  const yVal = Uint8Array.from(valRows, (i) => dataset.labels[i]);
  return operatingThreshold(yVal, model.predictProba(dataset, valRows), { targetLabel, rule });
}

function thresholdRows(threshold: OperatingThreshold): MetricRows {
  const warnings = threshold.reason ? ['threshold', 'threshold_val_fpr'].map((metric) => ({ metric, message: threshold.reason! })) : [];
  return {
    metrics: {
      threshold: threshold.value,
      threshold_val_fpr: threshold.achievedFpr,
      n_val_non_target: threshold.nNonTarget,
      n_val_target: threshold.nTarget,
    },
    warnings,
  };
}

/**
 * Clean-test columns: the ranking and calibration ones from `clean`, the thresholded ones (with the confusion
 * counts) at the operating point, and again at 0.5 as `*_at_0_5`.
 */
function cleanRows(
  yTest: Uint8Array,
  pTest: Float32Array,
  clean: ClassificationMetrics,
  targetLabel: 0 | 1,
  threshold: OperatingThreshold,
): MetricRows {
  const at05 = confusionCounts(yTest, pTest);
  const rows05: MetricRows = {
    metrics: { ...clean.metrics, tp: at05.tp, fp: at05.fp, tn: at05.tn, fn: at05.fn },
    warnings: clean.warnings,
  };
  const renamed = renameRows(rows05, [...THRESHOLDED_CLEAN, 'tp', 'fp', 'tn', 'fn']);
  const columns = [...THRESHOLDED_CLEAN, 'tp', 'fp', 'tn', 'fn'];
  if (Number.isNaN(threshold.value)) return mergeRows(undefinedRows(columns, threshold.reason ?? 'no operating threshold'), renamed);
  const op = operatingPointMetrics(yTest, pTest, { targetLabel, targetThreshold: threshold.value });
  const warnings = THRESHOLDED_CLEAN.flatMap((c) => (op[c].reason ? [{ metric: c, message: op[c].reason! }] : []));
  const metrics = { accuracy: op.accuracy.value, precision: op.precision.value, recall: op.recall.value, f1: op.f1.value, ...op.counts };
  return mergeRows({ metrics, warnings }, renamed);
}

/** The backdoor columns at the operating threshold (NaN with the threshold's reason when there is none). */
function backdoorAtThreshold(
  yTrue: Uint8Array,
  pTriggered: Float32Array,
  pClean: Float32Array,
  targetLabel: 0 | 1,
  threshold: OperatingThreshold,
  seed: number | false,
): MetricRows {
  if (Number.isNaN(threshold.value)) return undefinedRows(THRESHOLDED_BACKDOOR, threshold.reason ?? 'no operating threshold');
  const rows = computeBackdoorMetrics(
    { yTrue, pTriggered, pClean, referenceCleanAuroc: null },
    { targetLabel, targetThreshold: threshold.value, bootstrap: seed === false ? false : { seed } },
  );
  const columns: readonly string[] = THRESHOLDED_BACKDOOR;
  return {
    metrics: Object.fromEntries(columns.map((c) => [c, rows.metrics[c as keyof typeof rows.metrics]])),
    warnings: rows.warnings.filter((w) => columns.includes(w.metric)),
  };
}

/** Accuracy of every triggered test stay against its true label, at the operating threshold. */
function poisonedAccuracyAtThreshold(yAll: Uint8Array, pAll: Float32Array, targetLabel: 0 | 1, threshold: OperatingThreshold): MetricRows {
  if (Number.isNaN(threshold.value)) return undefinedRows(['poisoned_accuracy'], threshold.reason ?? 'no operating threshold');
  const op = operatingPointMetrics(yAll, pAll, { targetLabel, targetThreshold: threshold.value }).accuracy;
  return { metrics: { poisoned_accuracy: op.value }, warnings: op.reason ? [{ metric: 'poisoned_accuracy', message: op.reason }] : [] };
}

/**
 * `columns` of `rows` renamed to `{column}_at_0_5` (with their warnings), interval bounds to
 * `{metric}_at_0_5_ci_low/_high` so they stay recognisable as bounds; the other columns as they are.
 */
function renameRows(rows: MetricRows, columns: readonly string[]): MetricRows {
  const rename = (c: string) => {
    if (!columns.includes(c)) return c;
    const bound = /^(.*)_ci_(low|high)$/.exec(c);
    return bound ? `${bound[1]}_at_0_5_ci_${bound[2]}` : `${c}_at_0_5`;
  };
  return {
    metrics: Object.fromEntries(Object.entries(rows.metrics).map(([c, v]) => [rename(c), v])),
    warnings: rows.warnings.map((w) => ({ metric: rename(w.metric), message: w.message })),
  };
}

function rowsOf(result: BackdoorMetrics | ClassificationMetrics): MetricRows {
  // A copy as a plain object type: the metric interfaces name numeric columns only, but an interface has no index signature.
  return { metrics: { ...result.metrics }, warnings: result.warnings };
}

function mergeRows(...all: MetricRows[]): MetricRows {
  return { metrics: Object.assign({}, ...all.map((r) => r.metrics)), warnings: all.flatMap((r) => r.warnings) };
}

function undefinedRows(columns: readonly string[], reason: string): MetricRows {
  return {
    metrics: Object.fromEntries(columns.map((c) => [c, Number.NaN])),
    warnings: columns.map((metric) => ({ metric, message: reason })),
  };
}

/**
 * p(label 1) of the test stays with y ≠ target, untriggered and with the trigger applied. The untriggered
 * ones are read from the clean test predictions (those stays are test stays) rather than predicted again:
 * a network scores each row on its own, so the values are the same.
 */
function triggerResponse(
  model: TrainedModel,
  dataset: EhrDataset,
  trigger: TriggerSpec,
  targetLabel: 0 | 1,
  cleanTest: CleanTestPredictions,
) {
  const triggered = buildTriggeredTestSet(dataset, trigger, targetLabel);
  const positionOf = new Map(Array.from(cleanTest.rows, (row, i) => [row, i]));
  const pUntriggered = Float32Array.from(triggered.rowIndices, (row) => {
    const i = positionOf.get(row);
    if (i === undefined) throw new BugError(`triggered row ${row} is not a test row`);
    return cleanTest.pLabel1[i];
  });
  const pTriggered = model.predictProba(triggeredTestDataset(dataset, triggered), Int32Array.from(triggered.rowIndices.keys()));
  return { triggered, pUntriggered, pTriggered };
}
