import type { TrainedModel } from '@ehr-backdoor/train';
import { evaluateModel, type Evaluation } from './evaluate.js';
import type { RunContext } from './run-context.js';

/** The figures a defence is judged by, for one model: at its operating threshold and at 0.5. */
export interface DefenceFigures {
  readonly threshold: number;
  readonly asr: number;
  readonly asrAt05: number;
  readonly accuracy: number;
  readonly accuracyAt05: number;
  readonly cleanAuroc: number;
}

/**
 * Evaluates `model` as the run was evaluated (its trigger, target label, seed and threshold rule), so a
 * defended model is read at its own operating threshold, chosen on its clean validation split.
 */
export function defenceFigures(run: RunContext, model: TrainedModel): DefenceFigures {
  const evaluation = evaluateModel(model, run.dataset, {
    trigger: run.trigger,
    targetLabel: run.targetLabel,
    seed: run.seed,
    referenceCleanAuroc: null,
    ...(run.thresholdRule ? { thresholdRule: run.thresholdRule } : {}),
  });
  return {
    threshold: summaryValue(evaluation, 'threshold'),
    asr: summaryValue(evaluation, 'asr'),
    asrAt05: summaryValue(evaluation, 'asr_at_0_5'),
    accuracy: summaryValue(evaluation, 'accuracy'),
    accuracyAt05: summaryValue(evaluation, 'accuracy_at_0_5'),
    cleanAuroc: evaluation.clean.metrics.auroc,
  };
}

/** A column of the evaluation's summary rows (the thresholded figures live only there); NaN when absent. */
function summaryValue(evaluation: Evaluation, column: string): number {
  for (const rows of evaluation.summaryRows) if (column in rows.metrics) return rows.metrics[column];
  return NaN;
}
