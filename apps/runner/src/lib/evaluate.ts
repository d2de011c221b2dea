import type { EhrDataset } from '@ehr-backdoor/data';
import {
  accuracy,
  auroc,
  computeBackdoorMetrics,
  computeClassificationMetrics,
  WARNING,
  type BackdoorMetrics,
  type ClassificationMetrics,
} from '@ehr-backdoor/metrics';
import { buildTriggeredTestSet, triggeredTestDataset, type TriggeredTestSet, type TriggerSpec } from '@ehr-backdoor/poison';
import { rowsOfSplit, type TrainedModel } from '@ehr-backdoor/train';
import type { PredictionBlock } from './predictions.js';

/**
 * Evaluation of a trained model, shared by `run`/`sweep` and `evaluate --checkpoint`:
 *
 *   clean test stays ─▶ clean metrics (+ bootstrap CIs)
 *   test stays with y ≠ target ─▶ trigger ─▶ p(target) triggered vs untriggered ─▶ backdoor metrics
 */
export interface Evaluation {
  readonly clean: ClassificationMetrics;
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

export interface EvaluateOptions {
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
      ...(poisonedAuroc.reason ? [{ metric: 'poisoned_auroc', code: poisonedAuroc.code ?? WARNING.undefinedInput, message: poisonedAuroc.reason }] : []),
      ...(poisonedAccuracy.reason ? [{ metric: 'poisoned_accuracy', code: poisonedAccuracy.code ?? WARNING.undefinedInput, message: poisonedAccuracy.reason }] : []),
    ],
  } as BackdoorMetrics;
  // predictions.arrow holds p(target); the models and metrics speak p(label 1).
  const toTarget = (p: Float32Array) => (options.targetLabel === 1 ? p : p.map((x) => 1 - x));
  return {
    clean,
    cleanTest,
    backdoor: poisonedSet,
    nTest: testRows.length,
    triggered,
    predictions: [
      { stayIds: Int32Array.from(testRows, (i) => dataset.stayIds[i]), split: 'test', yTrue: yTest, pTarget: toTarget(pTest), triggered: false },
      { stayIds: triggered.stayIds, split: 'test', yTrue: triggered.labels, pTarget: toTarget(pTriggered), triggered: true },
    ],
  };
}

/**
 * The clean model under another trigger, the rate-0 point of that trigger's ASR curve: only ASR and
 * confidence shift are kept (`asr@{trigger}`), so neither the clean metrics nor a bootstrap are recomputed.
 */
export function triggerBaseline(model: TrainedModel, dataset: EhrDataset, trigger: TriggerSpec, targetLabel: 0 | 1, cleanTest: CleanTestPredictions): BackdoorMetrics {
  const { triggered, pUntriggered, pTriggered } = triggerResponse(model, dataset, trigger, targetLabel, cleanTest);
  return computeBackdoorMetrics({ yTrue: triggered.labels, pTriggered, pClean: pUntriggered, referenceCleanAuroc: null }, { targetLabel, bootstrap: false });
}

/**
 * p(label 1) of the test stays with y ≠ target, untriggered and with the trigger applied. The untriggered
 * ones are read from the clean test predictions (those stays are test stays) rather than predicted again:
 * a network scores each row on its own, so the values are the same.
 */
function triggerResponse(model: TrainedModel, dataset: EhrDataset, trigger: TriggerSpec, targetLabel: 0 | 1, cleanTest: CleanTestPredictions) {
  const triggered = buildTriggeredTestSet(dataset, trigger, targetLabel);
  const positionOf = new Map(Array.from(cleanTest.rows, (row, i) => [row, i]));
  const pUntriggered = Float32Array.from(triggered.rowIndices, (row) => {
    const i = positionOf.get(row);
    if (i === undefined) throw new Error(`triggered row ${row} is not a test row`);
    return cleanTest.pLabel1[i];
  });
  const pTriggered = model.predictProba(triggeredTestDataset(dataset, triggered), Int32Array.from(triggered.rowIndices.keys()));
  return { triggered, pUntriggered, pTriggered };
}
