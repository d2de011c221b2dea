import type { ThresholdRule } from '@ehr-backdoor/metrics';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import type { CellConfig } from '../cell-config.js';
import { evaluateModel, triggerBaseline, validationThreshold, type Evaluation, type MetricRows } from '../evaluate.js';
import { liftRow, type OwnResults } from './clean-reference.js';
import type { CellReporter } from './request.js';
import type { CellSetup } from './setup.js';

export interface EvaluatedCell {
  readonly evaluation: Evaluation;
  /** The summary's rows beyond the evaluation's own: the clean baselines or the lift, then the analyses. */
  readonly rows: readonly MetricRows[];
  /** What `clean_auroc_drop` and `asr_lift` compare with the clean baseline once it is read (clean-reference.ts). */
  readonly own: OwnResults;
  readonly seconds: number;
}

/**
 * Clean test metrics, the triggered test set and the backdoor metrics; for a clean cell every grid trigger's
 * baseline, for a poisoned one the lift over its clean cell; then explanation and detection if asked for.
 * A poisoned cell's clean-AUROC drop and lift are left undefined here: the clean baseline is read only
 * when the summary is written (outputs.ts), so this cell need not wait for it.
 */
export async function evaluateCell(dir: string, setup: CellSetup, model: TrainedModel, report: CellReporter): Promise<EvaluatedCell> {
  const { cell, cellConfig, dataset, trigger, targetLabel, thresholdRule, view, poison, plan, modelConfig, trainConfig } = setup;
  report({ phase: 'evaluating' });
  const evalStarted = Date.now();
  const evaluation = evaluateModel(model, dataset, {
    trigger,
    targetLabel,
    seed: cell.seed,
    referenceCleanAuroc: null,
    isCleanRun: cell.rate === 0,
    thresholdRule,
  });
  const own = {
    auroc: evaluation.clean.metrics.auroc,
    asr: evaluation.summaryRows.map((r) => r.metrics.asr).find((v) => v !== undefined) ?? Number.NaN,
  };
  const baselines =
    cell.rate === 0 ? baselineRows(model, dataset, view, cellConfig, poison, evaluation, thresholdRule) : [liftRow(own.asr, null, cell)];
  const analyses = [];
  if (cellConfig.explain || cellConfig.detect) {
    const { explainRun, detectRun } = await import('../analyse-run.js');
    const context = { runDir: dir, dataset, model, trigger, targetLabel, seed: cell.seed, plan, modelConfig, trainConfig };
    if (cellConfig.explain) {
      report({ phase: 'explaining' });
      analyses.push(await explainRun(context, cellConfig.explain));
    }
    if (cellConfig.detect) {
      report({ phase: 'detecting' });
      const { options: detectorOptions, ...detect } = cellConfig.detect;
      analyses.push(await detectRun(context, { ...detect, ...(detectorOptions ? { detectorOptions } : {}) }));
    }
  }
  return { evaluation, rows: [...baselines, ...analyses], own, seconds: (Date.now() - evalStarted) / 1000 };
}

/**
 * The clean model under each grid trigger defined on its view, at its own operating threshold and at 0.5:
 * the rate-0 point of every ASR curve (`asr@{trigger}`, `flip_rate@{trigger}`, … ) and the lift's reference.
 */
function baselineRows(
  model: TrainedModel,
  dataset: EhrDataset,
  view: DatasetView,
  config: CellConfig,
  poison: typeof import('@ehr-backdoor/poison'),
  evaluation: Evaluation,
  thresholdRule: ThresholdRule,
): MetricRows[] {
  const rows = [];
  // A baseline attack may aim at the other label than this cell's: its ASR is read at the operating
  // threshold on p(its target), chosen on the same validation split by the same rule.
  const thresholds = new Map([[config.attack.target, evaluation.threshold]]);
  for (const { name, trigger, params, target } of config.baselines) {
    if (!poison.triggerViews(trigger).includes(view)) continue;
    if (!thresholds.has(target)) thresholds.set(target, validationThreshold(model, dataset, target, thresholdRule));
    const backdoor = triggerBaseline(
      model,
      dataset,
      poison.resolveTrigger(trigger as string, params),
      target,
      evaluation.cleanTest,
      thresholds.get(target)!,
    );
    const rename = (metric: string) => `${metric}@${name}`;
    rows.push({
      metrics: Object.fromEntries(Object.entries(backdoor.metrics).map(([metric, value]) => [rename(metric), value])),
      warnings: backdoor.warnings.map((w) => ({ metric: rename(w.metric), message: w.message })),
    });
  }
  return rows;
}
