import type { EpochRecord, FullCheckpointJson } from '../checkpoint.js';
import { checkpointEpoch } from './epoch-checkpoint.js';
import type { RunContext, RunState } from './run-state.js';
import { trainEpoch, trainingData } from './train-epoch.js';
import { evaluate } from './validate.js';

/**
 * What `onEpoch` learns besides the epoch's record: whether validation AUROC improved, the best epoch so far, speed, and why training stops (null while it goes on).
 */
export interface EpochInfo {
  readonly improved: boolean;
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly stopped: FullCheckpointJson['stopped'];
}

/** The parts of `TrainOptions` the epochs use. */
export interface EpochLoopOptions {
  readonly checkpointDir?: string;
  readonly stopAfterEpochs?: number;
  readonly onEpoch?: (record: EpochRecord, info: EpochInfo) => void;
  readonly onBatch?: (progress: { epoch: number; batch: number; batches: number }) => void;
}

/**
 * Epochs until the run stops (max epochs, early stopping) or pauses (`stopAfterEpochs`): train, validate,
 * keep the best, checkpoint. Returns how many epochs this call ran.
 */
export async function runEpochs(options: EpochLoopOptions, run: RunContext, s: RunState): Promise<number> {
  const { trainConfig } = run;
  // The best epoch is the one with the highest validation AUROC whether or not training stops early
  // (`patience` decides when to stop, `selection` which weights to return).
  const earlyStopping = s.validationDefined && trainConfig.patience > 0;
  const data = trainingData(run, s);
  let epochsThisCall = 0;
  const pauseAfter = options.stopAfterEpochs ?? Infinity;
  while (!s.stopped && epochsThisCall < pauseAfter) {
    const epoch = s.epoch + 1;
    const started = performance.now();
    const trainLoss = trainEpoch(run, s, data, epoch, options.onBatch);
    const val = evaluate(s.network, run.dataset, s.normalisation, run.valRows, trainConfig.evalBatchSize);
    const record: EpochRecord = { epoch, trainLoss, valLoss: val.loss, valAuroc: val.auroc };
    const improved = recordEpoch(run, s, record, earlyStopping);
    epochsThisCall++;
    if (options.checkpointDir) await checkpointEpoch(options.checkpointDir, run, s, epoch);
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.(record, {
      improved,
      bestEpoch: s.bestEpoch,
      seconds,
      samplesPerSecond: run.trainRows.length / seconds,
      stopped: s.stopped,
    });
  }
  return epochsThisCall;
}

/** Adds the epoch to the history, keeps its weights when it is the best so far, and decides whether to stop. */
function recordEpoch(run: RunContext, s: RunState, record: EpochRecord, earlyStopping: boolean): boolean {
  const { trainConfig } = run;
  const { epoch } = record;
  s.history.push(record);
  s.epoch = epoch;
  const score = s.validationDefined ? record.valAuroc : epoch;
  const improved = s.bestEpoch === 0 || (!Number.isNaN(score) && score > s.bestScore + trainConfig.minDelta);
  if (improved) {
    s.bestEpoch = epoch;
    s.bestScore = Number.isNaN(score) ? -Infinity : score;
    s.bestWeights = s.network.store.serialise();
  }
  if (earlyStopping && epoch - s.bestEpoch >= trainConfig.patience) s.stopped = 'early-stopping';
  else if (epoch >= trainConfig.epochs) s.stopped = 'max-epochs';
  return improved;
}
