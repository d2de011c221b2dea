import { join } from 'node:path';
import { epochDirName, pruneCheckpoints, writeCheckpoint, type FullCheckpointJson } from '../checkpoint.js';
import { networkJson } from '../model.js';
import { runMeta, type RunContext, type RunState } from './run-state.js';

/** Writes the full checkpoint of the epoch just run (atomically) and prunes the older ones. */
export async function checkpointEpoch(checkpointDir: string, run: RunContext, s: RunState, epoch: number): Promise<void> {
  const json: FullCheckpointJson = {
    formatVersion: 1,
    kind: 'full',
    createdBy: '@ehr-backdoor/train',
    ...runMeta(run, s),
    network: networkJson(s.network),
    epoch,
    bestEpoch: s.bestEpoch,
    bestScore: s.bestScore,
    rng: { shuffle: s.shuffle.getState(), dropout: s.dropout.getState() },
    dataOrder: { nextEpoch: epoch + 1, batch: 0, trainRows: run.trainRows.length },
    optimizer: { algorithm: 'adamw', step: s.optimizer.step },
    stopped: s.stopped,
    validationDefined: s.validationDefined,
    warnings: s.warnings,
  };
  await writeCheckpoint(join(checkpointDir, epochDirName(epoch)), json, s.network.store.serialise(), s.optimizer.serialise());
  await pruneCheckpoints(checkpointDir, run.trainConfig.keepLast, s.bestEpoch);
}
