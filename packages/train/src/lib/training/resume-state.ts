import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CompatibilityError, Random } from '@ehr-backdoor/core';
import { AdamW } from '../adamw.js';
import type { BackendInfo } from '../backend.js';
import { assertCompatible, epochDirName, readCheckpoint, type FullCheckpointJson } from '../checkpoint.js';
import type { TrainConfig } from '../config.js';
import { networkFromJson } from '../model.js';
import type { TrainCode } from '../error-codes.js';
import type { RunHashes, RunState } from './run-state.js';

/**
 * A run's state after its last checkpointed epoch, from `lastDir` (and the best epoch's weights, when
 * that is another epoch), once the checkpoint is shown to belong to this run, dataset and backend.
 * @throws CompatibilityError `E_CHECKPOINT_KIND`, `E_CHECKPOINT_BACKEND`, `E_CHECKPOINT_DATASET`,
 * `E_CHECKPOINT_MISSING_BEST` and those of `assertCompatible`.
 */
export async function resumeState(
  runDir: string,
  lastDir: string,
  hashes: RunHashes,
  backend: BackendInfo,
  trainRows: number,
  trainConfig: TrainConfig,
): Promise<RunState> {
  const last = await readCheckpoint(lastDir);
  const json = last.json as FullCheckpointJson;
  if (json.kind !== 'full' || !last.optimizer) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_KIND',
      `${lastDir} is a weights-only checkpoint; training can only resume from a full epoch checkpoint.`,
    );
  }
  assertCompatible(json, lastDir, hashes);
  if (json.backend !== backend.name) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_BACKEND',
      `The run in ${runDir} was trained on the ${json.backend} backend, and this process runs ${backend.name}. ` +
        `Results are bit-reproducible per backend only: resume with --backend ${json.backend}, or start a new run.`,
    );
  }
  if (json.dataOrder.trainRows !== trainRows) {
    throw new CompatibilityError<TrainCode>(
      'E_CHECKPOINT_DATASET',
      `${lastDir} was trained on ${json.dataOrder.trainRows} training rows; ${trainRows} were given.`,
    );
  }
  const network = networkFromJson(json);
  network.store.load(last.weights, json.network.params, `${lastDir}/weights.bin`);
  const optimizer = new AdamW(network.store.params, trainConfig);
  optimizer.load(last.optimizer, json.optimizer.step, json.network.params, `${lastDir}/optimizer.bin`);
  let bestWeights = last.weights;
  if (json.bestEpoch !== json.epoch) {
    const bestDir = join(runDir, epochDirName(json.bestEpoch));
    if (!existsSync(bestDir)) {
      throw new CompatibilityError<TrainCode>(
        'E_CHECKPOINT_MISSING_BEST',
        `The best epoch's checkpoint ${bestDir} is missing; it is needed to finish the run.`,
      );
    }
    bestWeights = (await readCheckpoint(bestDir)).weights;
  }
  return {
    network,
    optimizer,
    normalisation: json.normalisation,
    classWeights: [json.classWeights[0], json.classWeights[1]],
    shuffle: Random.fromState(json.rng.shuffle),
    dropout: Random.fromState(json.rng.dropout),
    history: [...json.history],
    epoch: json.epoch,
    bestEpoch: json.bestEpoch,
    bestScore: json.bestScore,
    bestWeights,
    stopped: json.stopped,
    // Checkpoints written before the field existed said so only in a warning's wording.
    validationDefined: json.validationDefined ?? json.warnings.every((w) => !w.startsWith('validation AUROC is undefined')),
    warnings: [...json.warnings],
  };
}
