import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import { SUMMARY_FILE } from '../cell-state.js';
import type { CellConfig } from '../cell-config.js';
import { evaluateModel, triggerBaseline, validationThreshold, type Evaluation, type MetricRows } from '../evaluate.js';
import { cellDir, cleanCellOf, type CellKey } from '../grid.js';
import type { CellReporter, CellRequest } from './request.js';
import type { Summary } from '../summary.js';
import type { CellSetup } from './setup.js';

export interface EvaluatedCell {
  readonly evaluation: Evaluation;
  /** The summary's rows beyond the evaluation's own: the clean baselines or the lift, then the analyses. */
  readonly rows: readonly MetricRows[];
  readonly seconds: number;
}

/**
 * Clean test metrics, the triggered test set and the backdoor metrics; for a clean cell every grid trigger's
 * baseline, for a poisoned one the lift over its clean cell; then explanation and detection if asked for.
 */
export async function evaluateCell(
  dir: string,
  request: CellRequest,
  setup: CellSetup,
  model: TrainedModel,
  report: CellReporter,
): Promise<EvaluatedCell> {
  const { cell, cellConfig, dataset, trigger, targetLabel, thresholdRule, view, poison, plan, modelConfig, trainConfig } = setup;
  report({ phase: 'evaluating' });
  const evalStarted = Date.now();
  const reference = cell.rate === 0 ? null : await cleanReferenceOf(request);
  const evaluation = evaluateModel(model, dataset, {
    trigger,
    targetLabel,
    seed: cell.seed,
    referenceCleanAuroc: reference?.auroc ?? null,
    isCleanRun: cell.rate === 0,
    thresholdRule,
  });
  const baselines =
    cell.rate === 0
      ? baselineRows(model, dataset, view, cellConfig, poison, evaluation, thresholdRule)
      : [liftRow(evaluation, reference, cell)];
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
  return { evaluation, rows: [...baselines, ...analyses], seconds: (Date.now() - evalStarted) / 1000 };
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

/**
 * Lift: this run's ASR minus the same trigger's ASR on the matching clean model (same model, data and seed,
 * rate 0), each at its own model's operating threshold. What the backdoor adds over the clean model's own
 * false positives toward the target; NaN with a reason when the clean run has not finished.
 */
function liftRow(evaluation: Evaluation, reference: CleanReference | null, cell: CellKey): MetricRows {
  const asr = evaluation.summaryRows.map((r) => r.metrics.asr).find((v) => v !== undefined) ?? Number.NaN;
  const cleanAsr = reference?.asrOf(cell.trigger) ?? null;
  if (cleanAsr === null) {
    const reason = reference
      ? `the matching clean run has no ASR for trigger ${cell.trigger} (asr@${cell.trigger})`
      : 'no finished matching clean run (same model and seed, rate 0) when this run was evaluated';
    return { metrics: { asr_lift: Number.NaN }, warnings: [{ metric: 'asr_lift', message: `ASR lift is undefined: ${reason}.` }] };
  }
  if (Number.isNaN(asr))
    return {
      metrics: { asr_lift: Number.NaN },
      warnings: [{ metric: 'asr_lift', message: "ASR lift is undefined: this run's ASR is undefined." }],
    };
  return { metrics: { asr_lift: asr - cleanAsr }, warnings: [] };
}

interface CleanReference {
  /** Clean-test AUROC of the matching rate-0 run (null when undefined). */
  readonly auroc: number | null;
  /** Its ASR under `trigger` at its own operating threshold (null when not recorded or undefined). */
  asrOf(trigger: string): number | null;
}

/** What the matching rate-0 run recorded (null when it has not finished). */
async function cleanReferenceOf(request: CellRequest): Promise<CleanReference | null> {
  const clean = cleanCellOf(request.cell);
  const path = join(cellDir(request.runsRoot, clean), SUMMARY_FILE);
  if (!existsSync(path)) return null;
  const summary = JSON.parse(await readFile(path, 'utf8')) as Summary;
  const numberOr = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    auroc: numberOr(summary.auroc),
    asrOf: (trigger) => numberOr(clean.trigger === trigger ? summary.asr : summary[`asr@${trigger}`]),
  };
}
