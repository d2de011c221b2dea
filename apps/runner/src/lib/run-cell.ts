import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { arch, platform, release } from 'node:os';
import { join } from 'node:path';
import { CompatibilityError, hashJson, writeFileAtomic, writeJsonAtomic } from '@ehr-backdoor/core';
import { acquireCellLock, ERROR_FILE, removeStaleTemporaries, SUMMARY_FILE } from './cell-state.js';
import { assertDatasetDir } from './cell-checks.js';
import { cellDir, cleanCellOf, type CellKey } from './grid.js';
import type { CellConfig } from './cell-config.js';
import { assembleSummary, summaryToCsv, type Summary } from './summary.js';
import { writePredictions } from './predictions.js';
import { evaluateModel, triggerBaseline, type CleanTestPredictions } from './evaluate.js';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import type { TrainedModel } from '@ehr-backdoor/train';
import { collectVersions } from './versions.js';

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
}

export const RUN_FORMAT_VERSION = 1;

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
  const plan = poison.planPoisoning({ dataset, trigger, rate: cell.rate, targetLabel, mode, seed: cell.seed });
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
  const configHash = hashJson({ config, dataset: dataset.manifest.contentHash });
  if (existsSync(dir)) await checkRunDirectory(dir, configHash);

  await mkdir(dir, { recursive: true });
  const unlock = await acquireCellLock(dir);
  try {
    await removeStaleTemporaries(dir);
    if (existsSync(join(dir, SUMMARY_FILE))) return JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as Summary;
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
    const evaluation = evaluateModel(trained.model, dataset, {
      trigger,
      targetLabel,
      seed: cell.seed,
      referenceCleanAuroc: cell.rate === 0 ? null : await cleanAurocOf(request),
      isCleanRun: cell.rate === 0,
    });
    const baselines = cell.rate === 0 ? baselineRows(trained.model, dataset, view, cellConfig, poison, evaluation.cleanTest) : [];
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
        analyses.push(await detectRun(context, { detectors: cellConfig.detect.detectors, retrain: cellConfig.detect.retrain, ...(cellConfig.detect.options ? { detectorOptions: cellConfig.detect.options } : {}) }));
      }
    }
    const evalSeconds = (Date.now() - evalStarted) / 1000;
    // Sweep workers run many cells in one process: free this cell's weights before the next.
    trained.model.dispose();

    await writePredictions(join(dir, 'predictions.arrow'), evaluation.predictions);

    const wallTimeS = (Date.now() - started) / 1000;
    const summary: Summary = assembleSummary({
      cell,
      options: { targetLabel, mode, selection: trainConfig.selection },
      kinds: { model: modelConfig.kind, trigger: trigger.name },
      datasetHash: dataset.manifest.contentHash,
      backend: backend.name,
      nTrain: train.rowsOfSplit(dataset, 'train').length,
      nPoisoned: plan.count,
      nTest: evaluation.nTest,
      nTriggered: evaluation.triggered.rowIndices.length,
      epochsRun: trained.epochsRun,
      bestEpoch: trained.bestEpoch,
      evaluatedEpoch: trained.selectedEpoch,
      wallTimeS,
      clean: evaluation.clean,
      backdoor: evaluation.backdoor,
      extra: [...baselines, ...analyses],
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
    await writeJsonAtomic(join(dir, ERROR_FILE), {
      message: error instanceof Error ? error.message : String(error),
      code: (error as { code?: string }).code ?? null,
      at: new Date().toISOString(),
    }).catch(() => undefined);
    throw error;
  } finally {
    await unlock();
  }
}

/** The clean model under each grid trigger defined on its view: the rate-0 point of every ASR curve. */
function baselineRows(
  model: TrainedModel,
  dataset: EhrDataset,
  view: DatasetView,
  config: CellConfig,
  poison: typeof import('@ehr-backdoor/poison'),
  cleanTest: CleanTestPredictions,
): { metrics: Record<string, number>; warnings: { metric: string; message: string }[] }[] {
  const rows = [];
  for (const { name, trigger, params, target } of config.baselines) {
    if (!poison.triggerViews(trigger).includes(view)) continue;
    const backdoor = triggerBaseline(model, dataset, poison.resolveTrigger(trigger as string, params), target, cleanTest);
    const rename = (metric: string) => `${metric}@${name}`;
    rows.push({
      metrics: { [rename('asr')]: backdoor.metrics.asr, [rename('confidence_shift')]: backdoor.metrics.confidence_shift },
      warnings: backdoor.warnings.filter((w) => w.metric === 'asr' || w.metric === 'confidence_shift').map((w) => ({ metric: rename(w.metric), message: w.message })),
    });
  }
  return rows;
}

/** A run directory that holds another config's run is never silently reused or overwritten. */
async function checkRunDirectory(dir: string, configHash: string): Promise<void> {
  const path = join(dir, 'run_metadata.json');
  if (!existsSync(path)) return;
  let previous: { configHash?: string };
  try {
    previous = JSON.parse(await readFile(path, 'utf8')) as { configHash?: string };
  } catch {
    throw new CompatibilityError('E_RUN_DIR_CORRUPT', `${path} is not valid JSON; remove the run directory ${dir} to start it again.`);
  }
  if (previous.configHash !== configHash) {
    throw new CompatibilityError(
      'E_RUN_DIR_CONFIG',
      `The run directory ${dir} holds a run of another configuration (config hash ${previous.configHash?.slice(0, 12)} ≠ ${configHash.slice(0, 12)}); ` +
        `use another --out, or remove that directory to start over.`,
    );
  }
}

/** The clean-test AUROC of the matching rate-0 run (null when it has not run or is undefined). */
async function cleanAurocOf(request: CellRequest): Promise<number | null> {
  const path = join(cellDir(request.runsRoot, cleanCellOf(request.cell)), SUMMARY_FILE);
  if (!existsSync(path)) return null;
  const clean = JSON.parse(await readFile(path, 'utf8')) as Summary;
  return typeof clean.auroc === 'number' ? clean.auroc : null;
}



