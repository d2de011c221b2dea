import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CompatibilityError, InputError, removeStaleTemporaries, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { loadDataset } from '@ehr-backdoor/data';
import {
  DETECTOR_NAMES,
  isModelRepairName,
  MODEL_REPAIR_NAMES,
  runModelDetectors,
  toDetectJson,
  type DetectorName,
  type ModelDetectorsOptions,
  type ModelDetectorsResult,
} from '@ehr-backdoor/detect';
import { explainModelDrift, toExplainJson } from '@ehr-backdoor/explain';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import {
  applyPoisoning,
  buildTriggeredTestSet,
  readPlanManifest,
  triggeredTestDataset,
  resolveTrigger,
  type TriggerSpec,
} from '@ehr-backdoor/poison';
import {
  loadModel,
  rowsOfSplit,
  selectBackend,
  type BackendChoice,
  type ModelConfig,
  type TrainConfig,
  type TrainedModel,
} from '@ehr-backdoor/train';
import type { EhrDataset } from '@ehr-backdoor/data';
import { detectAndRepair, splitModelRepairs } from './repair-run.js';
import { SUMMARY_FILE } from './cell-state.js';
import { defenceByRemoval } from './detect-defence.js';
import { checkDetectRequest } from './detect-request.js';
import { reclassifyWithout, reconstructRunTrigger, stripTestTimeStep, trainEarlyModel } from './detect-steps.js';
import { summaryToCsv, type Summary, type SummaryValue } from './summary.js';
import type { AnalysisColumns, RunContext } from './run-context.js';
import type { RunnerCode } from './error-codes.js';
import type { DetectOptions } from './detect-options.js';

export type { AnalysisColumns, RunContext } from './run-context.js';
export type { DetectOptions } from './detect-options.js';

/**
 * Explanations and detectors on a finished (or just-trained) run:
 *
 *   explain: test stays with y ≠ target, clean and triggered ─▶ integrated gradients ─▶ attribution drift
 *   detect:  poisoned training split ─▶ detectors' scores ─▶ scored against the plan's true indices
 *            [--retrain] ─▶ drop each detector's flagged stays ─▶ retrain ─▶ ASR / clean AUROC after, DER
 *
 * Both return flat summary columns (docs/formats.md) and write explain.json / detect.json.
 */
interface RunMetadata {
  readonly formatVersion: number;
  readonly config: {
    trigger: TriggerSpec;
    targetLabel: 0 | 1;
    seed: number;
    backend: BackendChoice;
    model: ModelConfig;
    train: TrainConfig;
  };
  readonly dataset: { path: string; contentHash: string };
  readonly measurement?: { thresholdRule?: ThresholdRule };
}

/** Everything about a run directory that explain/detect need, checked. */
export async function openRun(
  runDir: string,
  options: { data?: string; backend?: BackendChoice; checkpoint?: string } = {},
): Promise<RunContext> {
  const metadataPath = join(runDir, 'run_metadata.json');
  if (!existsSync(metadataPath))
    throw new InputError<RunnerCode>(
      'E_NOT_A_RUN',
      `${runDir} is not a run directory (no run_metadata.json): pass RUNS/{model}/{trigger}/{rate}/seed_{seed}.`,
    );
  const metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as RunMetadata;
  if (metadata.formatVersion !== 1)
    throw new CompatibilityError<RunnerCode>(
      'E_RUN_FORMAT',
      `${metadataPath} has format version ${metadata.formatVersion}; this ehr-backdoor reads version 1.`,
    );
  if (!existsSync(join(runDir, 'checkpoints')))
    throw new InputError<RunnerCode>(
      'E_NO_CHECKPOINT',
      `${runDir} has no checkpoints/: the run has not trained yet; run or resume it first.`,
    );
  // explain, detect and evaluate write beside the run's files: what a killed one left half-written goes first.
  await removeStaleTemporaries(runDir);
  const dataset = await loadDataset(options.data ?? metadata.dataset.path);
  if (dataset.manifest.contentHash !== metadata.dataset.contentHash) {
    throw new CompatibilityError<RunnerCode>(
      'E_DATASET_MISMATCH',
      `The dataset at ${options.data ?? metadata.dataset.path} is not the one ${runDir} trained on; pass the original with --data.`,
    );
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
    ...(metadata.measurement?.thresholdRule ? { thresholdRule: metadata.measurement.thresholdRule } : {}),
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
    return nanColumns(
      [
        'explain_trigger_attribution_ratio',
        'explain_attr_l1',
        'explain_attr_l2',
        'explain_attr_cosine',
        'explain_kendall_tau',
        'explain_topk_overlap',
      ],
      reason,
    );
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
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(result.columns)) metrics[name] = value;
  metrics['explain_relative_convergence_delta'] = result.relativeConvergenceDelta;
  return {
    metrics,
    warnings: Object.entries(result.reasons).map(([metric, message]) => ({ metric, message })),
  };
}

export function checkDetectorNames(names: readonly string[] | undefined): DetectorName[] {
  const list = names && names.length ? names : [...DETECTOR_NAMES];
  for (const name of list) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(name) && !isModelRepairName(name)) {
      throw new InputError<RunnerCode>(
        'E_DETECT_UNKNOWN',
        `Unknown detector "${name}": choose from ${[...DETECTOR_NAMES, ...MODEL_REPAIR_NAMES].join(', ')}.`,
      );
    }
  }
  return list as DetectorName[];
}

/**
 * `--assumed-contamination` (`analyses.detect.assumedContamination`): a share in (0, 0.5); `defences` are
 * named in the message. @throws InputError `E_OPTION` otherwise.
 */
