import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, InputError, removeStaleTemporaries, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { loadDataset, type EhrDataset } from '@ehr-backdoor/data';
import { DETECTOR_NAMES, isModelRepairName, MODEL_REPAIR_NAMES, namesTriggerVariables, runModelDetectors, runModelStripTestTime, runModelTriggerReconstruction, toDetectJson, defenceEffectivenessRating, type DetectorName, type ModelDetectorsOptions, type ModelRepairName } from '@ehr-backdoor/detect';
import { explainModelDrift, toExplainJson } from '@ehr-backdoor/explain';
import { applyPoisoning, buildTriggeredTestSet, readPlanManifest, triggeredTestDataset, resolveTrigger, type PoisoningPlan, type TriggerSpec } from '@ehr-backdoor/poison';
import { loadModel, rowsOfSplit, selectBackend, trainModel, type BackendChoice, type ModelConfig, type TrainConfig, type TrainedModel } from '@ehr-backdoor/train';
import { evaluateModel } from './evaluate.js';
import { detectAndRepair, splitModelRepairs } from './repair-run.js';
import { SUMMARY_FILE } from './cell-state.js';
import { summaryToCsv, type Summary } from './summary.js';
import type { RunnerCode } from './error-codes.js';
import type { DefenceSettings } from './cell-config.js';

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
  if (!existsSync(metadataPath)) throw new InputError<RunnerCode>('E_NOT_A_RUN', `${runDir} is not a run directory (no run_metadata.json): pass RUNS/{model}/{trigger}/{rate}/seed_{seed}.`);
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as RunMetadata;
  if (metadata.formatVersion !== 1) throw new CompatibilityError<RunnerCode>('E_RUN_FORMAT', `${metadataPath} has format version ${metadata.formatVersion}; this ehr-backdoor reads version 1.`);
  if (!existsSync(join(runDir, 'checkpoints'))) throw new InputError<RunnerCode>('E_NO_CHECKPOINT', `${runDir} has no checkpoints/: the run has not trained yet; run or resume it first.`);
  // explain, detect and evaluate write beside the run's files: what a killed one left half-written goes first.
  await removeStaleTemporaries(runDir);
  const dataset = await loadDataset(options.data ?? metadata.dataset.path);
  if (dataset.manifest.contentHash !== metadata.dataset.contentHash) {
    throw new CompatibilityError<RunnerCode>('E_DATASET_MISMATCH', `The dataset at ${options.data ?? metadata.dataset.path} is not the one ${runDir} trained on; pass the original with --data.`);
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
  /** Also write the raw attributions, baselines and convergence deltas to RUN/attributions.arrow. */
  readonly saveAttributions?: boolean;
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
  if (options.saveAttributions) {
    const { attributionElements, writeAttributions } = await import('./attributions-file.js');
    const elements = attributionElements(run.model, run.dataset);
    const rows = triggered.rowIndices.slice(0, k);
    await writeAttributions(join(run.runDir, 'attributions.arrow'), {
      result,
      stayIds: Int32Array.from(rows, (r) => run.dataset.stayIds[r]),
      elements,
      // explainModelDrift integrates from the zero baseline (the training mean of the normalised inputs)
      baseline: new Float32Array(elements.length),
      baselineKind: 'zero',
    });
  }
  return {
    metrics: { ...(result.columns as unknown as Record<string, number>), explain_relative_convergence_delta: result.relativeConvergenceDelta },
    warnings: Object.entries(result.reasons).map(([metric, message]) => ({ metric, message })),
  };
}

export interface DetectOptions extends DefenceSettings {
  readonly detectors?: readonly string[];
  /** Options of each detector, handed to it as they are (e.g. `{ spectral: { removalFactor: 3 } }`). */
  readonly detectorOptions?: Readonly<Partial<Record<DetectorName | ModelRepairName, Readonly<Record<string, unknown>>>>>;
  /** Remove each detector's flagged stays, retrain and measure the defence. */
  readonly retrain?: boolean;
}

export function checkDetectorNames(names: readonly string[] | undefined): DetectorName[] {
  const list = names && names.length ? names : [...DETECTOR_NAMES];
  for (const name of list) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(name) && !isModelRepairName(name)) {
      throw new InputError<RunnerCode>('E_DETECT_UNKNOWN', `Unknown detector "${name}": choose from ${[...DETECTOR_NAMES, ...MODEL_REPAIR_NAMES].join(', ')}.`);
    }
  }
  return list as DetectorName[];
}

/** `--assumed-contamination`: a share in (0, 0.5). @throws InputError `E_OPTION` otherwise. */
export function checkAssumedContamination(value: number | undefined): void {
  if (value === undefined) return;
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 0.5)) {
    throw new InputError<RunnerCode>('E_OPTION', `--assumed-contamination must be a share in (0, 0.5), e.g. 0.01 for 1 % of the training stays; got ${String(value)}.`);
  }
}

