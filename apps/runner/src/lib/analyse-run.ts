import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, InputError, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { loadDataset, type EhrDataset } from '@ehr-backdoor/data';
import { DETECTOR_NAMES, runModelDetectors, toDetectJson, defenceEffectivenessRating, type DetectorName, type ModelDetectorsOptions } from '@ehr-backdoor/detect';
import { explainModelDrift, toExplainJson } from '@ehr-backdoor/explain';
import { applyPoisoning, buildTriggeredTestSet, readPlanManifest, triggeredTestDataset, resolveTrigger, type PoisoningPlan, type TriggerSpec } from '@ehr-backdoor/poison';
import { loadModel, rowsOfSplit, selectBackend, trainModel, type BackendChoice, type ModelConfig, type TrainConfig, type TrainedModel } from '@ehr-backdoor/train';
import { evaluateModel } from './evaluate.js';
import { SUMMARY_FILE } from './cell-state.js';
import { summaryToCsv, type Summary } from './summary.js';

/**
 * Explanations and detectors on a finished (or just-trained) run:
 *
 *   explain: test stays with y ≠ target, clean and triggered ─▶ integrated gradients ─▶ attribution drift
 *   detect:  poisoned training split ─▶ detectors' scores ─▶ scored against the plan's true indices
 *            [--retrain] ─▶ drop each detector's flagged stays ─▶ retrain ─▶ ASR / clean AUROC after, DER
 *
 * Both return flat summary columns (docs/formats.md) and write explain.json / detect.json.
 */
export interface AnalysisColumns {
  readonly metrics: Record<string, number>;
  readonly warnings: { metric: string; message: string }[];
}

export interface RunContext {
  readonly runDir: string;
  readonly dataset: EhrDataset;
  readonly model: TrainedModel;
  readonly trigger: TriggerSpec;
  readonly targetLabel: 0 | 1;
  readonly seed: number;
  readonly plan: PoisoningPlan;
  readonly modelConfig: ModelConfig;
  readonly trainConfig: TrainConfig;
}

interface RunMetadata {
  readonly formatVersion: number;
  readonly config: { trigger: TriggerSpec; targetLabel: 0 | 1; seed: number; backend: BackendChoice; model: ModelConfig; train: TrainConfig };
  readonly dataset: { path: string; contentHash: string };
}

/** Everything about a run directory that explain/detect need, checked. */
export async function openRun(runDir: string, options: { data?: string; backend?: BackendChoice; checkpoint?: string } = {}): Promise<RunContext> {
  const metadataPath = join(runDir, 'run_metadata.json');
  if (!existsSync(metadataPath)) throw new InputError('E_NOT_A_RUN', `${runDir} is not a run directory (no run_metadata.json): pass RUNS/{model}/{trigger}/{rate}/seed_{seed}.`);
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as RunMetadata;
  if (metadata.formatVersion !== 1) throw new CompatibilityError('E_RUN_FORMAT', `${metadataPath} has format version ${metadata.formatVersion}; this ehr-backdoor reads version 1.`);
  if (!existsSync(join(runDir, 'checkpoints'))) throw new InputError('E_NO_CHECKPOINT', `${runDir} has no checkpoints/: the run has not trained yet; run or resume it first.`);
  const dataset = await loadDataset(options.data ?? metadata.dataset.path);
  if (dataset.manifest.contentHash !== metadata.dataset.contentHash) {
    throw new CompatibilityError('E_DATASET_MISMATCH', `The dataset at ${options.data ?? metadata.dataset.path} is not the one ${runDir} trained on; pass the original with --data.`);
  }
  await selectBackend(options.backend ?? metadata.config.backend);
  // The best checkpoint of the run, or the one asked for (an epoch directory, for `evaluate`).
  const model = await loadModel(options.checkpoint ?? join(runDir, 'checkpoints'));
  const plan = await readPlanManifest(join(runDir, 'poisoned_indices'));
  const trigger = resolveTrigger(metadata.config.trigger.name as string, metadata.config.trigger.params);
  return {
    runDir,
    dataset,
    model,
    trigger,
    targetLabel: metadata.config.targetLabel,
    seed: metadata.config.seed,
    plan,
    modelConfig: metadata.config.model,
    trainConfig: metadata.config.train,
  };
}

