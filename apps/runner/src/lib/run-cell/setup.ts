import { hashJson } from '@ehr-backdoor/core';
import type { DatasetView, EhrDataset } from '@ehr-backdoor/data';
import { DEFAULT_THRESHOLD_RULE, type ThresholdRule } from '@ehr-backdoor/metrics';
import type { PoisoningPlan, PoisonMode, RateBasis, TriggerSpec } from '@ehr-backdoor/poison';
import type { BackendChoice, ModelConfig, TrainConfig } from '@ehr-backdoor/train';
import { assertDatasetDir } from '../cell-checks.js';
import type { CellConfig } from '../cell-config.js';
import type { CellKey } from '../grid.js';
import { measurementIdentity } from '../run-identity.js';
import type { CellReporter, CellRequest } from './request.js';

/** The fields of a run's identity (its configHash is the hash of this object with the dataset's hash). */
export interface RunConfig {
  readonly model: ModelConfig;
  readonly view: DatasetView;
  readonly trigger: TriggerSpec;
  readonly poisonRate: number;
  readonly seed: number;
  readonly targetLabel: 0 | 1;
  readonly mode: PoisonMode;
  readonly train: TrainConfig;
  readonly backend: BackendChoice;
}

/** A cell resolved and checked, before its run directory is touched: what every later phase reads. */
export interface CellSetup {
  readonly cell: CellKey;
  readonly cellConfig: CellConfig;
  readonly poison: typeof import('@ehr-backdoor/poison');
  readonly train: typeof import('@ehr-backdoor/train');
  readonly dataset: EhrDataset;
  readonly modelConfig: ModelConfig;
  readonly view: DatasetView;
  readonly trigger: TriggerSpec;
  readonly targetLabel: 0 | 1;
  readonly mode: PoisonMode;
  readonly trainConfig: TrainConfig;
  readonly rateBasis: RateBasis;
  readonly thresholdRule: ThresholdRule;
  readonly plan: PoisoningPlan;
  readonly config: RunConfig;
  readonly configHash: string;
}

/**
 * Loads the dataset and the packages, resolves the cell's model, trigger and training configuration, plans
 * its poisoning and computes its identity. Everything that can be checked is checked here, before the run
 * directory is touched, so bad input leaves nothing behind.
 */
export async function setUpCell(request: CellRequest, report: CellReporter): Promise<CellSetup> {
  const { cell, config: cellConfig } = request;
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
  const configHash = hashJson(
    measurement ? { config, dataset: dataset.manifest.contentHash, measurement } : { config, dataset: dataset.manifest.contentHash },
  );
  return {
    cell,
    cellConfig,
    poison,
    train,
    dataset,
    modelConfig,
    view,
    trigger,
    targetLabel,
    mode,
    trainConfig,
    rateBasis,
    thresholdRule,
    plan,
    config,
    configHash,
  };
}