export async function detectRun(run: RunContext, options: DetectOptions = {}): Promise<AnalysisColumns> {
  const { repairs, detectors: named } = splitModelRepairs(options.detectors);
  if (repairs.length) return detectAndRepair(run, options, repairs, named?.length ? () => detectRun(run, { ...options, detectors: named }) : null);
  const detectors = checkDetectorNames(options.detectors);
  checkAssumedContamination(options.assumedContamination);
  const columnsFor = (d: string) => [`detect_${d}_auroc`, `detect_${d}_tpr_at_5fpr`, `detect_${d}_precision_at_flagged`];
  if (run.plan.count === 0) {
    const empty = nanColumns(detectors.flatMap(columnsFor), 'no training stay is poisoned (rate 0), so detection cannot be scored');
    // A clean model's reconstruction is the baseline a backdoored model's is read against.
    if (!options.reconstructTrigger) return empty;
    const nc = await reconstructRunTrigger(run);
    await writeJsonAtomic(join(run.runDir, 'detect.json'), { formatVersion: 1, triggerReconstruction: nc.json });
    return { metrics: { ...empty.metrics, ...nc.metrics }, warnings: [...empty.warnings, ...nc.warnings] };
  }
  const poisoned = applyPoisoning(run.dataset, run.plan);
  const trainRows = rowsOfSplit(poisoned, 'train');
  let earlyModel: TrainedModel | undefined;
  if (detectors.includes('abl_isolation')) {
    // ABL's isolation phase: a fresh model on the same rows and seed, stopped after the first epochs.
    const trainConfig = { ...run.trainConfig, epochs: options.ablEpochs ?? 2, patience: 0, selection: 'last' };
    earlyModel = (await trainModel({ dataset: poisoned, model: run.modelConfig as never, train: trainConfig as never, seed: run.seed, rows: { train: trainRows, val: rowsOfSplit(poisoned, 'val') } })).model;
  }
  const result = await runModelDetectors({
    ...(earlyModel ? { earlyModel, ablIsolation: { tail: options.ablTail ?? 'low' } } : {}),
    model: run.model,
    dataset: poisoned,
    trainRows,
    poisonedRows: run.plan.rowIndices,
    assumedContamination: options.assumedContamination ?? 0.01,
    detectors,
    seed: run.seed,
    ...detectorOptionsOf(options.detectorOptions),
    ...(options.acReduction ? { activationClustering: { ...(options.detectorOptions?.activation_clustering ?? {}), reduction: options.acReduction } } : {}),
    ...(options.acReclassificationThreshold !== undefined
      ? {
          exclusionaryReclassification: {
            threshold: options.acReclassificationThreshold,
            train: async (excludedRows: Int32Array) => {
              const excluded = new Set(excludedRows);
              const kept = Int32Array.from([...trainRows].filter((r) => !excluded.has(r)));
              const retrained = await trainModel({ dataset: poisoned, model: run.modelConfig as never, train: run.trainConfig as never, seed: run.seed, rows: { train: kept, val: rowsOfSplit(poisoned, 'val') } });
              const p = retrained.model.predictProba(poisoned, excludedRows);
              retrained.model.dispose();
              return Uint8Array.from(p, (q) => (q >= 0.5 ? 1 : 0));
            },
          },
        }
      : {}),
  });
  earlyModel?.dispose();
  const metrics: Record<string, number> = { ...result.columns };
  const warnings = Object.entries(result.reasons).map(([metric, message]) => ({ metric, message }));
  const { writeDetectScores } = await import('./detect-scores-file.js');
  await writeDetectScores(join(run.runDir, 'detect-scores.arrow'), {
    trainRows: result.trainRows,
    stayIds: poisoned.stayIds,
    poisonedRows: run.plan.rowIndices,
    detectors: (Object.entries(result.results) as [string, { scores: Float64Array }][]).map(([name, r]) => ({ name, scores: r.scores, flaggedRows: result.flaggedRows[name as DetectorName] ?? [] })),
  });
  let reconstruction: unknown;
  if (options.reconstructTrigger) {
    const nc = await reconstructRunTrigger(run);
    Object.assign(metrics, nc.metrics);
    warnings.push(...nc.warnings);
    reconstruction = nc.json;
  }
  let stripTest: Record<string, number> | undefined;
  if (detectors.includes('strip')) {
    // The paper's use: screen test stays, clean and triggered, blending with the (clean) validation split.
    const triggered = buildTriggeredTestSet(run.dataset, run.trigger, run.targetLabel);
    if (triggered.rowIndices.length >= 2) {
      const screen = await runModelStripTestTime({
        model: run.model,
        cleanDataset: run.dataset,
        cleanRows: triggered.rowIndices,
        triggeredDataset: triggeredTestDataset(run.dataset, triggered),
        triggeredRows: Array.from(triggered.rowIndices, (_, k) => k),
        poolRows: rowsOfSplit(run.dataset, 'val'),
        ...(options.stripBlends !== undefined ? { blends: options.stripBlends } : {}),
        seed: run.seed,
      });
      metrics.detect_strip_test_far_at_1frr = screen.far;
      metrics.detect_strip_test_frr = screen.frr;
      metrics.detect_strip_test_auroc = screen.auroc;
      stripTest = { far: screen.far, frr: screen.frr, auroc: screen.auroc, threshold: screen.threshold, blends: screen.blends, testStays: triggered.rowIndices.length };
    } else {
      for (const metric of ['detect_strip_test_far_at_1frr', 'detect_strip_test_frr', 'detect_strip_test_auroc']) {
        metrics[metric] = NaN;
        warnings.push({ metric, message: 'fewer than 2 test stays with y ≠ target to screen' });
      }
    }
  }
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
      // BackdoorBench's DER uses the clean accuracy (C-Acc); the clean AUROC after removal is its own column.
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
  await writeJsonAtomic(join(run.runDir, 'detect.json'), { ...toDetectJson(result), ...(stripTest ? { stripTestTime: stripTest } : {}), ...(reconstruction ? { triggerReconstruction: reconstruction } : {}), ...(options.retrain ? { defence } : {}) });
  return { metrics, warnings };
}