export interface ExplainOptions {
  /** Stays explained at most (test stays with y ≠ target, in order); bounds the cost. Default 200. */
  readonly maxStays?: number;
  readonly steps?: number;
}

export async function explainRun(run: RunContext, options: ExplainOptions = {}): Promise<AnalysisColumns> {
  const triggered = buildTriggeredTestSet(run.dataset, run.trigger, run.targetLabel);
  const k = Math.min(options.maxStays ?? 200, triggered.rowIndices.length);
  if (run.trigger.name === 'none' || k === 0) {
    const reason = run.trigger.name === 'none' ? 'a clean run has no trigger to explain' : 'no test stay with y ≠ target';
    return nanColumns(['explain_trigger_attribution_ratio', 'explain_attr_l1', 'explain_attr_l2', 'explain_attr_cosine', 'explain_kendall_tau', 'explain_topk_overlap'], reason);
  }
  const result = await explainModelDrift({
    model: run.model,
    cleanDataset: run.dataset,
    triggeredDataset: triggeredTestDataset(run.dataset, triggered),
    rows: triggered.rowIndices.slice(0, k),
    triggeredRows: Array.from({ length: k }, (_, i) => i),
    ...(options.steps ? { steps: options.steps } : {}),
  });
  await writeJsonAtomic(join(run.runDir, 'explain.json'), toExplainJson(result));
  return {
    metrics: { ...(result.columns as unknown as Record<string, number>), explain_relative_convergence_delta: result.relativeConvergenceDelta },
    warnings: Object.entries(result.reasons).map(([metric, message]) => ({ metric, message })),
  };
}

export interface DetectOptions {
  readonly detectors?: readonly string[];
  /** Options of each detector, handed to it as they are (e.g. `{ spectral: { removalFactor: 3 } }`). */
  readonly detectorOptions?: Readonly<Partial<Record<DetectorName, Readonly<Record<string, unknown>>>>>;
  /** Remove each detector's flagged stays, retrain and measure the defence. */
  readonly retrain?: boolean;
}

export function checkDetectorNames(names: readonly string[] | undefined): DetectorName[] {
  const list = names && names.length ? names : [...DETECTOR_NAMES];
  for (const name of list) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(name)) {
      throw new InputError('E_DETECT_UNKNOWN', `Unknown detector "${name}": choose from ${DETECTOR_NAMES.join(', ')}.`);
    }
  }
  return list as DetectorName[];
}

