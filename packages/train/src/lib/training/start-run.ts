import { InputError, Random } from '@ehr-backdoor/core';
import { AdamW } from '../adamw.js';
import { listEpochCheckpoints } from '../checkpoint.js';
import { fitNormalisation, inputShape } from '../inputs.js';
import { buildNetwork } from '../models/build.js';
import { tokenLayoutOf } from '../models/tabtransformer.js';
import type { TrainCode } from '../error-codes.js';
import { classWeightsOf } from './loss.js';
import { resumeState } from './resume-state.js';
import type { RunContext, RunState } from './run-state.js';

/** The parts of `TrainOptions` that decide whether a run starts afresh or resumes. */
export interface StartOptions {
  readonly checkpointDir?: string;
  readonly resume?: boolean;
  readonly log?: (message: string) => void;
}

/**
 * Resumes from the last epoch checkpoint in `checkpointDir` when asked to (and one exists), else starts
 * afresh: normalisation fitted on the training rows, seeded initial weights.
 * @throws InputError `E_CHECKPOINT_EXISTS` for a fresh run into a directory that holds checkpoints; the
 * checkpoint errors of {@link resumeState}.
 */
export async function startOrResume(options: StartOptions, run: RunContext): Promise<{ state: RunState; resumedFromEpoch: number | null }> {
  if (options.checkpointDir) {
    const existing = await listEpochCheckpoints(options.checkpointDir);
    if (existing.length > 0 && !options.resume) {
      throw new InputError<TrainCode>(
        'E_CHECKPOINT_EXISTS',
        `${options.checkpointDir} already holds checkpoints (last: epoch ${existing[existing.length - 1].epoch}). Pass resume to continue that run, or choose an empty directory.`,
      );
    }
    if (existing.length > 0) {
      const state = await resumeState(
        options.checkpointDir,
        existing[existing.length - 1].dir,
        run.hashes,
        run.backend,
        run.trainRows.length,
        run.trainConfig,
      );
      options.log?.(`train: resumed after epoch ${state.epoch} from ${options.checkpointDir}`);
      return { state, resumedFromEpoch: state.epoch };
    }
  }
  return { state: freshState(run), resumedFromEpoch: null };
}

/** Epoch 0 of a new run. */
function freshState(run: RunContext): RunState {
  const { dataset, modelConfig, trainConfig, seed, view, trainRows, valRows } = run;
  const labels = dataset.labels;
  const normalisation = fitNormalisation(dataset, view, trainRows);
  const tokenLayout = modelConfig.kind === 'tabtransformer' ? tokenLayoutOf(dataset.tabular.features) : undefined;
  const network = buildNetwork(
    { model: modelConfig, inputShape: inputShape(normalisation), ...(tokenLayout ? { tokenLayout } : {}) },
    Random.fromSeed(seed, 'init'),
  );
  const state: RunState = {
    network,
    optimizer: new AdamW(network.store.params, trainConfig),
    normalisation,
    classWeights: classWeightsOf(trainConfig, labels, trainRows),
    shuffle: Random.fromSeed(seed, 'shuffle'),
    dropout: Random.fromSeed(seed, 'dropout'),
    history: [],
    epoch: 0,
    bestEpoch: 0,
    bestScore: -Infinity,
    bestWeights: null,
    stopped: null,
    validationDefined: true,
    warnings: [],
  };
  const valPositives = Array.from(valRows, (r) => labels[r]).reduce((a, b) => a + b, 0);
  if (valRows.length === 0 || valPositives === 0 || valPositives === valRows.length) {
    state.validationDefined = false;
    state.warnings.push(
      `validation AUROC is undefined (${valRows.length} validation rows, ${valPositives} positive): early stopping is off and the last epoch counts as best`,
    );
  }
  return state;
}