/** Neural-Cleanse-style reconstruction on the validation stays; the run's trigger and target only score it. */
async function reconstructRunTrigger(run: RunContext): Promise<{ metrics: Record<string, number>; warnings: { metric: string; message: string }[]; json: unknown }> {
  const metrics: Record<string, number> = {};
  const warnings: { metric: string; message: string }[] = [];
  const nc = await runModelTriggerReconstruction({ model: run.model, dataset: run.dataset, rows: rowsOfSplit(run.dataset, 'val') });
  const params = (run.trigger as { params?: { variable?: string; variables?: readonly string[] } }).params ?? {};
  const trueVariables = params.variables ? [...params.variables] : params.variable ? [params.variable] : [];
  const ranking = nc.variables.find((v) => v.target === run.targetLabel)?.ranking ?? [];
  metrics.detect_nc_suspected_target = nc.suspectedTarget;
  metrics.detect_nc_l1_ratio = nc.l1Ratio;
  metrics.detect_nc_target_mask_l1 = nc.triggers[run.targetLabel].maskL1;
  metrics.detect_nc_target_success = nc.triggers[run.targetLabel].successRate;
  metrics.detect_nc_names_trigger = namesTriggerVariables(ranking, trueVariables);
  const ranks = trueVariables.map((v) => ranking.findIndex((r) => r.variable === v) + 1).filter((r) => r > 0);
  metrics.detect_nc_trigger_rank = ranks.length ? Math.min(...ranks) : NaN;
  if (!trueVariables.length)
    for (const metric of ['detect_nc_names_trigger', 'detect_nc_trigger_rank']) warnings.push({ metric, message: 'the trigger names no variables to compare with' });
  const json = {
    suspectedTarget: nc.suspectedTarget,
    l1Ratio: nc.l1Ratio,
    anomalyIndex: nc.anomalyIndex,
    triggers: nc.triggers.map((t) => ({ target: t.target, maskL1: t.maskL1, successRate: t.successRate, stays: t.stays, topVariables: nc.variables.find((v) => v.target === t.target)?.ranking.slice(0, 5) })),
    trueVariables,
  };
  return { metrics, warnings, json };
}

/** Adds analysis columns to a finished run's summary.json (rewritten atomically). */
export async function mergeIntoSummary(runDir: string, columns: AnalysisColumns): Promise<void> {
  const path = join(runDir, SUMMARY_FILE);
  if (!existsSync(path)) throw new InputError<RunnerCode>('E_RUN_NOT_DONE', `${runDir} has no summary.json yet: finish the run first (the same \`ehr-backdoor run\` resumes it).`);
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
    ...(options.input_screening ? { inputScreening: options.input_screening } : {}),
    ...(options.confident_learning ? { confidentLearning: options.confident_learning } : {}),
  };
}

function nanColumns(names: readonly string[], reason: string): AnalysisColumns {
  return { metrics: Object.fromEntries(names.map((n) => [n, NaN])), warnings: names.map((metric) => ({ metric, message: reason })) };
}