export function checkAssumedContamination(value: number | undefined, defences: readonly string[] = []): void {
  if (value === undefined) return;
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0 && value < 0.5)) {
    const who = defences.length ? `${defences.join(', ')}: ` : '';
    throw new InputError<RunnerCode>(
      'E_OPTION',
      `${who}--assumed-contamination (analyses.detect.assumedContamination) must be a share in (0, 0.5), e.g. 0.01 for 1 % of the training stays; got ${String(value)}. It sets how many stays each defence flags.`,
    );
  }
}

export async function detectRun(run: RunContext, options: DetectOptions = {}): Promise<AnalysisColumns> {
  const { repairs, detectors: named } = splitModelRepairs(options.detectors);
  if (repairs.length)
    return detectAndRepair(run, options, repairs, named?.length ? () => detectRun(run, { ...options, detectors: named }) : null);
  const detectors = checkDetectorNames(options.detectors);
  checkAssumedContamination(options.assumedContamination, detectors);
  checkDetectRequest(run, detectors, options);
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
  const result = await runRunDetectors(run, poisoned, trainRows, detectors, options);
  const metrics: Record<string, number> = { ...result.columns };
  const warnings = Object.entries(result.reasons).map(([metric, message]) => ({ metric, message }));
  const extra: Record<string, unknown> = {};
  const steps: [string, () => Promise<{ metrics: Record<string, number>; warnings: AnalysisColumns['warnings']; json: unknown }>][] = [];
  if (options.reconstructTrigger) steps.push(['triggerReconstruction', () => reconstructRunTrigger(run)]);
  if (detectors.includes('strip')) steps.push(['stripTestTime', () => stripTestTimeStep(run, options.stripBlends)]);
  if (options.retrain) steps.push(['defence', () => defenceByRemoval(run, poisoned, trainRows, detectors, result.flaggedRows)]);
  for (const [key, step] of steps) {
    const done = await step();
    Object.assign(metrics, done.metrics);
    warnings.push(...done.warnings);
    if (done.json !== undefined) extra[key] = done.json;
  }
  // Written last, together: a detect that failed on the way leaves the run as it was.
  const { writeDetectScores } = await import('./detect-scores-file.js');
  await writeDetectScores(join(run.runDir, 'detect-scores.arrow'), {
    trainRows: result.trainRows,
    stayIds: poisoned.stayIds,
    poisonedRows: run.plan.rowIndices,
    detectors: (Object.entries(result.results) as [string, { scores: Float64Array }][]).map(([name, r]) => ({
      name,
      scores: r.scores,
      flaggedRows: result.flaggedRows[name as DetectorName] ?? [],
    })),
  });
  const ordered = Object.fromEntries(
    ['stripTestTime', 'triggerReconstruction', 'defence'].filter((key) => key in extra).map((key) => [key, extra[key]]),
  );
  await writeJsonAtomic(join(run.runDir, 'detect.json'), { ...toDetectJson(result), ...ordered });
  return { metrics, warnings };
}

/** The detectors on the run's model and poisoned training split (abl_isolation's early model trained first). */
async function runRunDetectors(
  run: RunContext,
  poisoned: EhrDataset,
  trainRows: Int32Array,
  detectors: DetectorName[],
  options: DetectOptions,
): Promise<ModelDetectorsResult> {
  const earlyModel: TrainedModel | undefined = detectors.includes('abl_isolation')
    ? await trainEarlyModel(run, poisoned, trainRows, options.ablEpochs ?? 2)
    : undefined;
  try {
    return await runModelDetectors({
      ...(earlyModel ? { earlyModel, ablIsolation: { tail: options.ablTail ?? 'low' } } : {}),
      model: run.model,
      dataset: poisoned,
      trainRows,
      poisonedRows: run.plan.rowIndices,
      assumedContamination: options.assumedContamination ?? 0.01,
      detectors,
      seed: run.seed,
      ...detectorOptionsOf(options.detectorOptions),
      ...(options.acReduction
        ? { activationClustering: { ...(options.detectorOptions?.activation_clustering ?? {}), reduction: options.acReduction } }
        : {}),
      ...(options.acReclassificationThreshold !== undefined
        ? {
            exclusionaryReclassification: {
              threshold: options.acReclassificationThreshold,
              train: reclassifyWithout(run, poisoned, trainRows),
            },
          }
        : {}),
    });
  } finally {
    earlyModel?.dispose();
  }
}

/** Adds analysis columns to a finished run's summary.json (rewritten atomically). */
export async function mergeIntoSummary(runDir: string, columns: AnalysisColumns): Promise<void> {
  const path = join(runDir, SUMMARY_FILE);
  if (!existsSync(path))
    throw new InputError<RunnerCode>(
      'E_RUN_NOT_DONE',
      `${runDir} has no summary.json yet: finish the run first (the same \`ehr-backdoor run\` resumes it).`,
    );
  const summary = JSON.parse(await readFile(path, 'utf8')) as Summary;
  const reasons: Record<string, string> = { ...summary.reasons };
  const values: Record<string, SummaryValue> = {};
  for (const [name, value] of Object.entries(columns.metrics)) {
    values[name] = Number.isFinite(value) ? value : null;
    if (Number.isFinite(value)) delete reasons[name];
    else reasons[name] = columns.warnings.find((w) => w.metric === name)?.message ?? `${name} is undefined for this run.`;
  }
  // Existing columns keep their place and new ones follow, as when the record was updated in place.
  const merged: Summary = { ...summary, ...values, reasons };
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
