import type { EhrDataset } from '@ehr-backdoor/data';
import { activeBackend, describeBackend, selectBackend, type BackendChoice, type BackendInfo } from './backend.js';
import type { EpochRecord, FullCheckpointJson } from './checkpoint.js';
import { configHash, type ModelConfigInput, type TrainConfig } from './config.js';
import { datasetHash } from './inputs.js';
import type { TrainedModel } from './model.js';
import { checkTrainInputs } from './training/check-inputs.js';
import { runEpochs, type EpochInfo } from './training/epoch-loop.js';
import { finishRun } from './training/finish-run.js';
import type { RunContext } from './training/run-state.js';
import { startOrResume } from './training/start-run.js';

export type { EpochInfo } from './training/epoch-loop.js';

/**
 * Training, one epoch at a time, with a full checkpoint after each (each phase in its file under training/):
 *
 *   check inputs ─▶ backend ─▶ resume? (verify hashes, restore weights, Adam state, PRNGs, history)
 *     │                         else: fit normalisation on the training rows, seeded initial weights
 *     ▼
 *   epoch: shuffle (PRNG) ─▶ batches: forward (seeded dropout) ─▶ weighted BCE ─▶ grads ─▶ AdamW
 *     ─▶ validation AUROC ─▶ best? ─▶ checkpoint epoch-NNNN (atomic), prune ─▶ early stop?
 *     ▼
 *   selected epoch's weights (best or last) ─▶ final/ (weights only) ─▶ TrainedModel
 *
 *   check-inputs ─▶ start-run (resume-state) ─▶ epoch-loop (train-epoch, loss, validate, epoch-checkpoint)
 *     ─▶ finish-run; run-state holds what passes between them.
 *
 * Everything random comes from three named streams of the seed ('init', 'shuffle', 'dropout'), and
 * the two that advance during training are saved with each epoch, so a run stopped after any epoch —
 * or killed mid-epoch, which loses only that epoch's unsaved work — resumes to bit-identical weights.
 */
export interface TrainOptions {
  readonly dataset: EhrDataset;
  readonly model: ModelConfigInput;
  readonly train?: Partial<TrainConfig>;
  readonly seed: number;
  /** Backend to select first; default: the one already selected with `selectBackend`, else 'auto'. */
  readonly backend?: BackendChoice;
  /** Directory for epoch checkpoints; none are written without it. */
  readonly checkpointDir?: string;
  /** Continue from the last checkpoint in `checkpointDir` (starts afresh if there is none). */
  readonly resume?: boolean;
  /** Rows to train and validate on; default the dataset's 'train' and 'val' splits. */
  readonly rows?: { readonly train: ArrayLike<number>; readonly val: ArrayLike<number> };
  /**
   * Pause after this many epochs of this call (the run continues later with `resume`). Not part of
   * the configuration: a paused and resumed run equals an uninterrupted one.
   */
  readonly stopAfterEpochs?: number;
  /** Called once per epoch with its record and {@link EpochInfo}. */
  readonly onEpoch?: (record: EpochRecord, info: EpochInfo) => void;
  /** Called after each training batch, e.g. for a progress bar. */
  readonly onBatch?: (progress: { epoch: number; batch: number; batches: number }) => void;
  /** Receives readable progress notes (the backend chosen, where a resume starts). */
  readonly log?: (message: string) => void;
}

/**
 * The outcome of {@link trainModel}: the model with the selected epoch's weights, the history and how training ended.
 */
export interface TrainResult {
  /** The network with the selected epoch's weights (see `TrainConfig.selection`). */
  readonly model: TrainedModel;
  readonly history: readonly EpochRecord[];
  /** The epoch with the highest validation AUROC (the last epoch when validation AUROC is undefined). */
  readonly bestEpoch: number;
  /** The epoch whose weights `model` holds: `bestEpoch` or, with selection 'last', the final epoch. */
  readonly selectedEpoch: number;
  /** Epochs run in total (including those before a resume). */
  readonly epochsRun: number;
  /** Epochs run by this call. */
  readonly epochsThisCall: number;
  readonly resumedFromEpoch: number | null;
  /** Why training ended; 'paused' when `stopAfterEpochs` ended this call first. */
  readonly stopped: NonNullable<FullCheckpointJson['stopped']> | 'paused';
  readonly backend: BackendInfo;
  readonly configHash: string;
  readonly datasetHash: string;
  readonly warnings: readonly string[];
}

/**
 * Trains one model on a dataset, deterministically for a given seed and backend, with a full checkpoint after
 * every epoch when `checkpointDir` is given (phases drawn above); `resume` continues bit-identically.
 * @throws InputError `E_SEED`, `E_RESUME`, `E_TRAIN_CONFIG`, `E_MODEL_KIND`/`E_MODEL_CONFIG`, `E_BACKEND`,
 * `E_NO_TRAINING_ROWS`, `E_DATASET_VIEW` (the model's view is empty), or `E_CHECKPOINT_EXISTS` (a fresh run into a directory that holds checkpoints).
 * @throws CompatibilityError `E_CHECKPOINT_KIND`, `E_CHECKPOINT_DATASET`, `E_CHECKPOINT_CONFIG`, `E_CHECKPOINT_FORMAT`,
 * `E_CHECKPOINT_BACKEND` or `E_CHECKPOINT_MISSING_BEST` when the checkpoint to resume from belongs to another
 * run, dataset, configuration or backend; DataError `E_CHECKPOINT_CORRUPT` for a damaged one.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { dataset, seed } = options;
  const inputs = checkTrainInputs(options);
  const backend = options.backend ? await selectBackend(options.backend) : (activeBackend() ?? (await selectBackend('auto')));
  options.log?.(`train: ${inputs.modelConfig.kind} on ${describeBackend(backend)}`);
  const hashes = { configHash: configHash(inputs.modelConfig, inputs.trainConfig, seed), datasetHash: datasetHash(dataset, inputs.view) };
  const run: RunContext = { dataset, seed, ...inputs, backend, hashes };

  const { state, resumedFromEpoch } = await startOrResume(options, run);
  const epochsThisCall = await runEpochs(options, run, state);
  const { model, selectedEpoch } = await finishRun(options.checkpointDir, run, state);
  return {
    model,
    history: [...state.history],
    bestEpoch: state.bestEpoch,
    selectedEpoch,
    epochsRun: state.epoch,
    epochsThisCall,
    resumedFromEpoch,
    stopped: state.stopped ?? 'paused',
    backend,
    ...hashes,
    warnings: state.warnings,
  };
}
