import { hashJson } from '@ehr-backdoor/core';
import { viewOf } from '@ehr-backdoor/train/names';
import type { CellConfig } from './cell-config.js';
import type { CellKey } from './grid.js';

/**
 * The `configHash` that `executeCell` records in a cell's run_metadata.json (and checks before it
 * reuses a run directory), computed from a cell's configuration without loading the dataset: only its
 * content hash (manifest.json) is needed. Lets a study tell that a finished cell of a runs folder
 * (one run before study files, too) holds another configuration before it skips it.
 */
export function runConfigHash(cell: CellKey, config: CellConfig, datasetContentHash: string): string {
  // The fields and their order are those of run-cell.ts's `config`; keys.spec.ts checks the two agree.
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
  return hashJson({ config: runConfig, dataset: datasetContentHash });
}
