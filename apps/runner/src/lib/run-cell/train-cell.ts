import { join } from 'node:path';
import type { BackendInfo, TrainResult } from '@ehr-backdoor/train';
import type { CellReporter } from './request.js';
import type { CellSetup } from './setup.js';

export interface TrainedCell {
  readonly trained: TrainResult;
  readonly seconds: number;
}

/** Poisons the training split as planned (the plan's manifest first) and trains, resuming from checkpoints/. */
export async function trainCell(dir: string, setup: CellSetup, backend: BackendInfo, report: CellReporter): Promise<TrainedCell> {
  const { poison, train, dataset, plan, modelConfig, trainConfig, cell } = setup;
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
  return { trained, seconds: (Date.now() - trainStarted) / 1000 };
}