export async function detectRun(run: RunContext, options: DetectOptions = {}): Promise<AnalysisColumns> {
  const detectors = checkDetectorNames(options.detectors);
  const columnsFor = (d: string) => [`detect_${d}_auroc`, `detect_${d}_tpr_at_5fpr`, `detect_${d}_precision_at_flagged`];
  if (run.plan.count === 0) {
    return nanColumns(detectors.flatMap(columnsFor), 'no training stay is poisoned (rate 0), so detection cannot be scored');
  }
  const poisoned = applyPoisoning(run.dataset, run.plan);
  const trainRows = rowsOfSplit(poisoned, 'train');
  const result = await runModelDetectors({
    model: run.model,
    dataset: poisoned,
    trainRows,
    poisonedRows: run.plan.rowIndices,
    expectedPoisonRate: run.plan.count / trainRows.length,
    detectors,
    seed: run.seed,
    ...detectorOptionsOf(options.detectorOptions),
  });
  const metrics: Record<string, number> = { ...result.columns };
  const warnings = Object.entries(result.reasons).map(([metric, message]) => ({ metric, message }));
  const defence: Record<string, unknown> = {};
  if (options.retrain) {
    const before = evaluateModel(run.model, run.dataset, { trigger: run.trigger, targetLabel: run.targetLabel, seed: run.seed, referenceCleanAuroc: null });
    const valRows = rowsOfSplit(poisoned, 'val');
    for (const detector of detectors) {
      const flagged = new Set(result.flaggedRows[detector] ?? []);
      const kept = Int32Array.from([...trainRows].filter((r) => !flagged.has(r)));
      const retrained = await trainModel({ dataset: poisoned, model: run.modelConfig, train: run.trainConfig, seed: run.seed, rows: { train: kept, val: valRows } });
      const after = evaluateModel(retrained.model, run.dataset, { trigger: run.trigger, targetLabel: run.targetLabel, seed: run.seed, referenceCleanAuroc: null });
      retrained.model.dispose();
      const der = defenceEffectivenessRating(
        { asr: before.backdoor.metrics.asr, clean: before.clean.metrics.accuracy },
        { asr: after.backdoor.metrics.asr, clean: after.clean.metrics.accuracy },
      );
      metrics[`defence_${detector}_asr`] = after.backdoor.metrics.asr;
      metrics[`defence_${detector}_clean_auroc`] = after.clean.metrics.auroc;
      metrics[`defence_${detector}_der`] = der.value;
      if (der.reason) warnings.push({ metric: `defence_${detector}_der`, message: der.reason });
      defence[detector] = { removed: flagged.size, kept: kept.length, truePoisonedRemoved: run.plan.rowIndices.filter((r) => flagged.has(r)).length, asrBefore: before.backdoor.metrics.asr, asrAfter: after.backdoor.metrics.asr, cleanAccuracyBefore: before.clean.metrics.accuracy, cleanAccuracyAfter: after.clean.metrics.accuracy, cleanAurocAfter: after.clean.metrics.auroc, der: der.value };
    }
  }
  await writeJsonAtomic(join(run.runDir, 'detect.json'), { ...toDetectJson(result), ...(options.retrain ? { defence } : {}) });
  return { metrics, warnings };
}

/** Adds analysis columns to a finished run's summary.json (rewritten atomically). */
export async function mergeIntoSummary(runDir: string, columns: AnalysisColumns): Promise<void> {
  const path = join(runDir, SUMMARY_FILE);
  if (!existsSync(path)) throw new InputError('E_RUN_NOT_DONE', `${runDir} has no summary.json yet: finish the run first (the same \`ehr-backdoor run\` resumes it).`);
  const summary = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown> & { reasons: Record<string, string> };
  const reasons = { ...summary.reasons };
  for (const [name, value] of Object.entries(columns.metrics)) {
    summary[name] = Number.isFinite(value) ? value : null;
    if (Number.isFinite(value)) delete reasons[name];
    else reasons[name] = columns.warnings.find((w) => w.metric === name)?.message ?? `${name} is undefined for this run.`;
  }
  const merged = { ...summary, reasons } as unknown as Summary;
  await writeFileAtomic(join(runDir, 'summary.csv'), summaryToCsv(merged));
  await writeJsonAtomic(path, merged);
}

/** A study's per-detector options under the option names of `runModelDetectors`. */
function detectorOptionsOf(options: DetectOptions['detectorOptions']): Partial<ModelDetectorsOptions> {
  if (!options) return {};
  return {
    ...(options.spectral ? { spectral: options.spectral } : {}),
    ...(options.activation_clustering ? { activationClustering: options.activation_clustering } : {}),
    ...(options.attribution ? { attributionOutlier: options.attribution } : {}),
    ...(options.strip ? { strip: options.strip } : {}),
  };
}

function nanColumns(names: readonly string[], reason: string): AnalysisColumns {
  return { metrics: Object.fromEntries(names.map((n) => [n, NaN])), warnings: names.map((metric) => ({ metric, message: reason })) };
}
