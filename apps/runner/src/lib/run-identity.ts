import { hashJson } from '@ehr-backdoor/core';
import { viewOf } from '@ehr-backdoor/train/names';
import { DEFAULT_THRESHOLD_RULE, describeThresholdRule, type ThresholdRule } from '@ehr-backdoor/metrics';
import type { RateBasis } from '@ehr-backdoor/poison';
import type { CellConfig } from './cell-config.js';
import type { CellKey } from './grid.js';

/**
 * The `configHash` that `executeCell` records in a cell's run_metadata.json (and checks before it
 * reuses a run directory), computed from a cell's configuration without loading the dataset: only its
 * content hash (manifest.json) is needed. Lets a study tell that a finished cell of a runs folder
 * (one run before study files, too) holds another configuration before it skips it.
 */
export function runConfigHash(cell: CellKey, config: CellConfig, datasetContentHash: string): string {
  // The fields and their order are those of run-cell/setup.ts's `config`; keys.spec.ts checks the two agree.
  const runConfig = {
    model: config.model,
    view: viewOf(config.model.kind),
    trigger: { name: config.attack.trigger, params: config.attack.params },
    poisonRate: cell.rate,
    seed: cell.seed,
    targetLabel: config.attack.target,
    mode: config.attack.mode,
    train: config.training,
    backend: config.backend,
  };
  const measurement = measurementIdentity(config.rateBasis ?? 'eligible', config.thresholdRule ?? DEFAULT_THRESHOLD_RULE);
  return hashJson(
    measurement ? { config: runConfig, dataset: datasetContentHash, measurement } : { config: runConfig, dataset: datasetContentHash },
  );
}

/**
 * Non-default measurement options join a run's identity (a run directory never mixes them); the defaults
 * stay out, so run directories made before these options existed keep their hash.
 */
export function measurementIdentity(
  rateBasis: RateBasis,
  thresholdRule: ThresholdRule,
): { rateBasis?: RateBasis; thresholdRule?: ThresholdRule } | undefined {
  const measurement = {
    ...(rateBasis !== 'eligible' ? { rateBasis } : {}),
    ...(describeThresholdRule(thresholdRule) !== describeThresholdRule(DEFAULT_THRESHOLD_RULE) ? { thresholdRule } : {}),
  };
  return Object.keys(measurement).length ? measurement : undefined;
}
