import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { CompatibilityError, environmentErrorFrom, hashJson, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { acquireCellLock, ERROR_FILE, removeStaleTemporaries, SUMMARY_FILE } from './cell-state.js';
import { assertDatasetDir } from './cell-checks.js';
import { cellDir, cleanCellOf, type CellKey } from './grid.js';
import type { CellConfig } from './cell-config.js';
import { assembleSummary, summaryToCsv, type Summary } from './summary.js';
import { writePredictions } from './predictions.js';
import { evaluateModel, triggerBaseline, validationThreshold, type Evaluation, type MetricRows } from './evaluate.js';
import { DEFAULT_THRESHOLD_RULE, describeThresholdRule, type ThresholdRule } from '@ehr-backdoor/metrics';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import { collectVersions } from './versions.js';
import { measurementIdentity } from './run-identity.js';
import type { RunnerCode } from './error-codes.js';

/**
 * One cell, start to finish (or from its last checkpoint to finish):
 *
 *   load dataset (or a sweep worker's cached copy) ─▶ poisoning plan ─▶ check run dir config ─▶ lock
 *        ─▶ poisoned training split ─▶ train (resumes from checkpoints/) ─▶ clean test metrics
 *        ─▶ triggered test set ─▶ backdoor metrics ─▶ predictions.arrow
 *        ─▶ summary.json (last: it marks the cell done) ─▶ unlock
 */
export interface CellReporter {
  (update: { phase?: string; epoch?: number; epochs?: number; metric?: number }): void;
}

export interface CellRequest {
  readonly dataDir: string;
  readonly runsRoot: string;
  readonly cell: CellKey;
  /** The cell's whole configuration (a plan's cell carries it; `cellConfigFromOptions` builds it for older plans). */
  readonly config: CellConfig;
  /**
   * How to load the dataset at `dataDir`; by default from disk, every call. A sweep worker passes its
   * cache, so the cells it runs share one copy: no cell writes to the dataset (poisoning and the
   * triggered test set copy the arrays they change).
   */
  readonly loadDataset?: (dataDir: string) => Promise<EhrDataset>;
  /** Called when another process finished the cell while this one waited for its lock (nothing is run). */
  readonly onAlreadyDone?: () => void;
}

export const RUN_FORMAT_VERSION = 1;
/** Reliability-diagram data of the clean test set (top-label and p(target)). */
export const CALIBRATION_FILE = 'calibration.json';

export async function executeCell(request: CellRequest, report: CellReporter = () => undefined): Promise<Summary> {
  const { cell, config: cellConfig } = request;
  const dir = cellDir(request.runsRoot, cell);
  const started = Date.now();

  // Everything that can be checked is checked before the run directory is touched, so bad input
  // leaves nothing behind.
  report({ phase: 'loading data' });
  await assertDatasetDir(request.dataDir);
  const data = await import('@ehr-backdoor/data');
  const poison = await import('@ehr-backdoor/poison');
  const train = await import('@ehr-backdoor/train');
  const dataset = await (request.loadDataset ?? data.loadDataset)(request.dataDir);
  const modelConfig = train.resolveModelConfig(cellConfig.model);
  const view = train.viewOf(modelConfig.kind);
  const { target: targetLabel, mode } = cellConfig.attack;
  const trigger = poison.resolveTrigger(cellConfig.attack.trigger as string, cellConfig.attack.params);
  poison.assertTriggerSupportsView(trigger.name, view);
  const trainConfig = train.resolveTrainConfig(cellConfig.training);
  const rateBasis = cellConfig.rateBasis ?? 'eligible';
  const thresholdRule = cellConfig.thresholdRule ?? DEFAULT_THRESHOLD_RULE;
  const plan = poison.planPoisoning({ dataset, trigger, rate: cell.rate, targetLabel, mode, seed: cell.seed, rateBasis });
  // The run's identity (configHash) is this object: its fields are those of runs made before study
  // files, so their folders resume and are recognised. run-identity.ts computes the same hash for a study
  // (keys.spec.ts checks they agree).
  const config = {
    model: modelConfig,
    view,
    trigger,
    poisonRate: cell.rate,
    seed: cell.seed,
    targetLabel,
    mode,
    train: trainConfig,
    backend: cellConfig.backend,
  };
  const measurement = measurementIdentity(rateBasis, thresholdRule);
  const configHash = hashJson(measurement ? { config, dataset: dataset.manifest.contentHash, measurement } : { config, dataset: dataset.manifest.contentHash });
  if (existsSync(dir)) await checkRunDirectory(dir, configHash);

  await mkdir(dir, { recursive: true });
  const unlock = await acquireCellLock(dir);
  try {
    await removeStaleTemporaries(dir);
    if (existsSync(join(dir, SUMMARY_FILE))) {
      request.onAlreadyDone?.();
      return JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as Summary;
    }
    await checkRunDirectory(dir, configHash);
    const backend = await train.selectBackend(cellConfig.backend);
    report({ phase: train.describeBackend(backend) });
    const metadataBase = {
      formatVersion: RUN_FORMAT_VERSION,
      runId: `${cell.model}/${cell.trigger}/${cell.rate}/seed_${cell.seed}`,
      config,
      configHash,
      dataset: { path: request.dataDir, contentHash: dataset.manifest.contentHash, mimicVersion: dataset.manifest.source.mimicVersion },
      versions: await collectVersions(),
      variants: { model: cellConfig.modelVariant, attack: cellConfig.attackVariant },
      backend: { requested: cellConfig.backend, used: backend.name, description: train.describeBackend(backend), skipped: backend.skipped },
      seeds: { poisoning: cell.seed, training: cell.seed, bootstrap: cell.seed },
      measurement: { rateBasis, thresholdRule },
      platform: { os: platform(), release: release(), arch: arch() },
    };
    await writeJsonAtomic(join(dir, 'run_metadata.json'), { ...metadataBase, status: 'running', timings: { startedAt: new Date(started).toISOString() } });

    report({ phase: 'poisoning' });
    await poison.writePlanManifest(join(dir, 'poisoned_indices'), plan);
    const poisoned = poison.applyPoisoning(dataset, plan);

    report({ phase: 'training' });
    const trainStarted = Date.now();
    const trained = await train.trainModel({
      dataset: poisoned,
      model: modelConfig,
      train: trainConfig,
      seed: cell.seed,
      backend: backend.requested,
      checkpointDir: join(dir, 'checkpoints'),
      resume: true,
      onEpoch: (record) => report({ phase: 'training', epoch: record.epoch, epochs: trainConfig.epochs, metric: record.valAuroc }),
    });
    const trainSeconds = (Date.now() - trainStarted) / 1000;

    report({ phase: 'evaluating' });
    const evalStarted = Date.now();
    const reference = cell.rate === 0 ? null : await cleanReferenceOf(request);
    const evaluation = evaluateModel(trained.model, dataset, {
      trigger,
      targetLabel,
      seed: cell.seed,
      referenceCleanAuroc: reference?.auroc ?? null,
      isCleanRun: cell.rate === 0,
      thresholdRule,
    });
    const baselines = cell.rate === 0 ? baselineRows(trained.model, dataset, view, cellConfig, poison, evaluation, thresholdRule) : [liftRow(evaluation, reference, cell)];
    const analyses = [];
    if (cellConfig.explain || cellConfig.detect) {
      const { explainRun, detectRun } = await import('./analyse-run.js');
      const context = { runDir: dir, dataset, model: trained.model, trigger, targetLabel, seed: cell.seed, plan, modelConfig, trainConfig };
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
    const evalSeconds = (Date.now() - evalStarted) / 1000;
    // Sweep workers run many cells in one process: free this cell's weights before the next.
    trained.model.dispose();

    await writePredictions(join(dir, 'predictions.arrow'), evaluation.predictions);
    await writeJsonAtomic(join(dir, CALIBRATION_FILE), evaluation.calibration);

    const wallTimeS = (Date.now() - started) / 1000;
    const summary: Summary = assembleSummary({
      cell,
      options: { targetLabel, mode, selection: trainConfig.selection },
      kinds: { model: modelConfig.kind, trigger: trigger.name },
      datasetHash: dataset.manifest.contentHash,
      backend: backend.name,
      nTrain: train.rowsOfSplit(dataset, 'train').length,
      nPoisoned: plan.count,
      nEligible: plan.eligible,
      rateBasis,
      thresholdRule: describeThresholdRule(thresholdRule),
      labelDefinition: dataset.manifest.labelDefinition ?? 'hospital_mortality',
      nTest: evaluation.nTest,
      nTriggered: evaluation.triggered.rowIndices.length,
      epochsRun: trained.epochsRun,
      bestEpoch: trained.bestEpoch,
      evaluatedEpoch: trained.selectedEpoch,
      wallTimeS,
      rows: [...evaluation.summaryRows, ...baselines, ...analyses],
    });
    await writeJsonAtomic(join(dir, 'run_metadata.json'), {
      ...metadataBase,
      status: 'done',
      timings: { startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), wallTimeS, trainS: trainSeconds, evalS: evalSeconds },
    });
    await writeFileAtomic(join(dir, 'summary.csv'), summaryToCsv(summary));
    await rm(join(dir, ERROR_FILE), { force: true });
    await writeJsonAtomic(join(dir, SUMMARY_FILE), summary);
    return summary;
  } catch (error) {
    const explained = environmentErrorFrom(error) ?? error;
    await writeJsonAtomic(join(dir, ERROR_FILE), {
      message: explained instanceof Error ? explained.message : String(explained),
      code: (explained as { code?: string }).code ?? null,
      at: new Date().toISOString(),
    }).catch(() => undefined);
    throw error;
  } finally {
    await unlock();
  }
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
    const backdoor = triggerBaseline(model, dataset, poison.resolveTrigger(trigger as string, params), target, evaluation.cleanTest, thresholds.get(target)!);
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
    const reason = reference ? `the matching clean run has no ASR for trigger ${cell.trigger} (asr@${cell.trigger})` : 'no finished matching clean run (same model and seed, rate 0) when this run was evaluated';
    return { metrics: { asr_lift: Number.NaN }, warnings: [{ metric: 'asr_lift', message: `ASR lift is undefined: ${reason}.` }] };
  }
  if (Number.isNaN(asr)) return { metrics: { asr_lift: Number.NaN }, warnings: [{ metric: 'asr_lift', message: 'ASR lift is undefined: this run\'s ASR is undefined.' }] };
  return { metrics: { asr_lift: asr - cleanAsr }, warnings: [] };
}

/** A run directory that holds another config's run is never silently reused or overwritten. */
async function checkRunDirectory(dir: string, configHash: string): Promise<void> {
  const path = join(dir, 'run_metadata.json');
  if (!existsSync(path)) return;
  let previous: { configHash?: string };
  try {
    previous = JSON.parse(await readFile(path, 'utf8')) as { configHash?: string };
  } catch {
    throw new CompatibilityError<RunnerCode>('E_RUN_DIR_CORRUPT', `${path} is not valid JSON; remove the run directory ${dir} to start it again.`);
  }
  if (previous.configHash !== configHash) {
    throw new CompatibilityError<RunnerCode>(
      'E_RUN_DIR_CONFIG',
      `The run directory ${dir} holds a run of another configuration (config hash ${previous.configHash?.slice(0, 12)} ≠ ${configHash.slice(0, 12)}); ` +
        `use another --out, or remove that directory to start over.`,
    );
  }
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
  return { auroc: numberOr(summary.auroc), asrOf: (trigger) => numberOr(clean.trigger === trigger ? summary.asr : summary[`asr@${trigger}`]) };
}



